/**
 * Errors of the OBS adapter. They are local to this process (never sent on the Framewright
 * wire), so they have their own codes; engine failures keep arriving as `FramewrightError`.
 * Both extend the one base, `CodedError`.
 */
import { CodedError } from '@framewright/core/protocol';

/** Stable codes of {@link ObsAdapterError}. */
export const OBS_ERROR_CODES = [
  'OBS_NOT_RUNNING',
  'OBS_AUTH_FAILED',
  'OBS_PASSWORD_REQUIRED',
  'OBS_TOO_OLD',
  'OBS_PROTOCOL_UNSUPPORTED',
  'OBS_DISCONNECTED',
  'OBS_REQUEST_FAILED',
  'OBS_SCENE_NOT_FOUND',
  'OBS_CONFIG_INVALID',
  'BAD_ARGUMENTS',
] as const;

/** One of {@link OBS_ERROR_CODES}. */
export type ObsErrorCode = (typeof OBS_ERROR_CODES)[number];

/**
 * A failure talking to OBS or configuring the adapter, with a one-line message that names what
 * is wrong and what to do about it.
 *
 * @example
 * ```ts
 * try { await connection.connect(); } catch (e) {
 *   if (e instanceof ObsAdapterError && e.code === 'OBS_AUTH_FAILED') askForPassword();
 * }
 * ```
 */
export class ObsAdapterError extends CodedError<ObsErrorCode> {
  /** For `OBS_REQUEST_FAILED`: obs-websocket's request status code (e.g. 600 resource not found). */
  readonly obsStatus: number | undefined;

  /**
   * Makes an error.
   * @param code - stable code
   * @param message - one line naming what is wrong
   * @param options - the underlying error and obs-websocket's request status code, if any
   */
  constructor(code: ObsErrorCode, message: string, options: { cause?: unknown; obsStatus?: number } = {}) {
    super(code, message, options);
    this.name = 'ObsAdapterError';
    this.obsStatus = options.obsStatus;
  }
}
