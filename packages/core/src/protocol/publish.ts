import type { TSchema } from '@sinclair/typebox';
import { OPERATIONS, OPERATION_NAMES } from './operations.js';
import { HttpErrorBodySchema, JobSchema, METHODS, NOTIFICATIONS, RpcNotificationSchema, RpcRequestSchema, RpcResponseSchema } from './messages.js';
import { WireErrorSchema } from './errors.js';
import { LATEST_PROTOCOL_VERSION } from './versions.js';

/** The JSON Schema dialect of every published schema. */
export const SCHEMA_DIALECT = 'https://json-schema.org/draft/2020-12/schema';

/**
 * Every protocol schema as the standalone document published in `schemas/<name>.schema.json`
 * and served at `GET /v1/schemas`: keyed by file name, each with `$schema` and `$id`.
 */
export function publishedSchemas(): Record<string, object> {
  const entries: Array<[string, TSchema]> = [
    ['envelope.request', RpcRequestSchema],
    ['envelope.response', RpcResponseSchema],
    ['envelope.notification', RpcNotificationSchema],
    ['error', WireErrorSchema],
    ['http-error', HttpErrorBodySchema],
    ['job', JobSchema],
  ];
  for (const [method, s] of Object.entries(METHODS)) {
    entries.push([`method.${method}.params`, s.params], [`method.${method}.result`, s.result]);
  }
  for (const [name, s] of Object.entries(NOTIFICATIONS)) entries.push([`notification.${name}`, s]);
  for (const op of OPERATION_NAMES) {
    const o = OPERATIONS[op];
    entries.push([`${op}.params`, o.params], [`${op}.result`, o.result], [`${op}.progress`, o.progress]);
  }
  const out: Record<string, object> = {};
  for (const [name, schema] of entries) {
    // JSON round trip drops TypeBox's symbol keys, leaving plain JSON Schema.
    out[name] = { $schema: SCHEMA_DIALECT, $id: `framewright:${LATEST_PROTOCOL_VERSION}:${name}`, ...JSON.parse(JSON.stringify(schema)) };
  }
  return out;
}
