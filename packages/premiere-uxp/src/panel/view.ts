/**
 * DOM helpers for the panel. Plain DOM that UXP and browsers both render: only the DOM calls
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
