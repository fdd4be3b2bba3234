import { appendAll } from './view.js';

/**
 * Operation forms generated from the protocol's param schemas (plain JSON Schema as TypeBox
 * emits it): strings, numbers, booleans, enums and arrays of enums become fields; nested objects
 * and unions of objects are left to the "more params (JSON)" box.
 */

/** One generated form field. */
export interface FieldSpec {
  /** Param name. */
  name: string;
  /** How it is edited. */
  kind: 'text' | 'number' | 'integer' | 'boolean' | 'choice' | 'multi';
  /** The schema requires it. */
  required: boolean;
  /** Allowed values of a `choice` or `multi` field. */
  options?: string[];
  /** Lower bound of a number. */
  min?: number;
  /** Upper bound of a number. */
  max?: number;
  /** Help text from the schema. */
  description?: string;
}

type JsonSchema = {
  type?: string;
  const?: unknown;
  anyOf?: JsonSchema[];
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  minimum?: number;
  maximum?: number;
  description?: string;
};

function literals(schema: JsonSchema | undefined): string[] | undefined {
  const branches = schema?.anyOf;
  if (branches === undefined || !branches.every((b) => typeof b.const === 'string')) return undefined;
  return branches.map((b) => b.const as string);
}

/** The fields a form shows for an operation's params schema, in schema order. */
export function fieldsOf(paramsSchema: unknown): FieldSpec[] {
  const schema = paramsSchema as JsonSchema;
  const required = new Set(schema.required ?? []);
  const fields: FieldSpec[] = [];
  for (const [name, prop] of Object.entries(schema.properties ?? {})) {
    const base = { name, required: required.has(name), ...(prop.description === undefined ? {} : { description: prop.description }) };
    const bounds = { ...(prop.minimum === undefined ? {} : { min: prop.minimum }), ...(prop.maximum === undefined ? {} : { max: prop.maximum }) };
    const choice = literals(prop);
    const multi = prop.type === 'array' ? literals(prop.items) : undefined;
    if (choice !== undefined) fields.push({ ...base, kind: 'choice', options: choice });
    else if (multi !== undefined) fields.push({ ...base, kind: 'multi', options: multi });
    else if (prop.type === 'string') fields.push({ ...base, kind: 'text' });
    else if (prop.type === 'integer' || prop.type === 'number') fields.push({ ...base, kind: prop.type, ...bounds });
    else if (prop.type === 'boolean') fields.push({ ...base, kind: 'boolean' });
  }
  return fields;
}

/** A rendered form: reads the params the user set (empty fields are left to the server's defaults). */
export interface RenderedForm {
  /** The params set in the form, merged with the JSON box. @throws Error when the JSON box is not a JSON object */
  read(): Record<string, unknown>;
  /** Fills a text field (used for the selected clip's media). */
  set(name: string, value: string): void;
}

const DEFAULT = '';

/**
 * Renders the fields of `paramsSchema` into `container`.
 * @param idPrefix - prefix of element ids, e.g. `fw-clip-cut`
 */
export function renderForm(doc: Document, container: HTMLElement, paramsSchema: unknown, idPrefix: string): RenderedForm {
  const fields = fieldsOf(paramsSchema);
  const readers: (() => [string, unknown] | undefined)[] = [];
  const texts = new Map<string, HTMLInputElement>();
  for (const field of fields) {
    const row = doc.createElement('div');
    row.className = 'fw-field';
    const label = doc.createElement('label');
    const id = `${idPrefix}-${field.name}`;
    label.htmlFor = id;
    label.textContent = `${field.name}${field.required ? ' *' : ''}`;
    if (field.description !== undefined) label.title = field.description;
    row.appendChild(label);
    if (field.kind === 'multi') {
      const boxes = (field.options ?? []).map((option) => {
        const wrap = doc.createElement('label');
        wrap.className = 'fw-check';
        const box = doc.createElement('input');
        box.type = 'checkbox';
        box.id = `${id}-${option}`;
        box.value = option;
        appendAll(wrap, box, option);
        row.appendChild(wrap);
        return box;
      });
      readers.push(() => {
        const picked = boxes.filter((b) => b.checked).map((b) => b.value);
        return picked.length === 0 ? undefined : [field.name, picked];
      });
    } else if (field.kind === 'choice' || field.kind === 'boolean') {
      const select = doc.createElement('select');
      select.id = id;
      const options = field.kind === 'boolean' ? ['true', 'false'] : (field.options ?? []);
      for (const value of [DEFAULT, ...options]) {
        const option = doc.createElement('option');
        option.value = value;
        option.textContent = value === DEFAULT ? '(default)' : value;
        select.appendChild(option);
      }
      row.appendChild(select);
      readers.push(() => (select.value === DEFAULT ? undefined : [field.name, field.kind === 'boolean' ? select.value === 'true' : select.value]));
    } else {
      const input = doc.createElement('input');
      input.id = id;
      input.type = field.kind === 'text' ? 'text' : 'number';
      if (field.min !== undefined) input.min = String(field.min);
      if (field.max !== undefined) input.max = String(field.max);
      if (field.kind === 'text') texts.set(field.name, input);
      row.appendChild(input);
      readers.push(() => {
        const raw = input.value.trim();
        if (raw === '') return undefined;
        return [field.name, field.kind === 'text' ? raw : Number(raw)];
      });
    }
    container.appendChild(row);
  }
  const extraRow = doc.createElement('div');
  extraRow.className = 'fw-field';
  const extraLabel = doc.createElement('label');
  extraLabel.htmlFor = `${idPrefix}-extra`;
  extraLabel.textContent = 'more params (JSON)';
  const extra = doc.createElement('textarea');
  extra.id = `${idPrefix}-extra`;
  extra.rows = 2;
  extra.placeholder = '{"thresholds": {"content": 30}}';
  appendAll(extraRow, extraLabel, extra);
  container.appendChild(extraRow);

  return {
    read() {
      const params: Record<string, unknown> = {};
      const text = extra.value.trim();
      if (text !== '') {
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch (error) {
          throw new Error(`"more params" is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
        }
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('"more params" must be a JSON object');
        Object.assign(params, parsed);
      }
      for (const reader of readers) {
        const entry = reader();
        if (entry !== undefined) params[entry[0]] = entry[1];
      }
      return params;
    },
    set(name, value) {
      const input = texts.get(name);
      if (input !== undefined) input.value = value;
    },
  };
}
