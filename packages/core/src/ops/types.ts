import type { OperationName, OperationParams, OperationProgress, OperationResult } from '../protocol/index.js';

/** What an operation gets besides its params. */
export interface OperationContext<O extends OperationName> {
  /** Aborts the run; child processes (ffmpeg) are killed and the run rejects with `CANCELLED`. */
  readonly signal: AbortSignal;
  /** Receives progress events (already in the operation's progress schema). */
  readonly onProgress: (progress: OperationProgress<O>) => void;
  /**
   * Absolute folder the operation writes into. The caller resolved it from `params.outputDir`,
   * checked it against its output policy and created it; the operation writes nowhere else.
   */
  readonly outputDir: string;
}

/** Whether an operation can run here, and why not. */
export interface Availability {
  /** True when the operation can run. */
  readonly available: boolean;
  /** Why it cannot, in one line. */
  readonly reason?: string;
  /** For an operation with modes: each mode, whether it runs here and why not. */
  readonly modes?: readonly ModeAvailability[];
  /** For an operation with models (image-gen): the model ids it can run here. */
  readonly models?: readonly string[];
}

/** Whether one mode of an operation can run here, and why not. */
export interface ModeAvailability {
  /** The mode's name as the params spell it. */
  readonly mode: string;
  /** True when the mode can run. */
  readonly available: boolean;
  /** Why it cannot, in one line. */
  readonly reason?: string;
}

/** An operation the engine can run. Params arrive already validated against the schema. */
export interface Operation<O extends OperationName> {
  /** The operation's protocol name. */
  readonly name: O;
  /** Whether it can run on this machine. */
  availability(): Promise<Availability>;
  /** Runs it. Rejects with a `FramewrightError` on bad input or failure. */
  run(params: OperationParams<O>, context: OperationContext<O>): Promise<OperationResult<O>>;
}
