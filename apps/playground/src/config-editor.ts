/**
 * The config editor: form controls (backbones, attention modules with their generated option
 * controls, placement, backends, sizes and budget) and the JSON they write, kept in step both
 * ways, validated on every change with each issue shown at its field and in a list.
 */
import { type AttentionSpec, getAttention, listAttention } from '@attnkit/core';
import { ATTENTION_PLACEMENTS, listBackbones } from '@attnkit/zoo';
import type { BenchConfig } from '../../cli/src/bench/bench-config.js';
import { type ConfigIssue, type PlaygroundConfig, validatePlaygroundConfig } from './browser-bench-config.js';
import { type BrowserBackendName, browserBackendNames } from './browser-backends.js';
import { type OptionControl, optionControl, specFromControls } from './option-controls.js';
import { defaultPreset, presets } from './presets.js';
import { configFromHash, configToHash } from './url-state.js';
import { element, labelled } from './dom.js';

export interface ConfigEditor {
  /** The valid config, or undefined while the editor shows issues. */
  current(): BenchConfig | undefined;
  /** The first backbone and its placement (for the attention view). */
  raw(): PlaygroundConfig;
  setAvailability(reasons: ReadonlyMap<BrowserBackendName, string | undefined>): void;
}

type ModelEntry = string | { backbone?: string; options?: Record<string, unknown> };

const specId = (spec: unknown) => (typeof spec === 'string' ? spec : (spec as { type: string }).type);

export function createConfigEditor(root: HTMLElement, onValid: () => void): ConfigEditor {
  const fromLink = configFromHash(location.hash);
  let config: PlaygroundConfig = (fromLink.config as PlaygroundConfig) ?? structuredClone(presets[defaultPreset].config);
  let valid: BenchConfig | undefined;
  let availability = new Map<BrowserBackendName, string | undefined>();

  const presetSelect = element('select');
  presetSelect.add(new Option('(your own config)', ''));
  for (const [id, preset] of Object.entries(presets)) presetSelect.add(new Option(preset.label, id));
  const form = element('div', { className: 'config-form' });
  const json = element('textarea', { spellcheck: false, rows: 14 });
  json.setAttribute('aria-describedby', 'config-issues');
  const issuesList = element('ul', { id: 'config-issues', className: 'issues' });
  issuesList.setAttribute('aria-live', 'polite');
  const shareButton = element('button', { type: 'button', textContent: 'Copy a link to this config' });
  const shareStatus = element('span', { className: 'note' });
  root.append(
    labelled('preset', 'Preset', presetSelect),
    form,
    element('details', { open: false }, element('summary', { textContent: 'Config as JSON (the attnkit bench format)' }), labelled('config-json', 'Bench config (JSON)', json)),
    issuesList,
    element('div', { className: 'row' }, shareButton, shareStatus),
  );

  presetSelect.addEventListener('change', () => {
    const preset = presets[presetSelect.value];
    if (preset) update(structuredClone(preset.config));
  });
  json.addEventListener('input', () => {
    try {
      config = JSON.parse(json.value) as PlaygroundConfig;
    } catch (error) {
      showIssues([{ path: '(JSON)', message: (error as Error).message }]);
      return;
    }
    presetSelect.value = '';
    validateAndShow();
    renderForm();
  });
  shareButton.addEventListener('click', async () => {
    const link = `${location.origin}${location.pathname}${configToHash(config)}`;
    history.replaceState(null, '', configToHash(config));
    await navigator.clipboard?.writeText(link).catch(() => undefined);
    shareStatus.textContent = 'The address bar now holds this config; the link is copied when the browser allows it.';
  });

  function update(next: PlaygroundConfig) {
    config = next;
    json.value = JSON.stringify(config, null, 2);
    validateAndShow();
    renderForm();
  }

  function showIssues(issues: ConfigIssue[]) {
    issuesList.replaceChildren(...issues.map((issue) => element('li', {}, element('code', { textContent: issue.path }), `: ${issue.message}`)));
    for (const message of form.querySelectorAll('.field-issue')) message.remove();
    for (const issue of issues) {
      const target = [...form.querySelectorAll<HTMLElement>('[data-path]')].find((node) => issue.path === node.dataset.path || issue.path.startsWith(`${node.dataset.path}.`) || issue.path.startsWith(`${node.dataset.path}[`));
      target?.append(element('p', { className: 'field-issue', role: 'alert', textContent: `${issue.path}: ${issue.message}` }));
    }
  }

  function validateAndShow() {
    const result = validatePlaygroundConfig(config);
    valid = result.ok ? result.config : undefined;
    showIssues(result.ok ? [] : result.issues);
    if (result.ok) {
      history.replaceState(null, '', configToHash(config));
      onValid();
    }
  }

  function fromForm(read: () => Partial<PlaygroundConfig>) {
    presetSelect.value = '';
    update({ ...config, ...read() });
  }

  function renderForm() {
    const models = (Array.isArray(config.models) ? config.models : []) as ModelEntry[];
    const backbones = models.map((m) => (typeof m === 'string' ? m : m?.backbone)).filter((b): b is string => typeof b === 'string');
    const firstOptions = (models.find((m) => typeof m === 'object') as { options?: Record<string, unknown> } | undefined)?.options ?? {};
    const attention = (Array.isArray(config.attention) ? config.attention : []) as AttentionSpec[];

    const backboneSet = element('fieldset', {}, element('legend', { textContent: 'Backbones' }));
    backboneSet.dataset.path = 'models';
    for (const name of listBackbones()) {
      const box = element('input', { type: 'checkbox', id: `backbone-${name}`, checked: backbones.includes(name), value: name });
      backboneSet.append(element('span', { className: 'check' }, box, element('label', { htmlFor: box.id, textContent: name })));
    }
    const placement = element('select');
    for (const value of ATTENTION_PLACEMENTS) placement.add(new Option(value, value, false, (firstOptions.placement ?? 'residual') === value));
    const placementField = labelled('placement', 'Placement', placement);
    placementField.dataset.path = 'models';

    const attentionSet = element('fieldset', {}, element('legend', { textContent: 'Attention modules' }));
    attentionSet.dataset.path = 'attention';
    const noneBox = element('input', { type: 'checkbox', id: 'attention-none', checked: (attention as unknown[]).includes('none'), value: 'none' });
    attentionSet.append(element('span', { className: 'check' }, noneBox, element('label', { htmlFor: noneBox.id, textContent: 'none (the plain network)' })));
    const moduleControls = new Map<string, { box: HTMLInputElement; controls: Map<string, OptionControl> }>();
    for (const definition of listAttention()) {
      const spec = attention.find((a) => specId(a) === definition.id);
      const box = element('input', { type: 'checkbox', id: `attention-${definition.id}`, checked: spec !== undefined, value: definition.id });
      const options = typeof spec === 'object' ? spec : {};
      const controls = new Map<string, OptionControl>();
      const details = element('details', { className: 'module' }, element('summary', {}, `${definition.id} options`));
      for (const [key, descriptor] of Object.entries(definition.options)) {
        const control = optionControl(definition.id, key, descriptor, (options as Record<string, unknown>)[key], () => fromForm(readAttention));
        controls.set(key, control);
        details.append(control.element);
      }
      moduleControls.set(definition.id, { box, controls });
      attentionSet.append(
        element('div', { className: 'module-row' }, element('span', { className: 'check' }, box, element('label', { htmlFor: box.id, textContent: definition.id })), element('small', { textContent: getAttention(definition.id).description }), details),
      );
    }
    const readAttention = (): Partial<PlaygroundConfig> => ({
      attention: [
        ...(noneBox.checked ? ['none'] : []),
        ...[...moduleControls].filter(([, m]) => m.box.checked).map(([id, m]) => specFromControls(id, m.controls)),
        // Specs the form does not show (a second variant of one module) stay as written.
        ...attention.filter((a, i) => specId(a) !== 'none' && attention.findIndex((b) => specId(b) === specId(a)) !== i),
      ],
    });
    noneBox.addEventListener('change', () => fromForm(readAttention));
    for (const { box } of moduleControls.values()) box.addEventListener('change', () => fromForm(readAttention));

    const readModels = (): Partial<PlaygroundConfig> => {
      const chosen = [...backboneSet.querySelectorAll<HTMLInputElement>('input:checked')].map((b) => b.value);
      const { placement: _previous, ...rest } = firstOptions;
      const options = placement.value === 'residual' ? rest : { ...rest, placement: placement.value };
      return { models: chosen.map((backbone) => (Object.keys(options).length ? { backbone, options } : backbone)) };
    };
    backboneSet.addEventListener('change', () => fromForm(readModels));
    placement.addEventListener('change', () => fromForm(readModels));

    const backendSet = element('fieldset', {}, element('legend', { textContent: 'Backends' }));
    backendSet.dataset.path = 'backends';
    const chosenBackends = Array.isArray(config.backends) ? config.backends : [];
    for (const name of browserBackendNames) {
      const reason = availability.get(name);
      const box = element('input', { type: 'checkbox', id: `backend-${name}`, checked: chosenBackends.includes(name), value: name, disabled: reason !== undefined && !chosenBackends.includes(name) });
      const row = element('span', { className: 'check' }, box, element('label', { htmlFor: box.id, textContent: name }));
      if (reason !== undefined) {
        box.setAttribute('aria-describedby', `${box.id}-reason`);
        row.append(element('small', { id: `${box.id}-reason`, className: 'unavailable', textContent: availability.has(name) ? `not available: ${reason}` : 'checking…' }));
      }
      backendSet.append(row);
    }
    backendSet.addEventListener('change', () => fromForm(() => ({ backends: [...backendSet.querySelectorAll<HTMLInputElement>('input:checked')].map((b) => b.value as BrowserBackendName) })));

    const numberField = (id: string, text: string, path: string, value: unknown, write: (n: number) => Partial<PlaygroundConfig>) => {
      const input = element('input', { type: 'number', value: value === undefined ? '' : String(value), step: '1', min: '1' });
      input.addEventListener('change', () => fromForm(() => write(Number(input.value))));
      const field = labelled(id, text, input);
      field.dataset.path = path;
      return field;
    };
    const numbers = element(
      'div',
      { className: 'row' },
      numberField('input-size', 'Input size (px)', 'inputSizes', config.inputSizes?.[0] ?? 224, (n) => ({ inputSizes: [n] })),
      numberField('timed-runs', 'Timed runs per cell', 'measure', config.measure?.iterations, (n) => ({ measure: { ...config.measure, iterations: n, secondsPerCell: undefined } })),
      numberField('threads', 'Threads', 'threads', config.threads ?? 2, (n) => ({ threads: n })),
      numberField('seed', 'Seed', 'seed', config.seed ?? 0, (n) => ({ seed: n })),
    );
    form.replaceChildren(backboneSet, placementField, attentionSet, backendSet, numbers);
    validateAndShowIssuesOnly();
  }

  function validateAndShowIssuesOnly() {
    const result = validatePlaygroundConfig(config);
    showIssues(result.ok ? [] : result.issues);
  }

  json.value = JSON.stringify(config, null, 2);
  if (fromLink.error) showIssues([{ path: '(link)', message: fromLink.error }]);
  validateAndShow();
  renderForm();

  return {
    current: () => valid,
    raw: () => config,
    setAvailability(reasons) {
      availability = new Map(reasons);
      renderForm();
    },
  };
}
