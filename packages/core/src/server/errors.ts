import { RPC_ERROR_CODES, type ErrorCode } from '../protocol/index.js';

/** HTTP status of each error code on the HTTP transport. */
const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = {
  INVALID_REQUEST: 400,
  INVALID_PARAMS: 400,
  UNSUPPORTED_VERSION: 400,
  UNKNOWN_OPERATION: 400,
  OPERATION_UNAVAILABLE: 501,
  INPUT_NOT_FOUND: 422,
  INPUT_UNREADABLE: 422,
  UNSUPPORTED_MEDIA: 422,
  OUTPUT_NOT_ALLOWED: 403,
  OUTPUT_FAILED: 500,
  OUTPUT_EXISTS: 409,
  JOB_NOT_FOUND: 404,
  CANCELLED: 409,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  MODEL_NOT_FOUND: 422,
  MODEL_INVALID: 422,
  CHECKPOINT_INVALID: 422,
  BACKEND_UNAVAILABLE: 503,
  FFMPEG_NOT_FOUND: 500,
  FFMPEG_FAILED: 500,
  INTERRUPTED: 503,
  INTERNAL: 500,
};

/** The HTTP status for an error code. */
export function httpStatusOf(code: ErrorCode): number {
  return HTTP_STATUS[code];
}

/** The JSON-RPC numeric code for an error code (the string code travels in `error.data`). */
export function rpcCodeOf(code: ErrorCode): number {
  if (code === 'INVALID_REQUEST') return RPC_ERROR_CODES.invalidRequest;
  if (code === 'INVALID_PARAMS') return RPC_ERROR_CODES.invalidParams;
  if (code === 'INTERNAL') return RPC_ERROR_CODES.internal;
  return RPC_ERROR_CODES.application;
}
