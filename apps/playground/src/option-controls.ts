/**
 * Form controls generated from a module's option descriptors (core's `OptionsSchema`), so a
 * newly registered module gets its controls without UI code.
 */
import type { AttentionSpec, OptionDescriptor } from '@attnkit/core';

export interface OptionControl {
  element: HTMLElement;
  /** The value as the spec would carry it; `undefined` when it equals the default. */
  read(): unknown;
}

const kernelSizeWords = ['adaptive', 'adaptive-min3', 'mobilenet-v2'];

/** '5' -> 5, '3,5,5,7' -> [3, 5, 5, 7], 'adaptive' stays; anything else is passed on for core to refuse. */
export function parseKernelSize(text: string): unknown {
  const trimmed = text.trim();
  if (kernelSizeWords.includes(trimmed)) return trimmed;
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  if (/^\d+(\s*,\s*\d+)+$/.test(trimmed)) return trimmed.split(',').map((part) => Number(part));
  return trimmed;
}

export function formatKernelSize(value: unknown): string {
  return Array.isArray(value) ? value.join(', ') : String(value);
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export function optionControl(id: string, key: string, descriptor: OptionDescriptor, value: unknown, onChange: () => void): OptionControl {
  const wrapper = document.createElement('div');
  wrapper.className = 'field';
  const inputId = `option-${id}-${key}`;
  const label = document.createElement('label');
  label.htmlFor = inputId;
  label.textContent = key;
  label.title = descriptor.description;
  const hint = document.createElement('small');
  hint.id = `${inputId}-hint`;
  hint.textContent = descriptor.description;
  let input: HTMLInputElement | HTMLSelectElement;
  let read: () => unknown;
  const current = value === undefined ? descriptor.default : value;
  switch (descriptor.type) {
    case 'boolean': {
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.checked = current === true;
      input = box;
      read = () => box.checked;
      break;
    }
    case 'enum': {
      const select = document.createElement('select');
      for (const option of descriptor.values) select.add(new Option(option, option, false, option === current));
      input = select;
      read = () => select.value;
      break;
    }
    case 'integer':
    case 'number': {
      const number = document.createElement('input');
      number.type = 'number';
      number.step = descriptor.type === 'integer' ? '1' : 'any';
      if (descriptor.type === 'integer' && descriptor.min !== undefined) number.min = String(descriptor.min);
      if (descriptor.type === 'integer' && descriptor.max !== undefined) number.max = String(descriptor.max);
      number.value = String(current);
      input = number;
      read = () => (number.value.trim() === '' ? descriptor.default : Number(number.value));
      break;
    }
    case 'kernel-size': {
      const text = document.createElement('input');
      text.type = 'text';
      text.value = formatKernelSize(current);
      text.setAttribute('list', 'kernel-size-words');
      input = text;
      read = () => parseKernelSize(text.value);
      break;
    }
  }
  input.id = inputId;
  input.setAttribute('aria-describedby', hint.id);
  input.addEventListener('change', onChange);
  wrapper.append(label, input, hint);
  return {
    element: wrapper,
    read: () => {
      const next = read();
      return same(next, descriptor.default) ? undefined : next;
    },
  };
}

/** `'eca'` when every option is at its default, else `{ type: 'eca', ...changed }`. */
export function specFromControls(id: string, controls: ReadonlyMap<string, OptionControl>): AttentionSpec {
  const changed: Record<string, unknown> = {};
  for (const [key, control] of controls) {
    const value = control.read();
    if (value !== undefined) changed[key] = value;
  }
  // Ids come from the registry at run time, so the spec is one by assertion.
  return (Object.keys(changed).length ? { type: id, ...changed } : id) as AttentionSpec;
}
