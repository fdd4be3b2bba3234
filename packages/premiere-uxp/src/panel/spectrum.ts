/**
 * UXP's Spectrum widgets (`sp-*` elements, built into UXP 7+ for Premiere Pro), made with the DOM
 * calls UXP implements. Values are read and written through the widgets' properties (`value`,
 * `checked`) as UXP documents them; `disabled` is set as an attribute, which every sp-* honours.
 */
import { appendAll, el } from './view.js';

/** A Spectrum element: any `sp-*` tag, with the properties the panel uses. */
export type SpElement = HTMLElement & { value?: string; checked?: boolean };

/** Makes an `sp-*` element with attributes and children. */
export function sp(doc: Document, tag: `sp-${string}`, attrs: Record<string, string> = {}, ...children: (Node | string)[]): SpElement {
  const node = doc.createElement(tag) as SpElement;
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  appendAll(node, ...children);
  return node;
}

/** Enables or disables a widget (attribute, and aria-disabled for assistive tools). */
export function setDisabled(node: HTMLElement, disabled: boolean): void {
  if (disabled) {
    node.setAttribute('disabled', '');
    node.setAttribute('aria-disabled', 'true');
  } else {
    node.removeAttribute('disabled');
    node.removeAttribute('aria-disabled');
  }
}

/** True when the widget carries `disabled`. */
export function isDisabled(node: HTMLElement): boolean {
  return node.hasAttribute('disabled');
}

/** A labelled field: `sp-field-label` above the widget. */
export function field(doc: Document, id: string, label: string, widget: HTMLElement): HTMLElement {
  return el(doc, 'div', { class: 'fw-field' }, sp(doc, 'sp-field-label', { for: id }, label), widget);
}

/** An `sp-textfield` (or `sp-textarea` when `multiline`). */
export function textfield(doc: Document, id: string, attrs: Record<string, string> = {}, multiline = false): SpElement {
  return sp(doc, multiline ? 'sp-textarea' : 'sp-textfield', { id, ...attrs });
}

/** An `sp-picker` whose menu holds `[value, label]` items, the first selected. */
export function picker(doc: Document, id: string, label: string, items: readonly (readonly [string, string])[]): SpElement {
  const node = sp(doc, 'sp-picker', { id, label });
  setPickerItems(doc, node, items);
  return node;
}

/** Replaces a picker's items; the first becomes the selected one. */
export function setPickerItems(doc: Document, node: SpElement, items: readonly (readonly [string, string])[]): void {
  while (node.firstChild !== null) node.removeChild(node.firstChild);
  const menu = sp(doc, 'sp-menu', { slot: 'options' });
  items.forEach(([value, text], i) => menu.appendChild(sp(doc, 'sp-menu-item', i === 0 ? { value, selected: '' } : { value }, text)));
  node.appendChild(menu);
  if (items[0] !== undefined) node.value = items[0][0];
}

/**
 * The value of a text field, or of a picker: its `value`, else the `value` attribute of the menu
 * item at its `selectedIndex` (what UXP's documentation reads on `change`), else of the item
 * marked `selected`.
 */
export function valueOf(node: SpElement): string {
  if (node.localName !== 'sp-picker') return typeof node.value === 'string' ? node.value : '';
  if (typeof node.value === 'string' && node.value !== '') return node.value;
  const items = Array.from(node.querySelectorAll('sp-menu-item'));
  const index = (node as { selectedIndex?: unknown }).selectedIndex;
  const item = (typeof index === 'number' && index >= 0 ? items[index] : undefined) ?? items.find((i) => i.hasAttribute('selected')) ?? items[0];
  return item?.getAttribute('value') ?? '';
}

/** An `sp-checkbox`. */
export function checkbox(doc: Document, id: string, text: string, checked: boolean): SpElement {
  const node = sp(doc, 'sp-checkbox', checked ? { id, checked: '' } : { id }, text);
  node.checked = checked;
  return node;
}

/** An `sp-button` (`cta` for the view's main action). */
export function button(doc: Document, id: string, text: string, variant: 'cta' | 'primary' | 'secondary' = 'primary'): SpElement {
  return sp(doc, 'sp-button', { id, variant }, text);
}
