/**
 * A minimal editor for OBS's INI files (global.ini, user.ini): it changes the keys it is asked
 * to and keeps every other line, comment, order and line ending as it was, because OBS and
 * its plugins keep state there that Framewright must not disturb.
 */
export class IniDocument {
  readonly #lines: string[];
  readonly #eol: string;

  private constructor(lines: string[], eol: string) {
    this.#lines = lines;
    this.#eol = eol;
  }

  /** Parses INI text (an empty string is an empty document). A UTF-8 byte-order mark is kept out of section names. */
  static parse(text: string): IniDocument {
    const eol = text.includes('\r\n') ? '\r\n' : '\n';
    const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
    const lines = body.split(/\r?\n/);
    if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    return new IniDocument(lines, eol);
  }

  /** The value of `key` in `[section]`, or undefined. */
  get(section: string, key: string): string | undefined {
    const at = this.#find(section, key);
    if (at === undefined) return undefined;
    const line = this.#lines[at] as string;
    return line.slice(line.indexOf('=') + 1);
  }

  /** Sets `key` in `[section]`, adding the key (and the section) when missing. */
  set(section: string, key: string, value: string): void {
    if (/[\r\n]/.test(value)) throw new Error(`INI value of ${section}/${key} cannot span lines`);
    const at = this.#find(section, key);
    if (at !== undefined) {
      this.#lines[at] = `${key}=${value}`;
      return;
    }
    const range = this.#section(section);
    if (range === undefined) {
      if (this.#lines.length > 0 && this.#lines[this.#lines.length - 1]?.trim() !== '') this.#lines.push('');
      this.#lines.push(`[${section}]`, `${key}=${value}`);
      return;
    }
    // After the section's last non-blank line, so a blank separator line stays a separator.
    let insertAt = range.end;
    while (insertAt > range.start + 1 && (this.#lines[insertAt - 1] ?? '').trim() === '') insertAt--;
    this.#lines.splice(insertAt, 0, `${key}=${value}`);
  }

  /** The document as text, with the line ending it was read with. */
  toString(): string {
    return this.#lines.length === 0 ? '' : this.#lines.join(this.#eol) + this.#eol;
  }

  /** Lines `[start, end)` of a section: its header and its body. */
  #section(section: string): { start: number; end: number } | undefined {
    const start = this.#lines.findIndex((l) => l.trim() === `[${section}]`);
    if (start < 0) return undefined;
    let end = start + 1;
    while (end < this.#lines.length && !/^\s*\[.*\]\s*$/.test(this.#lines[end] as string)) end++;
    return { start, end };
  }

  #find(section: string, key: string): number | undefined {
    const range = this.#section(section);
    if (!range) return undefined;
    for (let i = range.start + 1; i < range.end; i++) {
      const line = this.#lines[i] as string;
      const eq = line.indexOf('=');
      if (eq > 0 && line.slice(0, eq).trim() === key) return i;
    }
    return undefined;
  }
}
