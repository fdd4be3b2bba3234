import { ERROR_STATUS, FramewrightError, type ErrorStatus } from '../protocol/index.js';

/**
 * An `INVALID_REQUEST` a transport answers with a status of its own: a route or WebSocket path
 * that does not exist (HTTP 404), a method it does not take (405), a body too large (413) or not
 * JSON (415), a JSON-RPC method that does not exist (-32601) or a message that is not JSON
 * (-32700). On the wire it is the same `INVALID_REQUEST`.
 */
export class InvalidRequest extends FramewrightError {
  /**
   * @param message - one line naming what is wrong
   * @param status - the transport codes that differ from `INVALID_REQUEST`'s own
   */
  constructor(
    message: string,
    readonly status: Partial<ErrorStatus>,
  ) {
    super('INVALID_REQUEST', message);
  }
}

/** The HTTP status and JSON-RPC code to answer `error` with: its code's ({@link ERROR_STATUS}), or its own. */
export function statusOf(error: FramewrightError): ErrorStatus {
  const status = ERROR_STATUS[error.code];
  return error instanceof InvalidRequest ? { ...status, ...error.status } : status;
}
