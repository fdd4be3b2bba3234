import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  assertValid,
  cancelled,
  ClipCutParamsSchema,
  CodedError,
  ERROR_CODES,
  ERROR_STATUS,
  FramewrightError,
  negotiateVersion,
  publishedSchemas,
  PROTOCOL_VERSIONS,
  RpcResponseSchema,
  findSchemaProblem,
  JobSchema,
} from '../src/protocol/index.js';
import { RPC_ERROR_CODES } from '../src/protocol/messages.js';
import { SdkError } from '../src/client/errors.js';

const schemaDir = join(import.meta.dirname, '..', 'schemas');

describe('published schemas', () => {
  it('are in sync with the TypeBox sources (run `npm run schemas` after a change)', () => {
    const expected = publishedSchemas();
    const onDisk = readdirSync(schemaDir).filter((f) => f.endsWith('.schema.json'));
    expect(onDisk.sort()).toEqual(Object.keys(expected).map((n) => `${n}.schema.json`).sort());
    for (const [name, schema] of Object.entries(expected)) {
      expect(JSON.parse(readFileSync(join(schemaDir, `${name}.schema.json`), 'utf8')), name).toEqual(schema);
    }
  });

  it('declare draft 2020-12', () => {
    for (const schema of Object.values(publishedSchemas())) {
      expect(schema).toMatchObject({ $schema: 'https://json-schema.org/draft/2020-12/schema' });
    }
  });
});

describe('version negotiation', () => {
  it('picks the first offered version this side speaks', () => {
    expect(negotiateVersion(['9.9', PROTOCOL_VERSIONS[0]])).toBe(PROTOCOL_VERSIONS[0]);
  });
  it('names both lists when there is no common version', () => {
    expect(() => negotiateVersion(['0.1'])).toThrowError(/peer offers \[0\.1\].*speaks \[1\.2, 1\.1, 1\.0\]/);
  });
});

describe('validation', () => {
  const code = (fn: () => void) => {
    try {
      fn();
    } catch (e) {
      return (e as FramewrightError).toWire();
    }
    return undefined;
  };

  it('accepts minimal clip-cut params', () => {
    expect(findSchemaProblem(ClipCutParamsSchema, { input: 'a.mp4' })).toBeUndefined();
  });
  it('names an unknown field by JSON pointer', () => {
    expect(code(() => assertValid(ClipCutParamsSchema, { input: 'a.mp4', bogus: 1 }, 'clip-cut params'))).toEqual({
      code: 'INVALID_PARAMS',
      message: 'clip-cut params /bogus is not a known field',
      pointer: '/bogus',
    });
  });
  it('names a wrong type', () => {
    expect(code(() => assertValid(ClipCutParamsSchema, { input: 42 }, 'clip-cut params'))).toMatchObject({ pointer: '/input', message: 'clip-cut params /input must be string' });
  });
  it('names an out-of-range threshold', () => {
    expect(code(() => assertValid(ClipCutParamsSchema, { input: 'a', thresholds: { histogram: 3 } }, 'p'))).toMatchObject({ pointer: '/thresholds/histogram' });
  });
  it('lists the allowed values of an enum', () => {
    expect(code(() => assertValid(ClipCutParamsSchema, { input: 'a', clipMode: 'fast' }, 'p'))?.message).toBe('p /clipMode must be one of "smart", "copy", "accurate"');
  });
  it('names a missing required field', () => {
    expect(code(() => assertValid(ClipCutParamsSchema, {}, 'p'))).toMatchObject({ pointer: '/input', message: 'p /input is required' });
  });
  it('validates JSON-RPC responses and jobs', () => {
    expect(findSchemaProblem(RpcResponseSchema, { jsonrpc: '2.0', id: 1, result: {} })).toBeUndefined();
    expect(findSchemaProblem(RpcResponseSchema, { jsonrpc: '2.0', id: null, error: { code: -32602, message: 'x', data: { code: 'INVALID_PARAMS', message: 'x' } } })).toBeUndefined();
    expect(findSchemaProblem(JobSchema, { id: 'j', op: 'clip-cut', state: 'done', createdAt: '' })).toMatchObject({ pointer: '/state' });
  });
  it('round-trips errors through the wire form', () => {
    const e = FramewrightError.fromWire({ code: 'INPUT_NOT_FOUND', message: 'input not found: a.mp4' });
    expect(e).toBeInstanceOf(FramewrightError);
    expect(e.toWire()).toEqual({ code: 'INPUT_NOT_FOUND', message: 'input not found: a.mp4' });
  });
});

describe('errors', () => {
  it('wire and SDK errors share one base: code, message, cause and JSON, told apart by class', () => {
    const cause = new Error('ECONNREFUSED');
    const wire = new FramewrightError('INVALID_PARAMS', 'threshold must be ≤ 100', { pointer: '/threshold', cause });
    const local = new SdkError('CONNECTION_FAILED', 'no engine at ws://127.0.0.1:7878', { cause });
    for (const e of [wire, local]) {
      expect(e).toBeInstanceOf(CodedError);
      expect(e).toBeInstanceOf(Error);
      expect(e.cause).toBe(cause);
    }
    expect(local).not.toBeInstanceOf(FramewrightError);
    expect(wire).not.toBeInstanceOf(SdkError);
    expect(JSON.parse(JSON.stringify(wire))).toEqual({ name: 'FramewrightError', code: 'INVALID_PARAMS', message: 'threshold must be ≤ 100', pointer: '/threshold' });
    expect(JSON.parse(JSON.stringify(local))).toEqual({ name: 'SdkError', code: 'CONNECTION_FAILED', message: 'no engine at ws://127.0.0.1:7878' });
    expect(new FramewrightError('INTERNAL', 'x').cause).toBeUndefined();
  });

  it('gives every wire code an HTTP error status and a JSON-RPC code from one table', () => {
    expect(Object.keys(ERROR_STATUS).sort()).toEqual([...ERROR_CODES].sort());
    for (const code of ERROR_CODES) {
      const { http, rpc } = ERROR_STATUS[code];
      expect(http >= 400 && http < 600, `${code} HTTP ${http}`).toBe(true);
      expect(Object.values(RPC_ERROR_CODES), `${code} JSON-RPC ${rpc}`).toContain(rpc);
    }
    expect(ERROR_STATUS.INVALID_REQUEST).toEqual({ http: 400, rpc: RPC_ERROR_CODES.invalidRequest });
    expect(ERROR_STATUS.INVALID_PARAMS).toEqual({ http: 400, rpc: RPC_ERROR_CODES.invalidParams });
    expect(ERROR_STATUS.INTERNAL).toEqual({ http: 500, rpc: RPC_ERROR_CODES.internal });
    expect(ERROR_STATUS.JOB_NOT_FOUND).toEqual({ http: 404, rpc: RPC_ERROR_CODES.application });
  });

  it('builds CANCELLED with one helper: "<what> was cancelled", then the detail', () => {
    expect(cancelled('clip-cut').toWire()).toEqual({ code: 'CANCELLED', message: 'clip-cut was cancelled' });
    expect(cancelled('image-gen', 'before it started').message).toBe('image-gen was cancelled before it started');
    expect(cancelled('generation')).toBeInstanceOf(FramewrightError);
  });
});
