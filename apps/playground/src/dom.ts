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
