import { Type, type Static } from '@sinclair/typebox';

/**
 * Stable error codes carried on the wire. Hosts may switch on them; they never change meaning.
 */
export const ERROR_CODES = [
  'INVALID_REQUEST',
  'INVALID_PARAMS',
  'UNSUPPORTED_VERSION',
  'UNKNOWN_OPERATION',
  'OPERATION_UNAVAILABLE',
  'INPUT_NOT_FOUND',
  'INPUT_UNREADABLE',
  'UNSUPPORTED_MEDIA',
  'OUTPUT_NOT_ALLOWED',
  'OUTPUT_FAILED',
  'OUTPUT_EXISTS',
  'JOB_NOT_FOUND',
  'CANCELLED',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'MODEL_NOT_FOUND',
  'MODEL_INVALID',
  'CHECKPOINT_INVALID',
  'BACKEND_UNAVAILABLE',
  'FFMPEG_NOT_FOUND',
  'FFMPEG_FAILED',
  'INTERRUPTED',
  'INTERNAL',
] as const;

/** One of {@link ERROR_CODES}. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** JSON Schema of a wire error. */
export const WireErrorSchema = Type.Object(
  {
    code: Type.Union(ERROR_CODES.map((c) => Type.Literal(c))),
    message: Type.String({ minLength: 1 }),
    pointer: Type.Optional(Type.String({ description: 'JSON pointer of the offending field, for schema failures' })),
  },
  { additionalProperties: false },
);

/** An error as it travels on the wire: stable code, one-line human message, optional JSON pointer. */
export type WireError = Static<typeof WireErrorSchema>;

/**
 * The one error type of the engine side. Everything the engine reports to a host is a
 * `FramewrightError`; {@link FramewrightError.toWire} gives its wire form and
 * {@link FramewrightError.fromWire} rebuilds it on the client side.
 *
 * @example
 * ```ts
 * throw new FramewrightError('INPUT_NOT_FOUND', `input not found: ${path}`);
 * ```
 */
export class FramewrightError extends Error {
  /** Stable error code. */
  readonly code: ErrorCode;
  /** JSON pointer of the offending field, for schema failures. */
  readonly pointer: string | undefined;

  /**
   * Creates an engine error with its stable code.
   * @param code - stable error code
   * @param message - one-line human-readable message naming what is wrong
   * @param options - optional JSON pointer and underlying cause
   */
  constructor(code: ErrorCode, message: string, options: { pointer?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'FramewrightError';
    this.code = code;
    this.pointer = options.pointer;
  }

  /** The wire form of this error. */
  toWire(): WireError {
    return this.pointer === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, pointer: this.pointer };
  }

  /** Rebuilds an error received on the wire. */
  static fromWire(error: WireError): FramewrightError {
    return new FramewrightError(error.code, error.message, error.pointer === undefined ? {} : { pointer: error.pointer });
  }
}

/** True when `value` is a {@link FramewrightError} (also across bundle copies). */
export function isFramewrightError(value: unknown): value is FramewrightError {
  return value instanceof FramewrightError || (value instanceof Error && value.name === 'FramewrightError' && 'code' in value);
}

/**
 * Turns anything thrown into a {@link FramewrightError}; unknown errors become `INTERNAL`
 * with their message kept on one line.
 */
export function toFramewrightError(error: unknown): FramewrightError {
  if (isFramewrightError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new FramewrightError('INTERNAL', oneLine(message) || 'internal error', { cause: error });
}

/** Collapses a message to its first non-empty line. */
export function oneLine(message: string): string {
  return message.split(/\r?\n/).map((l) => l.trim()).find((l) => l.length > 0) ?? '';
}
