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

/** What every Framewright error class serialises to with `JSON.stringify` ({@link CodedError.toJSON}). */
export interface CodedErrorJson<C extends string = string> {
  /** The class's name, e.g. `FramewrightError`, `SdkError`. */
  readonly name: string;
  /** The stable code. */
  readonly code: C;
  /** The one-line message. */
  readonly message: string;
}

/**
 * The one error base of Framewright: a stable string `code` to switch on, a one-line `message`,
 * and the underlying `cause` when there is one. Each side extends it with its own list of codes:
 * {@link FramewrightError} for what the engine reports (the only one that travels on the wire),
 * the SDK's `SdkError` for failures of the client itself, and each adapter its own. So a host
 * tells "the engine said no" from "the engine could not be reached" by class, and then switches
 * on `code`.
 *
 * @example
 * ```ts
 * try {
 *   await client.run('clip-cut', { input });
 * } catch (e) {
 *   if (e instanceof CodedError) console.error(`${e.name} ${e.code}: ${e.message}`);
 * }
 * ```
 */
export abstract class CodedError<C extends string = string> extends Error {
  /** Stable error code. */
  readonly code: C;

  /**
   * Sets the code, the message and the cause; a subclass sets `name` to its own.
   * @param code - stable error code
   * @param message - one-line human-readable message naming what is wrong
   * @param options - the underlying cause, if any
   */
  protected constructor(code: C, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }

  /** Name, code and message: what `JSON.stringify` writes (an `Error`'s message is not enumerable). */
  toJSON(): CodedErrorJson<C> {
    return { name: this.name, code: this.code, message: this.message };
  }
}

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
export class FramewrightError extends CodedError<ErrorCode> {
  /** JSON pointer of the offending field, for schema failures. */
  readonly pointer: string | undefined;

  /**
   * Creates an engine error with its stable code.
   * @param code - stable error code
   * @param message - one-line human-readable message naming what is wrong
   * @param options - optional JSON pointer and underlying cause
   */
  constructor(code: ErrorCode, message: string, options: { pointer?: string; cause?: unknown } = {}) {
    super(code, message, options);
    this.name = 'FramewrightError';
    this.pointer = options.pointer;
  }

  /** The wire form of this error. */
  toWire(): WireError {
    return this.pointer === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, pointer: this.pointer };
  }

  /** Name and wire form. */
  override toJSON(): CodedErrorJson<ErrorCode> & WireError {
    return { name: this.name, ...this.toWire() };
  }

  /** Rebuilds an error received on the wire. */
  static fromWire(error: WireError): FramewrightError {
    return new FramewrightError(error.code, error.message, error.pointer === undefined ? {} : { pointer: error.pointer });
  }
}

/**
 * The error of work stopped by its AbortSignal: `CANCELLED`, "`what` was cancelled", followed by
 * `detail` when there is more to say (`before it started`, `at step 3 of 8`).
 *
 * @example
 * ```ts
 * if (signal.aborted) throw cancelled('clip-cut'); // CANCELLED: clip-cut was cancelled
 * ```
 */
export function cancelled(what: string, detail?: string): FramewrightError {
  return new FramewrightError('CANCELLED', detail === undefined ? `${what} was cancelled` : `${what} was cancelled ${detail}`);
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
