import { CodedError } from '../protocol/index.js';

/**
 * Codes of {@link SdkError}: failures of the client itself (connection, timeouts, a peer that
 * breaks the protocol). They never travel on the wire; what the server reports arrives as a
 * `FramewrightError` with a wire code instead.
 */
export const SDK_ERROR_CODES = [
  /** A call was made before `connect()` or after `close()`. */
  'NOT_CONNECTED',
  /** `connect()` was called on a client that is already connected. */
  'ALREADY_CONNECTED',
  /** No server answered at the address (not running, wrong port, network down). */
  'CONNECTION_FAILED',
  /** A server answered but refused the connection (wrong or missing token, Origin not allowed). */
  'CONNECTION_REJECTED',
  /** The connection dropped and could not be restored while a call was waiting. */
  'CONNECTION_CLOSED',
  /** A request or a run took longer than its time limit. */
  'TIMEOUT',
  /** The server sent something that does not match the protocol schemas. */
  'PROTOCOL_ERROR',
  /** The server chose a protocol version this client did not offer. */
  'UNSUPPORTED_VERSION',
  /** The caller's AbortSignal fired before a job was submitted. */
  'ABORTED',
] as const;

/** One of {@link SDK_ERROR_CODES}. */
export type SdkErrorCode = (typeof SDK_ERROR_CODES)[number];

/**
 * A local failure of the SDK client. Server-side failures are `FramewrightError`s rebuilt from
 * the wire; the two are kept apart so a host can tell "the engine said no" from "the engine
 * could not be reached". Both extend {@link CodedError}.
 *
 * @example
 * ```ts
 * try {
 *   await client.connect();
 * } catch (e) {
 *   if (e instanceof SdkError && e.code === 'CONNECTION_FAILED') console.log('start `framewright serve` first');
 * }
 * ```
 */
export class SdkError extends CodedError<SdkErrorCode> {
  /**
   * Creates a client-side error with its stable code.
   * @param code - stable SDK error code
   * @param message - one-line human-readable message
   * @param options - the underlying cause, if any
   */
  constructor(code: SdkErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(code, message, options);
    this.name = 'SdkError';
  }
}

/** True when `value` is an {@link SdkError} (also across bundle copies). */
export function isSdkError(value: unknown): value is SdkError {
  return value instanceof SdkError || (value instanceof Error && value.name === 'SdkError' && 'code' in value);
}
