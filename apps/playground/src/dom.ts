/** The few DOM helpers the page's views share. */

export function element<K extends keyof HTMLElementTagNameMap>(tag: K, props: Record<string, unknown> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  Object.assign(node, props);
  node.append(...children);
  return node;
}

/** A control with its visible label (every control of the page has one). */
export function labelled(id: string, text: string, control: HTMLElement): HTMLElement {
  control.id = id;
  return element('div', { className: 'field' }, element('label', { htmlFor: id, textContent: text }), control);
}

/** A table in a sideways-scrolling box, so a phone screen never scrolls the page sideways. */
export function table(caption: string, headers: readonly string[], rows: readonly string[][], className = ''): HTMLElement {
  const box = element(
    'div',
    { className: 'table-scroll', tabIndex: 0 },
    element(
      'table',
      { className },
      element('caption', { textContent: caption }),
      element('thead', {}, element('tr', {}, ...headers.map((h) => element('th', { scope: 'col', textContent: h })))),
      element('tbody', {}, ...rows.map((r) => element('tr', {}, ...r.map((v) => element('td', { textContent: v }))))),
    ),
  );
  box.setAttribute('role', 'region');
  box.setAttribute('aria-label', caption);
  return box;
}

/** A typed error as the page shows it: its code, then its message. */
export function describeError(error: unknown): string {
  const code = (error as { code?: string }).code;
  return `${code ? `${code}: ` : ''}${(error as Error).message ?? String(error)}`;
}

/** Calls `onFiles` with what is dropped on `zone`, highlighting the zone while files hover over it. */
export function acceptDrops(zone: HTMLElement, onFiles: (files: File[]) => void): void {
  zone.addEventListener('dragover', (event) => {
    event.preventDefault();
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    zone.classList.remove('over');
    onFiles([...(event.dataTransfer?.files ?? [])]);
  });
}

/**
 * Runs `task` with `document.body.dataset[key]` set to working, then done or failed (what scripts
 * and tests wait for); a failure clears `status` and shows the typed error in `output`.
 */
export function runMarked(key: string, status: HTMLElement, output: HTMLElement, task: () => Promise<void>): void {
  document.body.dataset[key] = 'working';
  task().then(
    () => {
      document.body.dataset[key] = 'done';
    },
    (error: unknown) => {
      status.textContent = '';
      output.append(element('p', { className: 'error', role: 'alert', textContent: describeError(error) }));
      document.body.dataset[key] = 'failed';
    },
  );
}
