import { checkOperation, runOperation, type OperationName, type OperationParams, type OperationProgress, type OperationResult } from '@framewright/core';

/** Options of one engine run. */
export interface EngineRunOptions<O extends OperationName> {
  /** Aborts the run. */
  readonly signal?: AbortSignal;
  /** Receives progress events. */
  readonly onProgress?: (progress: OperationProgress<O>) => void;
}

/**
 * What the adapter needs from the Framewright engine: run one operation. The CLI uses the
 * in-process engine ({@link inProcessEngine}); tests and embedders may pass their own.
 */
export interface Engine {
  /** Runs an operation; rejects with a `FramewrightError` (e.g. `OPERATION_UNAVAILABLE`, `INPUT_NOT_FOUND`). */
  run<O extends OperationName>(op: O, params: OperationParams<O>, options?: EngineRunOptions<O>): Promise<OperationResult<O>>;
  /**
   * Checks, creating nothing, that `run` would start: the operation is available here, the
   * params are valid, the output folder is allowed. Rejects like `run` would.
   */
  check<O extends OperationName>(op: O, params: OperationParams<O>): Promise<void>;
}

/** The engine running in this process (`runOperation` of `@framewright/core`). */
export function inProcessEngine(): Engine {
  return {
    run: (op, params, options = {}) =>
      runOperation(op, params, {
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      }),
    check: async (op, params) => {
      await checkOperation(op, params);
    },
  };
}
