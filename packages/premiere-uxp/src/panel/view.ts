/**
 * Builds the panel's elements. Plain DOM that UXP and browsers both render: only the DOM calls
 * UXP's document implements (createElement, appendChild, insertBefore, removeChild,
 * setAttribute, textContent, style), not the newer conveniences (append, replaceChildren).
 */

/** Appends children (strings become text nodes) with `appendChild`. */
export function appendAll(parent: Node, ...children: (Node | string)[]): void {
  const doc = parent.ownerDocument ?? (parent as Document);
  for (const child of children) parent.appendChild(typeof child === 'string' ? doc.createTextNode(child) : child);
}

/** Removes every child of `parent`. */
export function clear(parent: Node): void {
  while (parent.firstChild !== null) parent.removeChild(parent.firstChild);
}

/** Makes an element with attributes and children. */
export function el<K extends keyof HTMLElementTagNameMap>(
  doc: Document,
  tag: K,
  attrs: Record<string, string> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = doc.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  appendAll(node, ...children);
  return node;
}

/** The panel's fixed elements. */
export interface PanelView {
  url: HTMLInputElement;
  token: HTMLInputElement;
  connect: HTMLButtonElement;
  status: HTMLElement;
  tabs: HTMLElement;
  unavailable: HTMLElement;
  form: HTMLElement;
  hostOptions: HTMLElement;
  run: HTMLButtonElement;
  cancel: HTMLButtonElement;
  progress: HTMLElement;
  progressFill: HTMLElement;
  progressText: HTMLElement;
  message: HTMLElement;
  results: HTMLElement;
}

/** Renders the panel's skeleton into `root`. */
export function buildView(doc: Document, root: HTMLElement): PanelView {
  const url = el(doc, 'input', { id: 'fw-url', type: 'text', spellcheck: 'false' });
  const token = el(doc, 'input', { id: 'fw-token', type: 'password', placeholder: 'token from the server token file' });
  const connect = el(doc, 'button', { id: 'fw-connect', type: 'button' }, 'Connect');
  const status = el(doc, 'div', { id: 'fw-status', 'data-state': 'disconnected' }, 'Not connected');
  const tabs = el(doc, 'div', { id: 'fw-tabs', class: 'fw-tabs' });
  const unavailable = el(doc, 'div', { id: 'fw-unavailable', class: 'fw-note' });
  const form = el(doc, 'div', { id: 'fw-form' });
  const hostOptions = el(doc, 'div', { id: 'fw-host-options' });
  const run = el(doc, 'button', { id: 'fw-run', type: 'button', disabled: '' }, 'Run');
  const cancel = el(doc, 'button', { id: 'fw-cancel', type: 'button', disabled: '' }, 'Cancel');
  const progressFill = el(doc, 'div', { class: 'fw-progress-fill' });
  const progress = el(doc, 'div', { id: 'fw-progress', class: 'fw-progress' }, progressFill);
  const progressText = el(doc, 'div', { id: 'fw-progress-text', class: 'fw-note' });
  const message = el(doc, 'div', { id: 'fw-message', 'data-kind': 'info' });
  const results = el(doc, 'ul', { id: 'fw-results' });
  appendAll(
    root,
    el(doc, 'h1', {}, 'Framewright'),
    el(doc, 'section', { class: 'fw-connection' },
      el(doc, 'label', { for: 'fw-url' }, 'Server'), url,
      el(doc, 'label', { for: 'fw-token' }, 'Token'), token,
      connect, status),
    tabs,
    unavailable,
    el(doc, 'section', { class: 'fw-op' }, form, hostOptions, el(doc, 'div', { class: 'fw-actions' }, run, cancel), progress, progressText),
    message,
    el(doc, 'h2', {}, 'Results'),
    results,
  );
  return { url, token, connect, status, tabs, unavailable, form, hostOptions, run, cancel, progress, progressFill, progressText, message, results };
}

/** A labelled checkbox. */
export function checkbox(doc: Document, id: string, text: string, checked: boolean): { row: HTMLElement; box: HTMLInputElement } {
  const box = el(doc, 'input', { id, type: 'checkbox' });
  box.checked = checked;
  return { row: el(doc, 'label', { class: 'fw-check', for: id }, box, text), box };
}

/** A labelled select. */
export function picker(doc: Document, id: string, text: string, options: [string, string][]): { row: HTMLElement; select: HTMLSelectElement } {
  const select = el(doc, 'select', { id });
  for (const [value, label] of options) select.appendChild(el(doc, 'option', { value }, label));
  return { row: el(doc, 'div', { class: 'fw-field' }, el(doc, 'label', { for: id }, text), select), select };
}
