// A cluster worker (`framewright worker --queue redis://…`): announces what this machine can run,
// takes jobs from the BullMQ queues of those routes only, runs each in a job process and writes
// the job's record, progress and result to Redis, where every server reads them.
import { hostname, tmpdir } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Worker, type Job as BullJob } from 'bullmq';
import type { Redis } from 'ioredis';
import { cancelled, FramewrightError, isTerminal, OPERATION_NAMES, toFramewrightError, type Job, type OperationName, type WireError } from '../protocol/index.js';
import { withEta } from '../jobs/index.js';
import { resolvePaths } from '../config/index.js';
import { stderrLogger, type Logger } from '../util/log.js';
import { undoOutputs, type OutputRecord } from '../util/outputs.js';
import { ChildPool, type JobProcess } from './child-pool.js';
import { bullConnection, ClusterKeys, connect, parseRecord, queueName, routesOf, type ClusterEvent, type JobRecord, type WorkerAnnouncement } from './keys.js';
import { PathMap, type PathMapping } from './path-map.js';
import { FileServer, removeStaleStaging, StagedJob, type FilesFromServer } from './remote-files.js';
import { interruptedMessage, isRetrySafe, MAX_ATTEMPTS } from './recovery.js';

/** How often a worker renews its announcement, and how long one lives unrenewed. */
const ANNOUNCE_EVERY_MS = 2000;
const ANNOUNCE_TTL_MS = 6000;
/** Least milliseconds between two progress writes of one job (stage changes always pass), as in the in-process queue. */
const PROGRESS_INTERVAL_MS = 100;

/** Options of {@link startWorker}. */
export interface ClusterWorkerOptions {
  /** The cluster's Redis, `redis://host:port[/db]`. */
  readonly url: string;
  /** Key prefix of the cluster (default `fw`). */
  readonly prefix?: string;
  /** Jobs run at once, each in its own job process (default 1). */
  readonly concurrency?: number;
  /** Operations this worker takes, of those that run here (default: all that run here). */
  readonly ops?: readonly OperationName[];
  /** Shared folders: jobs' paths to this machine's (`--path-map`). */
  readonly pathMap?: readonly PathMapping[];
  /**
   * No shared folder at all (`--files-from`): each job's inputs are downloaded from this server
   * into a private staging folder, its run writes into another, and its outputs are sent back to
   * the server's paths for them. A job's inputs must then lie in the server's output root (upload
   * them first with `PUT /v1/files/<name>`). Not with {@link ClusterWorkerOptions.pathMap}.
   */
  readonly filesFrom?: FilesFromServer;
  /**
   * Where jobs may write on this machine when there is no path map (default: the configured
   * output root). With a path map, jobs write only inside the mapped folders. A job whose
   * server's output root lies elsewhere is refused with `OUTPUT_NOT_ALLOWED`, whatever Redis says.
   */
  readonly outputRoot?: string;
  /** Most memory one job may need, in bytes (default: the engine's). */
  readonly memoryBudgetBytes?: number;
  /** BullMQ lock duration: how long a dead worker's job stays running before another takes it over (default 30 000). */
  readonly lockDurationMs?: number;
  /** Environment of the job processes (default this process's). */
  readonly env?: NodeJS.ProcessEnv;
  /** Where it reports what needs an operator's eye. */
  readonly log?: Logger;
}

/** A started worker. */
export interface RunningWorker {
  /** Its id, as its announcement and the records of its jobs name it. */
  readonly id: string;
  /** What it announced. */
  readonly announcement: WorkerAnnouncement;
  /** Stops taking jobs, waits for the running ones, ends its job processes. */
  close(): Promise<void>;
  /**
   * Stops at once (a second Ctrl+C, or Redis is unreachable so `close` cannot finish): running
   * jobs are cut off, their job processes killed (which removes their partial outputs), and
   * another worker takes them over once their locks lapse, as after a crash.
   */
  stop(): Promise<void>;
}

/** How a run ended: the record to finish and its final state. */
interface Ending {
  record: JobRecord;
  state: 'succeeded' | 'failed' | 'cancelled';
  result?: unknown;
  error?: WireError;
}

interface Active {
  record: JobRecord;
  process: JobProcess;
  /** Aborts the job's transfers (with `--files-from`). */
  transfers?: AbortController;
}

class ClusterWorker {
  readonly keys: ClusterKeys;
  readonly redis: Redis;
  readonly sub: Redis;
  readonly pool: ChildPool;
  readonly paths: PathMap;
  readonly active = new Map<string, Active>();
  readonly workers: Worker[] = [];
  /** Writes of one job are chained, so an older record never lands after a newer one. */
  readonly writes = new Map<string, Promise<void>>();
  announcement!: WorkerAnnouncement;
  announcer: ReturnType<typeof setInterval> | undefined;

  constructor(
    readonly options: ClusterWorkerOptions,
    readonly id: string,
    readonly log: Logger,
  ) {
    this.keys = new ClusterKeys(options.prefix);
    this.redis = connect(options.url, (line) => log(line, 'warn'));
    this.sub = connect(options.url);
    this.pool = new ChildPool(Math.max(1, Math.floor(options.concurrency ?? 1)), options.env ?? process.env);
    this.paths = new PathMap(options.pathMap ?? []);
    if (options.filesFrom !== undefined) {
      if ((options.pathMap ?? []).length > 0) throw new FramewrightError('INVALID_PARAMS', 'a worker takes either path maps (a shared folder) or files from a server (--files-from), not both');
      this.files = new FileServer(options.filesFrom);
      this.stagingRoot = resolve(options.filesFrom.stagingDir ?? join(tmpdir(), 'framewright-worker'));
    }
  }

  /** With `--files-from`: the server that holds the jobs' files, and where jobs are staged here. */
  readonly files: FileServer | undefined;
  readonly stagingRoot: string | undefined;

  async start(): Promise<void> {
    if (this.stagingRoot !== undefined) await removeStaleStaging(this.stagingRoot);
    const caps = await this.pool.any().capabilities();
    const wanted = new Set<OperationName>(this.options.ops ?? OPERATION_NAMES);
    const operations = caps.operations.map((c) => (wanted.has(c.op) ? c : { op: c.op, available: false, reason: `${c.op} is not taken by this worker (--ops)` }));
    const routes = routesOf(operations);
    this.announcement = { id: this.id, host: hostname(), pid: process.pid, routes, operations, executionProviders: caps.executionProviders, concurrency: this.pool.size };
    await this.announce();
    this.announcer = setInterval(() => void this.announce().catch((e: unknown) => this.log(`cannot renew the worker's announcement: ${toFramewrightError(e).message}`, 'warn')), ANNOUNCE_EVERY_MS);
    await this.sub.subscribe(this.keys.cancel);
    this.sub.on('message', (channel: string, id: string) => {
      if (channel !== this.keys.cancel) return;
      const active = this.active.get(id);
      active?.transfers?.abort(cancelled(active.record.job.op));
      active?.process.cancel(id);
    });
    const lockDuration = this.options.lockDurationMs ?? 30_000;
    for (const route of routes) {
      const worker = new Worker(queueName(route), (job: BullJob) => this.process(job), {
        connection: bullConnection(this.options.url),
        prefix: this.keys.bull,
        concurrency: this.pool.size,
        lockDuration,
        stalledInterval: lockDuration,
        // A stalled job comes back to a worker, which retries or fails it (see process()); BullMQ
        // fails it on its own only past this, and then 'failed' below reports it.
        maxStalledCount: MAX_ATTEMPTS + 1,
      });
      worker.on('failed', (job) => void this.onBullFailed(job).catch(() => undefined));
      worker.on('error', (error) => this.log(`worker queue ${route}: ${error.message}`, 'warn'));
      this.workers.push(worker);
    }
  }

  /**
   * Whether worker `id` still announces itself: its announcement outlives it by at most its TTL,
   * so one that is still there after that was renewed.
   */
  async alive(id: string): Promise<boolean> {
    const left = await this.redis.pttl(this.keys.worker(id));
    if (left < 0) return false;
    await new Promise((r) => setTimeout(r, left + 100));
    return (await this.redis.exists(this.keys.worker(id))) === 1;
  }

  async announce(): Promise<void> {
    await this.redis.multi().set(this.keys.worker(this.id), JSON.stringify(this.announcement), 'PX', ANNOUNCE_TTL_MS).sadd(this.keys.workers, this.id).exec();
  }

  async read(id: string): Promise<JobRecord | undefined> {
    return parseRecord(await this.redis.get(this.keys.job(id)));
  }

  /** Writes a record and tells every server; resolves once Redis has it. */
  write(record: JobRecord, event?: ClusterEvent): Promise<void> {
    const id = record.job.id;
    const text = JSON.stringify(record);
    const written = (this.writes.get(id) ?? Promise.resolve()).then(async () => {
      const tx = this.redis.multi().set(this.keys.job(id), text);
      if (event !== undefined) tx.publish(this.keys.events, JSON.stringify(event));
      await tx.exec();
    });
    const chained = written.catch((error: unknown) => this.log(`cannot write job ${id}: ${toFramewrightError(error).message}`, 'warn'));
    this.writes.set(id, chained);
    void chained.then(() => {
      if (this.writes.get(id) === chained) this.writes.delete(id);
    });
    return written;
  }

  async finish(record: JobRecord, state: 'succeeded' | 'failed' | 'cancelled', outcome: { result?: unknown; error?: WireError }): Promise<void> {
    const job: Job = { ...record.job, state, finishedAt: new Date().toISOString() };
    if (outcome.result !== undefined) job.result = outcome.result;
    if (outcome.error !== undefined) job.error = outcome.error;
    const { params: _params, outputs: _outputs, ...kept } = record;
    await this.write({ ...kept, job }, { type: 'state', job });
    await this.redis.del(this.keys.cancelled(job.id));
  }

  /** Refuses an output root outside the folders this worker lets jobs write in. */
  checkOutputRoot(root: string): void {
    const allowed = this.paths.mappings.length > 0 ? this.paths.mappings.map((m) => m.local) : [resolve(this.options.outputRoot ?? resolvePaths({ env: this.options.env ?? process.env }).outputRoot.path)];
    const inside = (base: string) => {
      const rel = relative(base, resolve(root));
      return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
    };
    if (!allowed.some(inside)) {
      throw new FramewrightError('OUTPUT_NOT_ALLOWED', `the job's output root ${root} is outside what this worker writes in (${allowed.join(', ')}; set --output-root or --path-map)`);
    }
  }

  /** The BullMQ processor: decides whether the job runs (taken over, cancelled) and runs it. */
  async process(bullJob: BullJob): Promise<void> {
    const id = (bullJob.data as { id?: unknown }).id;
    if (typeof id !== 'string') return;
    const record = await this.read(id);
    if (record === undefined || isTerminal(record.job.state)) return;
    const cancelFlag = (await this.redis.exists(this.keys.cancelled(id))) === 1;
    if (record.job.state === 'running') {
      // BullMQ found its lock expired. A worker that still announces itself is alive (its lock
      // lapsed, say, through a Redis outage) and still runs the job: its record is its to finish.
      if (this.active.has(id) || (record.worker !== undefined && (await this.alive(record.worker)))) return;
      // Its worker died mid-run: undo what the run created.
      const undone = record.outputs === undefined ? { removed: [], failed: [] } : await this.undo(record.outputs);
      const { outputs: _outputs, ...cleared } = record;
      if (cancelFlag) return this.finish(cleared, 'cancelled', { error: cancelled(record.job.op).toWire() });
      if (!isRetrySafe(record) || (record.attempts ?? 0) >= MAX_ATTEMPTS) {
        this.log(`job ${id} (${record.job.op}) was cut off when worker ${record.worker ?? '?'} stopped and is reported failed (INTERRUPTED)`, 'info');
        return this.finish(cleared, 'failed', { error: { code: 'INTERRUPTED', message: interruptedMessage(undone.removed, undone.failed) } });
      }
      this.log(`job ${id} (${record.job.op}) was cut off when worker ${record.worker ?? '?'} stopped; it only analyses, so it runs again`, 'info');
      return this.run(cleared);
    }
    if (cancelFlag) return this.finish(record, 'cancelled', { error: cancelled(record.job.op, 'before it started').toWire() });
    return this.run(record);
  }

  /**
   * Undoes what a dead worker's run created: on this machine's files (mapped), and without a
   * shared folder through the server, where such a run put its outputs.
   */
  async undo(outputs: OutputRecord): Promise<{ removed: string[]; failed: string[] }> {
    if (this.files !== undefined) return this.files.undo(outputs);
    return undoOutputs(this.paths.deep(outputs, 'toLocal') as OutputRecord);
  }

  async run(taken: JobRecord): Promise<void> {
    const jobProcess = await this.pool.acquire();
    try {
      const { op, id } = taken.job;
      const startedMs = Date.now();
      const record: JobRecord = {
        ...taken,
        job: { id, op, state: 'running', createdAt: taken.job.createdAt, startedAt: new Date(startedMs).toISOString() },
        worker: this.id,
        attempts: (taken.attempts ?? 0) + 1,
      };
      await this.write(record, { type: 'state', job: record.job });
      let params: unknown;
      let outputRoot: string;
      let defaultOutputDir: string;
      let staged: StagedJob | undefined;
      const transfers = new AbortController();
      this.active.set(id, { record, process: jobProcess, transfers });
      // A cancel that came between the take and now (the flag is set before the message).
      if ((await this.redis.exists(this.keys.cancelled(id))) === 1) transfers.abort(cancelled(op));
      try {
        if (this.files !== undefined) {
          staged = await StagedJob.prepare(this.files, this.stagingRoot!, { id, op, params: taken.params, outputRoot: taken.outputRoot }, transfers.signal);
          params = staged.params;
          outputRoot = staged.outputRoot;
        } else {
          params = this.paths.paramsToLocal(op, taken.params);
          outputRoot = this.paths.toLocal(taken.outputRoot, 'the output root', 'OUTPUT_NOT_ALLOWED');
          this.checkOutputRoot(outputRoot);
        }
        defaultOutputDir = join(outputRoot, id);
      } catch (error) {
        this.active.delete(id);
        const fe = transfers.signal.aborted ? cancelled(op) : toFramewrightError(error);
        return await this.finish(record, fe.code === 'CANCELLED' ? 'cancelled' : 'failed', { error: fe.toWire() });
      }
      let ended: Ending;
      try {
        ended = await this.runStaged(record, jobProcess, { params, outputRoot, defaultOutputDir, startedMs }, staged, transfers);
      } finally {
        this.active.delete(id);
        // Before the final state: whoever hears it finds nothing of the job left on this machine.
        await staged?.remove();
      }
      await this.finish(ended.record, ended.state, ended);
    } finally {
      this.pool.release(jobProcess);
    }
  }

  /** Runs a job whose paths are this machine's, and with `--files-from` sends its outputs back; resolves with how it ended. */
  async runStaged(
    taken: JobRecord,
    jobProcess: JobProcess,
    run: { params: unknown; outputRoot: string; defaultOutputDir: string; startedMs: number },
    staged: StagedJob | undefined,
    transfers: AbortController,
  ): Promise<Ending> {
    const { op, id } = taken.job;
    const { startedMs } = run;
    let record = taken;
    // A cancel that came before the run (the job process hears only those during one).
    if (transfers.signal.aborted) return { record, state: 'cancelled', error: cancelled(op, 'before it started').toWire() };
    let lastMs = 0;
    let lastStage: unknown;
    let trailing: ReturnType<typeof setTimeout> | undefined;
    const sendProgress = (progress: Record<string, unknown>): void => {
      trailing = undefined;
      lastMs = Date.now();
      lastStage = progress['stage'];
      record = { ...record, job: { ...record.job, progress } };
      void this.write(record, { type: 'progress', jobId: id, op, progress }).catch(() => undefined);
    };
    const outcome = await jobProcess.run(
      { type: 'run', id, op, params: run.params, outputRoot: run.outputRoot, defaultOutputDir: run.defaultOutputDir, pathsInFiles: (staged?.paths ?? this.paths).mappings, ...(this.options.memoryBudgetBytes === undefined ? {} : { memoryBudgetBytes: this.options.memoryBudgetBytes }) },
      {
        onProgress: (event) => {
          if (typeof event !== 'object' || event === null) return;
          const progress = withEta(event as Record<string, unknown>, startedMs);
          clearTimeout(trailing);
          const now = Date.now();
          if (progress['stage'] !== lastStage || now - lastMs >= PROGRESS_INTERVAL_MS) sendProgress(progress);
          else trailing = setTimeout(() => sendProgress(progress), PROGRESS_INTERVAL_MS - (now - lastMs));
        },
        onOutputs: async (outputs) => {
          // A staged run's files are this machine's temp files: nothing for another worker to undo.
          if (staged !== undefined) return;
          record = { ...record, outputs: this.paths.deep(outputs, 'toRemote') as OutputRecord };
          await this.write(record);
        },
      },
    );
    clearTimeout(trailing);
    if (!outcome.ok) return { record, state: outcome.error.code === 'CANCELLED' ? 'cancelled' : 'failed', error: outcome.error };
    if (staged === undefined) return { record, state: 'succeeded', result: this.paths.resultToRemote(op, outcome.result) };
    try {
      if (transfers.signal.aborted) throw transfers.signal.reason;
      const overwrite = (taken.params as { overwrite?: unknown } | undefined)?.overwrite === true;
      await staged.send(this.files!, overwrite, transfers.signal, async (outputs) => {
        record = { ...record, outputs };
        await this.write(record);
      });
    } catch (error) {
      const fe = transfers.signal.aborted ? cancelled(op) : toFramewrightError(error);
      return { record, state: fe.code === 'CANCELLED' ? 'cancelled' : 'failed', error: fe.toWire() };
    }
    return { record, state: 'succeeded', result: staged.paths.resultToRemote(op, outcome.result) };
  }

  /** BullMQ gave up on a job (stalled past its limit, or our processor threw): its record says so too. */
  async onBullFailed(bullJob: BullJob | undefined): Promise<void> {
    const id = (bullJob?.data as { id?: unknown } | undefined)?.id;
    if (typeof id !== 'string') return;
    const record = await this.read(id);
    if (record === undefined || isTerminal(record.job.state)) return;
    const reason = bullJob?.failedReason ?? 'unknown';
    await this.finish(record, 'failed', { error: /stalled/i.test(reason) ? { code: 'INTERRUPTED', message: interruptedMessage([], []) } : new FramewrightError('INTERNAL', `the worker could not run the job: ${reason}`).toWire() });
  }

  async close(): Promise<void> {
    clearInterval(this.announcer);
    await Promise.all(this.workers.map((w) => w.close()));
    await this.redis.multi().del(this.keys.worker(this.id)).srem(this.keys.workers, this.id).exec().catch(() => undefined);
    await Promise.all([...this.writes.values()]);
    await this.pool.close();
    this.sub.disconnect();
    await this.redis.quit().catch(() => undefined);
  }

  async stop(): Promise<void> {
    clearInterval(this.announcer);
    // No writes from here on: the jobs' records must still say running, so they are taken over.
    this.redis.disconnect();
    this.sub.disconnect();
    await this.pool.close();
    await Promise.race([Promise.all(this.workers.map((w) => w.close(true))).catch(() => undefined), new Promise((r) => setTimeout(r, 1000).unref())]);
  }
}

/**
 * Starts a cluster worker: it announces the operations, model packs and ONNX execution providers
 * of this machine, and takes jobs only from the routes it can run.
 *
 * @example
 * ```ts
 * const worker = await startWorker({ url: 'redis://127.0.0.1:6379', concurrency: 2 });
 * console.log(worker.announcement.routes); // e.g. ['clip-cut', 'image-gen.framewright-shapes-32', 'video-gen']
 * await worker.close();
 * ```
 */
export async function startWorker(options: ClusterWorkerOptions): Promise<RunningWorker> {
  const worker = new ClusterWorker(options, `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`, options.log ?? stderrLogger);
  try {
    await worker.start();
  } catch (error) {
    await worker.close().catch(() => undefined);
    throw error;
  }
  let closing: Promise<void> | undefined;
  return {
    id: worker.id,
    announcement: worker.announcement,
    close: () => (closing ??= worker.close()),
    stop: () => worker.stop(),
  };
}
