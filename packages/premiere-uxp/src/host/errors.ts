import { CodedError } from '@framewright/core/protocol';

/**
 * Codes of {@link HostError}: what stopped a Premiere Pro action before it changed the project.
 */
export const HOST_ERROR_CODES = [
  /** Premiere Pro has no open project. */
  'NO_PROJECT',
  /** The project has no active sequence (no timeline is open). */
  'NO_SEQUENCE',
  /** Nothing usable is selected in the timeline of the active sequence. */
  'NO_SELECTION',
  /** The selection holds clips of more than one media file. */
  'AMBIGUOUS_SELECTION',
  /** The selected clip is not backed by a media file (a sequence, a graphic, offline media). */
  'NOT_A_MEDIA_CLIP',
  /** Premiere Pro refused to import a file. */
  'IMPORT_FAILED',
  /** Premiere Pro refused an edit; the transaction was rolled back. */
  'EDIT_FAILED',
] as const;

/** One of {@link HOST_ERROR_CODES}. */
export type HostErrorCode = (typeof HOST_ERROR_CODES)[number];

/**
 * A Premiere Pro action that could not be done. Thrown before the project is changed, or after
 * Premiere rolled back the transaction, so the project is as it was.
 */
export class HostError extends CodedError<HostErrorCode> {
  /**
   * Creates the error the panel shows as one line.
   * @param code - stable code
   * @param message - one line that says what to do
   * @param options - the underlying cause, if any
   */
  constructor(code: HostErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(code, message, options);
    this.name = 'HostError';
  }
}

/** True when `value` is a {@link HostError}. */
export function isHostError(value: unknown): value is HostError {
  return value instanceof HostError || (value instanceof Error && value.name === 'HostError' && 'code' in value);
}
