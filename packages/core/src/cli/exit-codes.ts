import { FramewrightError, toFramewrightError, type ErrorCode } from '../protocol/index.js';
import type { CliIo } from './io.js';

/** Exit codes of `framewright`, by meaning. Scripts may rely on them. */
export const EXIT = Object.freeze({
  ok: 0,
  /** Anything unexpected (a bug, an ffmpeg failure). */
  internal: 1,
  /** Bad usage: unknown command or flag, a flag value of the wrong type or out of range. */
  usage: 2,
  /** The input file does not exist or cannot be read. */
  inputNotFound: 3,
  /** The input is not media or model data this build can read (not a video, truncated, empty, corrupt checkpoint). */
  unsupportedMedia: 4,
  /** The output folder is not allowed or could not be written, or an output exists (and `--overwrite` was not given). */
  output: 5,
  /** ffmpeg or ffprobe could not be found. */
  ffmpegNotFound: 6,
  /** Not available here: an operation, model, backend or adapter package that is not installed. */
  unavailable: 7,
  /** Cancelled (Ctrl+C): 128 + SIGINT, as shells do. */
  cancelled: 130,
});

const BY_CODE: Partial<Record<ErrorCode, number>> = {
  INVALID_REQUEST: EXIT.usage,
  INVALID_PARAMS: EXIT.usage,
  UNKNOWN_OPERATION: EXIT.usage,
  INPUT_NOT_FOUND: EXIT.inputNotFound,
  INPUT_UNREADABLE: EXIT.inputNotFound,
  UNSUPPORTED_MEDIA: EXIT.unsupportedMedia,
  CHECKPOINT_INVALID: EXIT.unsupportedMedia,
  OUTPUT_NOT_ALLOWED: EXIT.output,
  OUTPUT_FAILED: EXIT.output,
  OUTPUT_EXISTS: EXIT.output,
  FFMPEG_NOT_FOUND: EXIT.ffmpegNotFound,
  OPERATION_UNAVAILABLE: EXIT.unavailable,
  MODEL_NOT_FOUND: EXIT.unavailable,
  MODEL_INVALID: EXIT.unavailable,
  BACKEND_UNAVAILABLE: EXIT.unavailable,
  CANCELLED: EXIT.cancelled,
};

/** The exit code for an error code (1 for codes that are not the user's to fix). */
export function exitCodeOf(code: ErrorCode): number {
  return BY_CODE[code] ?? EXIT.internal;
}

/** The table printed by `framewright --help`. */
export const EXIT_CODE_HELP = `Exit codes:
  0    success
  1    internal error (a bug, ffmpeg failed); FRAMEWRIGHT_DEBUG=1 shows the stack
  2    usage: unknown command or flag, bad flag value, invalid params
  3    input file not found or unreadable
  4    input is not media or a checkpoint this build can read (text, truncated, empty)
  5    output folder not allowed or not writable, or an output exists (see --overwrite)
  6    ffmpeg/ffprobe not found
  7    not available here (operation, model, backend or adapter package)
  130  cancelled (Ctrl+C)`;

/** A usage error: the message names the command, flag or value that is wrong. */
export function usageError(message: string): FramewrightError {
  return new FramewrightError('INVALID_PARAMS', message);
}

/** What to do about an error a user can fix, appended to its line (or nothing). */
function hintFor(error: unknown): string {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    const { code, port } = e as NodeJS.ErrnoException & { port?: unknown };
    if (code === 'EADDRINUSE') {
      const taken = typeof port === 'number' ? `port ${port}` : 'the port';
      const next = typeof port === 'number' && port < 65535 ? `--port ${port + 1}` : '--port N';
      return ` (${taken} is taken, perhaps by another \`framewright serve\`: pass ${next}, or --port 0 for a free one)`;
    }
  }
  return '';
}

/**
 * Reports a failure: one line `framewright: <message>` on stderr (the stack only with
 * FRAMEWRIGHT_DEBUG=1) and, when `json` is set, `{"error":{code,message}}` on stdout for
 * scripts (the Resolve bridge parses it). Returns the exit code.
 */
export function reportError(io: CliIo, error: unknown, json: boolean): number {
  const fe = toFramewrightError(error);
  io.stderr.write(`framewright: ${fe.message}${hintFor(error)}\n`);
  if (io.env['FRAMEWRIGHT_DEBUG'] === '1') {
    for (let e: unknown = error; e !== undefined; e = e instanceof Error ? e.cause : undefined) {
      io.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    }
  }
  if (json) io.stdout.write(`${JSON.stringify({ error: fe.toWire() })}\n`);
  return exitCodeOf(fe.code);
}
