/**
 * The in-process engine: run an operation in this process, with the same validation, output
 * policy and error codes as the server. The CLI and the server's job queue both run through it.
 */
import {
  assertValid,
  cancelled,
  FramewrightError,
  findSchemaProblem,
  isFramewrightError,
  isOperationName,
  OPERATION_NAMES,
  OPERATIONS,
  toFramewrightError,
  type OperationCapability,
  type OperationName,
  type OperationParams,
  type OperationProgress,
  type OperationResult,
} from '../protocol/index.js';
import { OPERATION_REGISTRY, type OperationRegistry } from '../ops/index.js';
import { OutputLedger } from '../ops/output-ledger.js';
import { withOutputStager, type OutputRecord } from '../util/outputs.js';
import { prepareOutputDir, resolveOutputDir } from './output-dir.js';
import { checkMemoryBudget, defaultMemoryBudget } from './memory-budget.js';
import { quoted } from '../protocol/validate.js';
import { VERSION } from '../util/version.js';

/** Version of the engine: the `@framewright/core` package version. */
export const ENGINE_VERSION = VERSION;

/** Options of {@link runOperation} and {@link checkOperation}. */
export interface RunOptions<O extends OperationName> {
  /** Aborts the run: child processes are killed and the run rejects with `CANCELLED`. */
  signal?: AbortSignal;
  /** Receives each progress event, already validated against the operation's progress schema. */
  onProgress?: (progress: OperationProgress<O>) => void;
  /** Default output folder when `params.outputDir` is absent (default: the output root, else the working directory). */
  defaultOutputDir?: string;
  /** When set, the resolved output folder must lie inside it (after resolving symlinks), else `OUTPUT_NOT_ALLOWED`. */
  outputRoot?: string;
  /** The operations to run (default: {@link OPERATION_REGISTRY}); tests inject fakes here. @internal */
  registry?: OperationRegistry;
  /**
   * Stores what the run is about to create, durably, before it is written (a job queue journals
   * it, so a restarted server can remove the outputs of a job a crash cut off).
   * @internal
   */
  recordOutputs?: (record: OutputRecord) => Promise<void>;
  /** Most memory one run may need, in bytes, by its operation's estimate (default {@link defaultMemoryBudget}); larger requests are refused with `INVALID_PARAMS`. */
  memoryBudgetBytes?: number;
  /**
   * How paths are named inside the files the run writes (a cut list's source file, a JSON
   * export's paths), when the job's client names them otherwise than this machine (a cluster
   * worker). Default: as they are.
   * @internal
   */
  pathInFiles?: (path: string) => string;
}

function operationNamed(op: unknown): OperationName {
  if (!isOperationName(op)) {
    throw new FramewrightError('UNKNOWN_OPERATION', `unknown operation ${quoted(op)}: known are ${OPERATION_NAMES.join(', ')}`);
  }
  return op;
}

function outputDirOf(params: unknown): string | undefined {
  const dir = (params as { outputDir?: unknown }).outputDir;
  return typeof dir === 'string' ? dir : undefined;
}

/**
 * Checks everything {@link runOperation} checks before it starts work - the operation exists,
 * the params match its schema, it is available here, the output folder is allowed, the request
 * fits what the operation can do (a model's sizes and steps) and the memory it needs fits the
 * budget ({@link RunOptions.memoryBudgetBytes}) - and creates nothing. A server calls this at
 * submit time so bad requests fail at once.
 *
 * @throws FramewrightError `UNKNOWN_OPERATION`, `INVALID_PARAMS` (with the JSON pointer),
 *   `OPERATION_UNAVAILABLE` (with the reason), `OUTPUT_NOT_ALLOWED`, or the operation's own
 *   check's (`MODEL_NOT_FOUND`, `MODEL_INVALID`)
 * @group Run an operation
 */
export async function checkOperation<O extends OperationName>(op: O, params: OperationParams<O>, options: RunOptions<O> = {}): Promise<OperationParams<O>> {
  const name = operationNamed(op) as O;
  assertValid(OPERATIONS[name].params, params, `${name} params`);
  const operation = (options.registry ?? OPERATION_REGISTRY)[name];
  const availability = await operation.availability();
  if (!availability.available) {
    throw new FramewrightError('OPERATION_UNAVAILABLE', availability.reason ?? `${name} is not available on this machine`);
  }
  await resolveOutputDir({ requested: outputDirOf(params), defaultDir: options.defaultOutputDir, root: options.outputRoot });
  const checked = (await operation.check?.(params as OperationParams<O>)) ?? {};
  checkMemoryBudget(name, checked.memory, options.memoryBudgetBytes ?? defaultMemoryBudget());
  return params as OperationParams<O>;
}

/**
 * Runs an operation in this process.
 *
 * `params` is typed per operation ({@link ClipCutParams}, {@link ImageGenParams},
 * {@link VideoGenParams}) and validated against the operation's schema at run time too, so a
 * caller without types (plain JavaScript, JSON from elsewhere) gets `INVALID_PARAMS` naming the
 * bad field; the output folder is resolved
 * (`params.outputDir` relative to `outputRoot` when given, else to the working directory),
 * checked against `outputRoot` and created; progress events and the result are validated
 * against the operation's schemas (a result that fails is an engine bug: `INTERNAL`). The run's
 * files appear only once it succeeded; an existing file is replaced only with
 * `params.overwrite`, and a failure removes only what the run created.
 *
 * @example
 * ```ts
 * const result = await runOperation('clip-cut', { input: 'talk.mp4', exports: ['edl'] }, {
 *   onProgress: (p) => console.log(p.stage, p.fraction),
 * });
 * console.log(result.clips.length, result.outputs.edl);
 * ```
 * @throws FramewrightError with a stable code: `UNKNOWN_OPERATION`, `INVALID_PARAMS`,
 *   `OPERATION_UNAVAILABLE`, `OUTPUT_NOT_ALLOWED`, `OUTPUT_EXISTS`, `CANCELLED`, or the operation's own
 * @group Run an operation
 */
export async function runOperation<O extends OperationName>(op: O, params: OperationParams<O>, options: RunOptions<O> = {}): Promise<OperationResult<O>> {
  const checked = await checkOperation(op, params, options);
  const { signal } = options;
  if (signal?.aborted) throw cancelled(op);
  const policy = { requested: outputDirOf(checked), defaultDir: options.defaultOutputDir, root: options.outputRoot };
  const outputs = new OutputLedger({
    dir: (await resolveOutputDir(policy)).dir,
    overwrite: (checked as { overwrite?: boolean }).overwrite === true,
    ...(options.recordOutputs === undefined ? {} : { record: options.recordOutputs }),
  });
  await outputs.willCreateDir(outputs.dir);
  let outputDir: string;
  try {
    outputDir = await prepareOutputDir(policy);
    if (signal?.aborted) throw cancelled(op);
  } catch (error) {
    await outputs.undo();
    throw error;
  }

  // A bad progress event is an engine bug; throwing it inside the operation's event handlers
  // could escape as an uncaught error, so the run is aborted and the bug reported afterwards.
  const internal = new AbortController();
  let bug: FramewrightError | undefined;
  const combined = signal === undefined ? internal.signal : AbortSignal.any([signal, internal.signal]);
  const onProgress = (progress: OperationProgress<O>): void => {
    if (bug !== undefined) return;
    const problem = findSchemaProblem(OPERATIONS[op].progress, progress);
    if (problem !== undefined) {
      bug = new FramewrightError('INTERNAL', `engine bug: ${op} progress ${problem.pointer} ${problem.message}`);
      internal.abort(bug);
      return;
    }
    options.onProgress?.(progress);
  };

  let result: OperationResult<O>;
  try {
    // Writes the operation makes outside outputs.transact are staged too, and put in place here.
    result = await withOutputStager(outputs, () => (options.registry ?? OPERATION_REGISTRY)[op].run(checked, { signal: combined, onProgress, outputDir, outputs, ...(options.pathInFiles === undefined ? {} : { pathInFiles: options.pathInFiles }) }));
    await outputs.commit();
  } catch (error) {
    await outputs.undo();
    if (bug !== undefined) throw bug;
    if (signal?.aborted && !(isFramewrightError(error) && error.code === 'CANCELLED')) throw cancelled(op);
    throw toFramewrightError(error);
  }
  if (bug !== undefined) throw bug;
  const problem = findSchemaProblem(OPERATIONS[op].result, result);
  if (problem !== undefined) throw new FramewrightError('INTERNAL', `engine bug: ${op} result ${problem.pointer || '(root)'} ${problem.message}`);
  return result;
}

/**
 * What each declared operation can do on this machine: available or not, and why not.
 *
 * @example
 * ```ts
 * for (const c of await listCapabilities()) console.log(c.op, c.available ? 'ready' : c.reason);
 * ```
 * @group Run an operation
 */
export async function listCapabilities(registry: OperationRegistry = OPERATION_REGISTRY): Promise<OperationCapability[]> {
  return Promise.all(
    OPERATION_NAMES.map(async (op): Promise<OperationCapability> => {
      const availability = await registry[op].availability();
      const modes = availability.modes === undefined ? {} : { modes: availability.modes.map((m) => ({ ...m })) };
      const models = availability.models === undefined ? {} : { models: [...availability.models] };
      return availability.available || availability.reason === undefined
        ? { op, available: availability.available, ...modes, ...models }
        : { op, available: false, reason: availability.reason, ...modes, ...models };
    }),
  );
}

export { prepareOutputDir, resolveOutputDir } from './output-dir.js';
export { defaultMemoryBudget, formatBytes, parseByteSize } from './memory-budget.js';
export type { OutputDirPolicy } from './output-dir.js';
