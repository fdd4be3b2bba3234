import type { ErrorCode } from './errors.js';
import { RPC_ERROR_CODES } from './messages.js';

/** How a transport reports one error code: its HTTP status and its numeric JSON-RPC `error.code`. */
export interface ErrorStatus {
  /** HTTP status of the answer on the HTTP transport. */
  readonly http: number;
  /** Numeric JSON-RPC `error.code` on the WebSocket (the string code travels in `error.data`). */
  readonly rpc: number;
}

const app = RPC_ERROR_CODES.application;

/**
 * The HTTP status and JSON-RPC code of every wire error code. A `Record` over {@link ErrorCode}:
 * a new code fails the typecheck until it has both. A server may answer a request error with a
 * more precise status (404 for a route that does not exist, 413 for a body too large, JSON-RPC
 * method not found); the code on the wire is the same.
 */
export const ERROR_STATUS: Readonly<Record<ErrorCode, ErrorStatus>> = Object.freeze({
  INVALID_REQUEST: { http: 400, rpc: RPC_ERROR_CODES.invalidRequest },
  INVALID_PARAMS: { http: 400, rpc: RPC_ERROR_CODES.invalidParams },
  UNSUPPORTED_VERSION: { http: 400, rpc: app },
  UNKNOWN_OPERATION: { http: 400, rpc: app },
  OPERATION_UNAVAILABLE: { http: 501, rpc: app },
  INPUT_NOT_FOUND: { http: 422, rpc: app },
  INPUT_UNREADABLE: { http: 422, rpc: app },
  UNSUPPORTED_MEDIA: { http: 422, rpc: app },
  OUTPUT_NOT_ALLOWED: { http: 403, rpc: app },
  OUTPUT_FAILED: { http: 500, rpc: app },
  OUTPUT_EXISTS: { http: 409, rpc: app },
  JOB_NOT_FOUND: { http: 404, rpc: app },
  CANCELLED: { http: 409, rpc: app },
  UNAUTHORIZED: { http: 401, rpc: app },
  FORBIDDEN: { http: 403, rpc: app },
  MODEL_NOT_FOUND: { http: 422, rpc: app },
  MODEL_INVALID: { http: 422, rpc: app },
  CHECKPOINT_INVALID: { http: 422, rpc: app },
  BACKEND_UNAVAILABLE: { http: 503, rpc: app },
  FFMPEG_NOT_FOUND: { http: 500, rpc: app },
  FFMPEG_FAILED: { http: 500, rpc: app },
  INTERRUPTED: { http: 503, rpc: app },
  INTERNAL: { http: 500, rpc: RPC_ERROR_CODES.internal },
});
