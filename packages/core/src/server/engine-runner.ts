// The job runner of the server: runs each job in this process through the engine. It lives here,
// not in jobs/, so that the queue knows only the JobRunner interface and never the engine.
import { join } from 'node:path';
import { checkOperation, runOperation, type RunOptions } from '../engine/index.js';
import type { JobRunner } from '../jobs/index.js';
import type { OperationName, OperationParams, OperationProgress } from '../protocol/index.js';

/** Options of {@link engineJobRunner}. */
export interface EngineJobRunnerOptions {
  /** Outputs must lie under it; a job without `outputDir` writes into `<outputRoot>/<job id>`. */
  readonly outputRoot: string;
  /** The operations to run (default: the built-in registry). */
  readonly registry?: RunOptions<OperationName>['registry'];
  /** Most memory one job may need, in bytes (default: the engine's, from this machine's memory). */
  readonly memoryBudgetBytes?: number;
}

/**
 * A {@link JobRunner} that runs jobs in this process through the engine, confined to an output
 * root: each job's default output folder is `<outputRoot>/<job id>`, so concurrent jobs never
 * overwrite each other's files. What each run is about to create goes to the queue's journal.
 */
export function engineJobRunner(options: EngineJobRunnerOptions): JobRunner {
  const base = {
    outputRoot: options.outputRoot,
    ...(options.registry === undefined ? {} : { registry: options.registry }),
    ...(options.memoryBudgetBytes === undefined ? {} : { memoryBudgetBytes: options.memoryBudgetBytes }),
  };
  return {
    async check(op, params) {
      // What arrives on the wire is unchecked: checkOperation validates it against the schema.
      await checkOperation(op, params as OperationParams<typeof op>, base);
    },
    run(op, params, context) {
      return runOperation(op, params as OperationParams<typeof op>, {
        ...base,
        signal: context.signal,
        defaultOutputDir: join(options.outputRoot, context.jobId),
        onProgress: (p: OperationProgress<OperationName>) => context.onProgress(p),
        recordOutputs: context.recordOutputs,
      });
    },
  };
}
