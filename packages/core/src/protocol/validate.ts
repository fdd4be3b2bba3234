import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import type { TSchema, Static } from '@sinclair/typebox';
import { FramewrightError, type ErrorCode } from './errors.js';

const ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false, allowUnionTypes: true });
const compiled = new WeakMap<TSchema, ValidateFunction>();

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

function pointerOf(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  if (e.keyword === 'required') return `${e.instancePath}/${String(p['missingProperty'])}`;
  if (e.keyword === 'additionalProperties') return `${e.instancePath}/${String(p['additionalProperty'])}`;
  return e.instancePath;
}

function describe(errors: ErrorObject[]): SchemaProblem {
  // The deepest problem is the most specific; branch errors of a union are folded into one line.
  const ranked = [...errors].filter((e) => e.keyword !== 'anyOf' && e.keyword !== 'oneOf');
  const pool = ranked.length > 0 ? ranked : errors;
  const depth = (e: ErrorObject) => pointerOf(e).split('/').length;
  const deepest = Math.max(...pool.map(depth));
  const atDeepest = pool.filter((e) => depth(e) === deepest);
  const first = atDeepest[0]!;
  const pointer = pointerOf(first);
  const consts = atDeepest.filter((e) => e.keyword === 'const').map((e) => JSON.stringify((e.params as { allowedValue: unknown }).allowedValue));
  let message: string;
  if (first.keyword === 'additionalProperties') message = 'is not a known field';
  else if (first.keyword === 'required') message = 'is required';
  else if (consts.length > 1) message = `must be one of ${consts.join(', ')}`;
  else message = first.message ?? 'is invalid';
  return { pointer, message };
}

/**
 * Checks `value` against `schema` and returns the first problem, or `undefined` when it is valid.
 */
export function findSchemaProblem(schema: TSchema, value: unknown): SchemaProblem | undefined {
  const fn = compile(schema);
  if (fn(value)) return undefined;
  return describe(fn.errors ?? []);
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
