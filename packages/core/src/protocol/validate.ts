import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import type { TSchema, Static } from '@sinclair/typebox';
import { FramewrightError, type ErrorCode } from './errors.js';

// No allErrors: ajv stops at the first failing keyword, so the work and the error list are
// bounded by the schema, not by the value (300,000 bad array items cost one error, not 300,000).
// Only the branches of a union are all tried; `explain` picks the one the value meant.
const ajv = new Ajv2020({ allErrors: false, strict: true, strictTypes: false, allowUnionTypes: true });
const compiled = new WeakMap<TSchema, ValidateFunction>();

/** Longest piece of the value (a field name, a constant) quoted in a message. */
const MAX_QUOTED = 64;
/** Most constants listed in a "must be one of" message. */
const MAX_LISTED = 24;
/** Longest pointer reported. */
const MAX_POINTER = 256;

function compile(schema: TSchema): ValidateFunction {
  const cached = compiled.get(schema);
  if (cached !== undefined) return cached;
  const fn = ajv.compile(schema);
  compiled.set(schema, fn);
  return fn;
}

/** The first problem found in a value, as a JSON pointer and a one-line message. */
export interface SchemaProblem {
  /** JSON pointer of the offending field ('' for the whole value). */
  pointer: string;
  /** What is wrong with it. */
  message: string;
}

/** `text` cut to `max` UTF-16 units (never inside a surrogate pair), with `…` when cut. */
export function clipText(text: string, max = MAX_QUOTED): string {
  if (text.length <= max) return text;
  const end = /[\uD800-\uDBFF]/.test(text[max - 1]!) ? max - 1 : max;
  return `${text.slice(0, end)}…`;
}

/** A value quoted for a message: JSON, cut to `max` characters, so no input makes a message long. */
export function quoted(value: unknown, max = MAX_QUOTED): string {
  if (typeof value === 'string') return JSON.stringify(clipText(value, max));
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    json = undefined;
  }
  return clipText(json ?? String(value), max);
}

const tokenOf = (key: string): string => clipText(key).replaceAll('~', '~0').replaceAll('/', '~1');
const unescape = (token: string): string => token.replaceAll('~1', '/').replaceAll('~0', '~');

function pointerOf(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  if (e.keyword === 'required') return `${e.instancePath}/${tokenOf(String(p['missingProperty']))}`;
  if (e.keyword === 'additionalProperties') return `${e.instancePath}/${tokenOf(String(p['additionalProperty']))}`;
  return e.instancePath;
}

const depthOf = (pointer: string): number => pointer.split('/').length;

function oneOf(values: readonly unknown[]): string {
  const unique = [...new Set(values.map((v) => quoted(v)))];
  const listed = unique.slice(0, MAX_LISTED).join(', ');
  return `must be one of ${listed}${unique.length > MAX_LISTED ? ', …' : ''}`;
}

/** The problem one ajv error states by itself. */
function plain(e: ErrorObject): SchemaProblem {
  const pointer = pointerOf(e);
  const p = e.params as Record<string, unknown>;
  if (e.keyword === 'additionalProperties') return { pointer, message: 'is not a known field' };
  if (e.keyword === 'required') return { pointer, message: 'is required' };
  if (e.keyword === 'const') return { pointer, message: `must be ${quoted(p['allowedValue'])}` };
  if (e.keyword === 'enum' && Array.isArray(p['allowedValues'])) return { pointer, message: oneOf(p['allowedValues']) };
  if (e.keyword === 'anyOf' || e.keyword === 'oneOf') return { pointer, message: 'matches none of the allowed forms' };
  return { pointer, message: e.message ?? 'is invalid' };
}

type Node = Record<string, unknown>;
const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The schema node at an ajv `schemaPath` (`#/properties/audio/anyOf`), or undefined. */
function schemaAt(root: unknown, schemaPath: string): unknown {
  let node: unknown = root;
  for (const raw of schemaPath.replace(/^#\/?/, '').split('/')) {
    if (raw === '') continue;
    const key = unescape(decodeURIComponent(raw));
    node = Array.isArray(node) ? node[Number(key)] : isNode(node) ? node[key] : undefined;
    if (node === undefined) return undefined;
  }
  return node;
}

/** The part of `value` at an ajv `instancePath` (a JSON pointer). */
function valueAt(value: unknown, pointer: string): unknown {
  let node = value;
  for (const raw of pointer.split('/').slice(1)) {
    const key = unescape(raw);
    node = Array.isArray(node) ? node[Number(key)] : isNode(node) && Object.hasOwn(node, key) ? node[key] : undefined;
  }
  return node;
}

const constOf = (branch: unknown, key: string): unknown => ((branch as Node)['properties'] as Record<string, Node>)[key]!['const'];

/** The property every branch fixes to a constant of its own (`kind` of a tagged union), if any. */
function discriminatorOf(branches: readonly unknown[]): string | undefined {
  const first = branches[0];
  if (!isNode(first) || !isNode(first['properties'])) return undefined;
  return Object.keys(first['properties']).find(
    (key) =>
      branches.every((b) => isNode(b) && isNode(b['properties']) && isNode(b['properties'][key]) && 'const' in b['properties'][key]) &&
      new Set(branches.map((b) => constOf(b, key))).size === branches.length,
  );
}

/** The error that ended one branch of a union: the last one reported under its schema path. */
function branchEnd(errors: readonly ErrorObject[], unionPath: string, index: number): ErrorObject | undefined {
  const prefix = `${unionPath}/${index}/`;
  for (let i = errors.length - 1; i >= 0; i--) if (errors[i]!.schemaPath.startsWith(prefix)) return errors[i];
  return undefined;
}

/**
 * The problem behind `decisive`, the error that ended validation. A union failure is explained
 * by the branch the value meant: the literal it should be, the branch its tag names, or else the
 * branch that got furthest into the value.
 */
function explain(errors: readonly ErrorObject[], decisive: ErrorObject, schema: TSchema, value: unknown, depth = 0): SchemaProblem {
  if ((decisive.keyword !== 'anyOf' && decisive.keyword !== 'oneOf') || depth > 32) return plain(decisive);
  const at = decisive.instancePath;
  const unionPath = decisive.schemaPath;
  const branches = schemaAt(schema, unionPath);
  const count = Array.isArray(branches) ? branches.length : 0;
  if (Array.isArray(branches) && count > 0) {
    if (branches.every((b) => isNode(b) && 'const' in b)) return { pointer: at, message: oneOf(branches.map((b) => (b as Node)['const'])) };
    const key = discriminatorOf(branches);
    const data = valueAt(value, at);
    if (key !== undefined && isNode(data)) {
      const pointer = `${at}/${tokenOf(key)}`;
      if (!Object.hasOwn(data, key)) return { pointer, message: 'is required' };
      const match = branches.findIndex((b) => constOf(b, key) === data[key]);
      if (match < 0) return { pointer, message: oneOf(branches.map((b) => constOf(b, key))) };
      const end = branchEnd(errors, unionPath, match);
      if (end !== undefined) return explain(errors, end, schema, value, depth + 1);
    }
  }
  const ends: ErrorObject[] = [];
  for (let i = 0; i < count; i++) {
    const end = branchEnd(errors, unionPath, i);
    if (end !== undefined) ends.push(end);
  }
  if (ends.length === 0) return plain(decisive);
  if (ends.length > 1 && ends.every((e) => e.keyword === 'type' && e.instancePath === at)) {
    const types = [...new Set(ends.flatMap((e) => String((e.params as { type: unknown }).type).split(',')))];
    return { pointer: at, message: `must be ${types.join(' or ')}` };
  }
  let furthest = ends[0]!;
  for (const e of ends) if (depthOf(pointerOf(e)) > depthOf(pointerOf(furthest))) furthest = e;
  return explain(errors, furthest, schema, value, depth + 1);
}

/**
 * Checks `value` against `schema` and returns the first problem, or `undefined` when it is valid.
 * The work is bounded by the schema, not by the value, and the message by a few hundred
 * characters: pieces of the value quoted in it are cut short.
 */
export function findSchemaProblem(schema: TSchema, value: unknown): SchemaProblem | undefined {
  const fn = compile(schema);
  if (fn(value)) return undefined;
  const errors = fn.errors ?? [];
  const decisive = errors[errors.length - 1];
  if (decisive === undefined) return { pointer: '', message: 'is invalid' };
  const problem = explain(errors, decisive, schema, value);
  return { pointer: clipText(problem.pointer, MAX_POINTER), message: problem.message };
}

/**
 * Asserts that `value` matches `schema`, narrowing its type.
 *
 * @param what - names the value in the error message, e.g. `"clip-cut params"`
 * @param code - the error code to raise (default `INVALID_PARAMS`)
 * @throws FramewrightError with the JSON pointer of the offending field
 *
 * @example
 * ```ts
 * assertValid(ClipCutParamsSchema, params, 'clip-cut params');
 * ```
 */
export function assertValid<T extends TSchema>(schema: T, value: unknown, what: string, code: ErrorCode = 'INVALID_PARAMS'): asserts value is Static<T> {
  const problem = findSchemaProblem(schema, value);
  if (problem === undefined) return;
  const field = problem.pointer === '' ? what : `${what} ${problem.pointer}`;
  throw new FramewrightError(code, `${field} ${problem.message}`, { pointer: problem.pointer });
}
