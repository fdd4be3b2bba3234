import type { OperationName, OperationParams, OperationProgress, OperationResult } from '../protocol/index.js';
import type { OutputLedger } from './output-ledger.js';

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
  /**
   * The run's output ledger (the engine gives every run one; without it the operation makes its
   * own): the operation writes through `writeAtomic` inside `outputs.transact`, so nothing of the
   * run appears before it succeeds, no existing file is replaced unless `params.overwrite`, and a
   * failure removes only what the run created.
   */
  readonly outputs?: OutputLedger;
  /**
   * How a path is named inside the files the run writes (a cut list's source, a JSON export's
   * paths): as the job's client names it, where that differs from this machine's path (a cluster
   * worker with a path map or without a shared folder). Default: as it is.
   */
  readonly pathInFiles?: (path: string) => string;
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

/** Memory a run will hold at its peak, estimated before it starts. */
export interface MemoryNeed {
  /** Bytes, roughly: what the run holds in this process and in the ffmpeg children it starts. */
  readonly bytes: number;
  /** What the memory is for, for the message that refuses it, e.g. `24 keyframes of 4096×4096`. */
  readonly what: string;
  /** JSON pointer of the param that drives it, e.g. `/keyframes`. */
  readonly pointer?: string;
}

/** What {@link Operation.check} found: the request fits what the operation can do. */
export interface OperationCheck {
  /** The memory the run needs, when the operation can tell (the engine refuses what exceeds its budget). */
  readonly memory?: MemoryNeed;
}

/** An operation the engine can run. Params arrive already validated against the schema. */
export interface Operation<O extends OperationName> {
  /** The operation's protocol name. */
  readonly name: O;
  /** Whether it can run on this machine. */
  availability(): Promise<Availability>;
  /**
   * Checks params against what this operation can do here (a model's size and step limits)
   * and estimates the memory the run needs, before any work: the engine runs it at submit. Reads
   * at most file headers and manifests; loads no model and decodes nothing.
   * @throws FramewrightError `INVALID_PARAMS` (with a pointer), `MODEL_NOT_FOUND`, `MODEL_INVALID`
   */
  check?(params: OperationParams<O>): Promise<OperationCheck>;
  /** Runs it. Rejects with a `FramewrightError` on bad input or failure. */
  run(params: OperationParams<O>, context: OperationContext<O>): Promise<OperationResult<O>>;
}
