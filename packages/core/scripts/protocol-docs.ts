// Renders docs/protocol.md from the published JSON Schemas and the error codes, so the protocol
// reference cannot drift from the contract: `npm run docs:protocol` writes it and
// test/docs-protocol.test.ts fails when the committed file differs from what this renders.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_CODES, ERROR_STATUS, LATEST_PROTOCOL_VERSION, OPERATIONS, OPERATION_NAMES, PROTOCOL_VERSIONS, publishedSchemas, type ErrorCode, type OperationName } from '../src/protocol/index.js';
import { RPC_ERROR_CODES } from '../src/protocol/messages.js';

/** A JSON Schema node as the published files contain it (TypeBox output, no `$ref`). */
interface SchemaNode {
  type?: string;
  const?: unknown;
  anyOf?: SchemaNode[];
  items?: SchemaNode;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  description?: string;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
}

/** What each code means to a host. A `Record` over every code: adding a code fails the typecheck here until it is described. */
const ERROR_MEANINGS: Readonly<Record<ErrorCode, string>> = {
  INVALID_REQUEST: 'The message is not a valid request envelope (JSON-RPC framing or HTTP body).',
  INVALID_PARAMS: 'A param is missing, has the wrong type, is out of range or is unknown; `pointer` names it.',
  UNSUPPORTED_VERSION: 'None of the protocol versions the client offered in `hello` is spoken by this server.',
  UNKNOWN_OPERATION: 'The operation name is not one the protocol declares.',
  OPERATION_UNAVAILABLE: 'The operation (or mode) is declared but cannot run on this installation; `hello` lists why.',
  INPUT_NOT_FOUND: 'An input path does not exist.',
  INPUT_UNREADABLE: 'An input path exists but cannot be read (permissions, a folder instead of a file).',
  UNSUPPORTED_MEDIA: 'An input is not media this build can decode (text file, truncated or empty file).',
  OUTPUT_NOT_ALLOWED: 'The output folder is outside the server\'s output root.',
  OUTPUT_FAILED: 'Writing an output file failed (disk full, permissions).',
  OUTPUT_EXISTS: 'An output file of the same name exists and `overwrite` was not asked; nothing was written. Pass `overwrite: true` or choose another name or folder.',
  JOB_NOT_FOUND: 'No job with that id (and none in the journal).',
  CANCELLED: 'The job was cancelled; its partial outputs were removed.',
  UNAUTHORIZED: 'Missing or wrong bearer token.',
  FORBIDDEN: 'The request came from an Origin or Host that is not allowed.',
  MODEL_NOT_FOUND: 'The named model or model pack is not installed.',
  MODEL_INVALID: 'A model pack is present but its manifest or weights are invalid.',
  CHECKPOINT_INVALID: 'A training checkpoint is missing files or does not match its configuration.',
  BACKEND_UNAVAILABLE: 'The requested ML backend or execution provider cannot be loaded here.',
  FFMPEG_NOT_FOUND: 'No ffmpeg/ffprobe was found (FFMPEG_PATH, PATH, or the bundled binaries).',
  FFMPEG_FAILED: 'ffmpeg exited with an error while decoding or encoding.',
  INTERRUPTED: 'The server stopped (crash, kill, power cut) before the job finished; on restart it removed the job\'s unfinished outputs. Submit it again.',
  INTERNAL: 'A bug in the engine; the server log has the details.',
};

/** Codes any job can end with, whatever the operation: validation, availability, output root and names, cancel, a server that stopped, bugs. */
const COMMON_JOB_CODES: readonly ErrorCode[] = ['INVALID_PARAMS', 'OPERATION_UNAVAILABLE', 'OUTPUT_NOT_ALLOWED', 'OUTPUT_EXISTS', 'CANCELLED', 'INTERRUPTED', 'INTERNAL'];
/** Codes of the layers an operation may import (media: ffmpeg; models: model packs), keyed by the folder under `src/`. */
const LAYER_CODES: Readonly<Record<string, readonly ErrorCode[]>> = {
  media: ['INPUT_NOT_FOUND', 'INPUT_UNREADABLE', 'UNSUPPORTED_MEDIA', 'FFMPEG_NOT_FOUND', 'FFMPEG_FAILED'],
  models: ['MODEL_NOT_FOUND', 'MODEL_INVALID'],
};

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** The codes an operation can fail with: the common ones, those of each layer it imports, and every code its own folder throws. */
export function operationErrorCodes(op: OperationName, coreSrc: string): ErrorCode[] {
  const codes = new Set<ErrorCode>(COMMON_JOB_CODES);
  for (const file of filesUnder(join(coreSrc, 'ops', op))) {
    const text = readFileSync(file, 'utf8');
    for (const [layer, layerCodes] of Object.entries(LAYER_CODES)) {
      if (new RegExp(`from '(\\.\\./)+${layer}/[^']*'`).test(text)) for (const c of layerCodes) codes.add(c);
    }
    for (const m of text.matchAll(/FramewrightError\(\s*'([A-Z_]+)'/g)) {
      if ((ERROR_CODES as readonly string[]).includes(m[1]!)) codes.add(m[1] as ErrorCode);
    }
  }
  return ERROR_CODES.filter((c) => codes.has(c));
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

function typeOf(s: SchemaNode): string {
  if (s.const !== undefined) return `\`${JSON.stringify(s.const)}\``;
  if (s.anyOf) return s.anyOf.map(typeOf).join(' \\| ');
  if (s.type === 'array') return `${s.items ? typeOf(s.items) : 'any'}[]`;
  if (s.type === 'object') return 'object';
  return s.type ?? 'any';
}

function constraints(s: SchemaNode): string {
  const parts: string[] = [];
  if (s.minimum !== undefined) parts.push(`≥ ${s.minimum}`);
  if (s.exclusiveMinimum !== undefined) parts.push(`> ${s.exclusiveMinimum}`);
  if (s.maximum !== undefined) parts.push(`≤ ${s.maximum}`);
  if (s.minLength !== undefined) parts.push(`length ≥ ${s.minLength}`);
  if (s.maxLength !== undefined) parts.push(`length ≤ ${s.maxLength}`);
  if (s.minItems !== undefined) parts.push(`items ≥ ${s.minItems}`);
  if (s.maxItems !== undefined) parts.push(`items ≤ ${s.maxItems}`);
  if (s.pattern !== undefined) parts.push(`pattern \`${s.pattern}\``);
  if (s.default !== undefined) parts.push(`default \`${JSON.stringify(s.default)}\``);
  return parts.join(', ');
}

/** One row per field, nested objects and arrays of objects flattened into dotted paths (`clips[].startFrame`). */
function rows(s: SchemaNode, prefix: string, out: string[]): string[] {
  const required = new Set(s.required ?? []);
  for (const [name, child] of Object.entries(s.properties ?? {})) {
    const path = `${prefix}${name}`;
    const notes = [child.description ?? '', constraints(child)].filter(Boolean).join(' — ');
    out.push(`| \`${path}\` | ${typeOf(child)} | ${required.has(name) ? 'yes' : ''} | ${cell(notes)} |`);
    if (child.type === 'object') rows(child, `${path}.`, out);
    if (child.type === 'array' && child.items?.type === 'object') rows(child.items, `${path}[].`, out);
    for (const alt of child.anyOf ?? []) if (alt.type === 'object') rows(alt, `${path}.`, out);
  }
  return out;
}

function table(schema: object): string {
  const lines = rows(schema as SchemaNode, '', []);
  if (lines.length === 0) return '_No fields._\n';
  return ['| Field | Type | Required | Notes |', '| --- | --- | --- | --- |', ...lines, ''].join('\n');
}

/** Renders the whole protocol reference as Markdown. */
export function renderProtocolDocs(coreSrc: string): string {
  const schemas = publishedSchemas();
  const get = (name: string): object => {
    const s = schemas[name];
    if (!s) throw new Error(`no published schema named ${name}`);
    return s;
  };
  const out: string[] = [
    '---',
    'title: Protocol reference',
    '---',
    '',
    '# Protocol reference',
    '',
    '<!-- GENERATED by packages/core/scripts/write-protocol-docs.ts from the published JSON Schemas: do not edit; run `npm run docs:protocol`. -->',
    '',
    `Protocol versions spoken: ${PROTOCOL_VERSIONS.map((v) => `\`${v}\``).join(', ')} (latest \`${LATEST_PROTOCOL_VERSION}\`).`,
    'Every schema below is JSON Schema draft 2020-12, published in `packages/core/schemas/<name>.schema.json`',
    'and served by a running server at `GET /v1/schemas`. Objects are closed: unknown fields are `INVALID_PARAMS`.',
    '',
    '## Transports',
    '',
    '- **WebSocket** `ws://127.0.0.1:7878/v1/ws`: JSON-RPC 2.0. Call `hello` first (the client offers versions, newest first),',
    '  then `job.submit`; progress arrives as `job.progress` notifications and state changes as `job.state`.',
    '- **HTTP** under `http://127.0.0.1:7878/v1`: `POST /jobs` (body: the `job.submit` params), `GET /jobs/:id`,',
    '  `GET /jobs/:id/events` (Server-Sent Events), `DELETE /jobs/:id` (cancel), `GET /schemas`, `GET /health`.',
    '- Every request carries `Authorization: Bearer <token>` (the token file is shown by `framewright doctor`).',
    '',
    '## Operations',
    '',
  ];
  for (const op of OPERATION_NAMES) {
    out.push(`### ${op}`, '', `${OPERATIONS[op].summary}.`, '');
    out.push('#### Params', '', table(get(`${op}.params`)));
    out.push('#### Result', '', table(get(`${op}.result`)));
    out.push('#### Progress', '', table(get(`${op}.progress`)));
    out.push('#### Error codes', '', operationErrorCodes(op, coreSrc).map((c) => `\`${c}\``).join(', '), '');
  }
  out.push('## Methods (WebSocket JSON-RPC)', '');
  const methods = Object.keys(schemas).filter((n) => n.startsWith('method.') && n.endsWith('.params')).map((n) => n.slice(7, -7));
  for (const method of methods) {
    out.push(`### ${method}`, '', '#### Params', '', table(get(`method.${method}.params`)), '#### Result', '', table(get(`method.${method}.result`)));
  }
  out.push('## Notifications', '');
  for (const name of Object.keys(schemas).filter((n) => n.startsWith('notification.'))) {
    out.push(`### ${name.slice(13)}`, '', table(get(name)));
  }
  out.push('## Job', '', 'The job object returned by `job.submit`, `job.get`, `job.cancel`, `GET /v1/jobs/:id` and sent in `job.state`.', '', table(get('job')));
  out.push('## Errors', '', 'A wire error is `{code, message, pointer?}`. Over JSON-RPC it travels in `error.data`, with the numeric', '`error.code` below; over HTTP it is the body `{"error": {...}}` with the status below.', '');
  out.push('| Code | HTTP | JSON-RPC | Meaning |', '| --- | --- | --- | --- |');
  for (const code of ERROR_CODES) out.push(`| \`${code}\` | ${ERROR_STATUS[code].http} | ${ERROR_STATUS[code].rpc} | ${cell(ERROR_MEANINGS[code])} |`);
  out.push('', `JSON-RPC framing errors use the standard codes: parse error ${RPC_ERROR_CODES.parseError}, method not found ${RPC_ERROR_CODES.methodNotFound}.`, '');
  return out.join('\n');
}
