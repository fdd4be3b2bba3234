import type { FramewrightClient } from '@framewright/core/client';
import {
  assertValid,
  cancelled,
  FramewrightError,
  OPERATIONS,
  type OperationName,
  type OperationParams,
  type OperationProgress,
  type OperationResult,
} from '@framewright/core/protocol';

/** Options of one engine run. */
export interface EngineRunOptions<O extends OperationName> {
  /** Aborts the run (the job is cancelled). */
  readonly signal?: AbortSignal;
  /** Receives progress events. */
  readonly onProgress?: (progress: OperationProgress<O>) => void;
}

/**
 * What the adapter needs from the Framewright engine: run one operation. The CLI talks to a
 * `framewright serve` through the SDK client ({@link clientEngine}, {@link connectEngine});
 * tests and embedders may pass their own.
 */
export interface Engine {
  /** Runs an operation; rejects with a `FramewrightError` (e.g. `OPERATION_UNAVAILABLE`, `INPUT_NOT_FOUND`). */
  run<O extends OperationName>(op: O, params: OperationParams<O>, options?: EngineRunOptions<O>): Promise<OperationResult<O>>;
  /**
   * Checks, creating nothing, that `run` would start: the operation is available on the engine
   * and the params are valid. Rejects like `run` would.
   */
  check<O extends OperationName>(op: O, params: OperationParams<O>): Promise<void>;
}

/**
 * The engine behind a connected SDK client: `check` validates the params against the
 * protocol's schema and reads availability from the server's `hello` capabilities; `run`
 * submits a job and waits for its result.
 *
 * @example
 * ```ts
 * const client = new FramewrightClient(() => new WebSocketTransport('ws://127.0.0.1:7878/v1/ws', { token }));
 * await client.connect();
 * const watcher = new RecordingWatcher(obs, { engine: clientEngine(client) });
 * ```
 */
export function clientEngine(client: FramewrightClient): Engine {
  return {
    async run(op, params, options = {}) {
      // The client reports an abort before submission as its own SdkError; for the adapter a
      // run stopped at any point is the engine's CANCELLED.
      if (options.signal?.aborted) throw cancelled(op);
      return client.run(op, params, {
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      });
    },
    async check(op, params) {
      assertValid(OPERATIONS[op].params, params, `${op} params`);
      const capability = client.capabilities.operations.find((c) => c.op === op);
      if (capability === undefined || !capability.available) {
        throw new FramewrightError('OPERATION_UNAVAILABLE', capability?.reason ?? `${op} is not available on the engine at ${client.serverInfo.name} ${client.serverInfo.version}`);
      }
    },
  };
}
