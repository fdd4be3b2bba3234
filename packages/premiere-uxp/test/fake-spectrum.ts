// Stand-ins for UXP's built-in Spectrum widgets (sp-*), for the panel in Chromium, where they do
// not exist. Each keeps the interface the panel uses, as UXP documents it: `value` on
// sp-textfield, sp-textarea and sp-picker (the selected sp-menu-item's value), `checked` on
// sp-checkbox (toggled by a click), `disabled` as an attribute that stops clicks, sp-progressbar's
// `value` of `max`. Inner native controls let the tests type and choose as a user would
// (`#id input`, `#id select`), and a small stylesheet draws them in Spectrum's dark theme for the
// guide's screenshots.

const STYLE = `
sp-heading { display: block; font-weight: 700; font-size: 14px; margin: 6px 0 2px; color: #fff; }
sp-heading[size='XS'] { font-size: 13px; }
sp-body { display: block; line-height: 1.4; }
sp-detail { display: block; font-size: 11px; color: #b0b0b0; letter-spacing: .03em; }
sp-field-label { display: block; font-size: 11px; color: #b0b0b0; margin-bottom: 3px; }
sp-divider { display: block; height: 1px; background: #3a3a3a; margin: 12px 0 6px; }
sp-button { display: inline-block; padding: 4px 14px; border-radius: 14px; border: 2px solid #b0b0b0; color: #fff; font-weight: 700; cursor: default; user-select: none; }
sp-button[variant='cta'] { background: #1473e6; border-color: #1473e6; }
sp-button[variant='secondary'] { border-color: #6e6e6e; color: #d0d0d0; font-weight: 600; }
sp-button[disabled] { background: #3a3a3a; border-color: #3a3a3a; color: #707070; }
sp-action-button { display: inline-block; padding: 5px 9px; color: #b0b0b0; border-bottom: 2px solid transparent; }
sp-action-button[selected] { color: #fff; border-bottom-color: #fff; }
sp-textfield input, sp-textarea textarea, sp-picker select { width: 100%; box-sizing: border-box; background: #1b1b1b; color: #e0e0e0; border: 1px solid #4a4a4a; border-radius: 4px; padding: 5px 7px; font: inherit; }
sp-textarea textarea { min-height: 54px; resize: vertical; }
sp-menu { display: none; }
sp-checkbox { display: flex; align-items: center; gap: 6px; }
sp-checkbox::before { content: ''; width: 12px; height: 12px; border: 2px solid #b0b0b0; border-radius: 2px; }
sp-checkbox[checked]::before { background: #1473e6; border-color: #1473e6; }
sp-progressbar { display: block; height: 4px; background: #3a3a3a; border-radius: 2px; overflow: hidden; margin: 6px 0; }
sp-progressbar > div { height: 100%; background: #1473e6; width: 0; }
`;

class SpText extends HTMLElement {
  #input: HTMLInputElement | HTMLTextAreaElement | undefined;
  #pending = '';
  connectedCallback(): void {
    if (this.#input) return;
    const input = this.localName === 'sp-textarea' ? document.createElement('textarea') : document.createElement('input');
    if (input instanceof HTMLInputElement) input.type = this.getAttribute('type') ?? 'text';
    input.placeholder = this.getAttribute('placeholder') ?? '';
    input.value = this.#pending;
    this.#input = input;
    this.appendChild(input);
  }
  get value(): string {
    return this.#input?.value ?? this.#pending;
  }
  set value(v: string) {
    this.#pending = String(v);
    if (this.#input) this.#input.value = this.#pending;
  }
}

class SpPicker extends HTMLElement {
  #select = document.createElement('select');
  #value = '';
  connectedCallback(): void {
    if (this.#select.parentNode !== this) this.appendChild(this.#select);
    this.#select.onchange = () => {
      this.#value = this.#select.value;
      this.dispatchEvent(new Event('change', { bubbles: true }));
    };
    new MutationObserver(() => this.#rebuild()).observe(this, { childList: true, subtree: true });
    this.#rebuild();
  }
  #rebuild(): void {
    const items = Array.from(this.querySelectorAll('sp-menu-item'));
    const options = items.map((item) => [item.getAttribute('value') ?? '', item.textContent ?? ''] as const);
    const current = Array.from(this.#select.options).map((o) => [o.value, o.text] as const);
    if (JSON.stringify(options) !== JSON.stringify(current)) {
      while (this.#select.firstChild) this.#select.removeChild(this.#select.firstChild);
      for (const [value, text] of options) this.#select.appendChild(new Option(text, value));
    }
    if (this.#select.parentNode !== this) this.appendChild(this.#select);
    this.#select.value = this.#value;
  }
  get value(): string {
    return this.#value;
  }
  set value(v: string) {
    this.#value = String(v);
    this.#select.value = this.#value;
  }
}

class SpCheckbox extends HTMLElement {
  constructor() {
    super();
    this.addEventListener('click', () => {
      if (this.hasAttribute('disabled')) return;
      this.checked = !this.checked;
      this.dispatchEvent(new Event('change', { bubbles: true }));
    });
  }
  get checked(): boolean {
    return this.hasAttribute('checked');
  }
  set checked(v: boolean) {
    if (v) this.setAttribute('checked', '');
    else this.removeAttribute('checked');
  }
}

class SpButton extends HTMLElement {
  constructor() {
    super();
    // A disabled Spectrum button swallows clicks before any listener sees them.
    this.addEventListener('click', (e) => {
      if (this.hasAttribute('disabled')) e.stopImmediatePropagation();
    }, { capture: true });
  }
}

class SpProgressbar extends HTMLElement {
  static observedAttributes = ['value', 'max'];
  #fill = document.createElement('div');
  connectedCallback(): void {
    if (this.#fill.parentNode !== this) this.appendChild(this.#fill);
    this.attributeChangedCallback();
  }
  attributeChangedCallback(): void {
    const max = Number(this.getAttribute('max') ?? 100) || 100;
    this.#fill.style.width = `${Math.min(100, (100 * Number(this.getAttribute('value') ?? 0)) / max)}%`;
  }
}

/** Defines the stand-ins and their stylesheet; call before the panel renders. */
export function defineFakeSpectrum(): void {
  customElements.define('sp-textfield', class extends SpText {});
  customElements.define('sp-textarea', class extends SpText {});
  customElements.define('sp-picker', SpPicker);
  customElements.define('sp-checkbox', SpCheckbox);
  customElements.define('sp-button', SpButton);
  customElements.define('sp-action-button', class extends SpButton {});
  customElements.define('sp-progressbar', SpProgressbar);
  const style = document.createElement('style');
  style.textContent = STYLE;
  // Init scripts run before the document has an element to hold the stylesheet.
  if (document.head) document.head.appendChild(style);
  else document.addEventListener('DOMContentLoaded', () => document.head.appendChild(style));
}
