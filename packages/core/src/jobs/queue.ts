import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { cancelled, FramewrightError, isTerminal, toFramewrightError, type Job, type OperationName } from '../protocol/index.js';
import { stderrLogger, type Logger, type LogLevel } from '../util/log.js';
import type { OutputRecord } from '../util/outputs.js';
import type { JobJournal, RecoveredJob } from './journal.js';
import { withEta, type JobEvent, type JobService } from './service.js';

/** What a job runner gets besides the op and its params. */
export interface JobRunContext {
  /** The job being run. */
  readonly jobId: string;
  /** Aborted when the job is cancelled; the runner must stop (kill its children) and reject. */
  readonly signal: AbortSignal;
  /** Receives the operation's progress events. */
  readonly onProgress: (progress: unknown) => void;
  /**
   * Journals what the run is about to create; resolves once that is on disk, so a server
   * restarted after a crash removes it (the engine's `recordOutputs`).
   */
  readonly recordOutputs: (record: OutputRecord) => Promise<void>;
}

/** Runs the work of a job; the queue only schedules it. */
export interface JobRunner {
  /** Rejects a request that cannot run (bad params, unavailable op, output not allowed) before it is queued. */
  check(op: OperationName, params: unknown): Promise<void>;
  /** Runs it to its result, or rejects with a `FramewrightError` (`CANCELLED` once the signal aborts). */
  run(op: OperationName, params: unknown, context: JobRunContext): Promise<unknown>;
}

/** Options of {@link JobQueue}. */
export interface JobQueueOptions {
  /** Runs the jobs. */
  readonly runner: JobRunner;
  /** Jobs running at once (default: half the CPU threads, at least 1). */
  readonly concurrency?: number;
  /** Where finished jobs are kept across restarts; without it jobs live only in memory. */
  readonly journal?: JobJournal;
  /** Finished jobs kept in memory (older ones are still answered from the journal). Default 500. */
  readonly maxFinishedInMemory?: number;
  /** Jobs allowed to wait at once; more are refused. Default 10 000. */
  readonly maxQueued?: number;
  /** Least milliseconds between two progress events of one job (stage changes always pass). Default 100. */
  readonly progressIntervalMs?: number;
  /** Where the queue reports what needs an operator's eye, one line each (default: standard error). */
  readonly log?: Logger;
}

interface Entry {
  job: Job;
  params: unknown;
  controller?: AbortController;
  settled?: Promise<void>;
  startedMs: number;
  lastProgressMs: number;
  lastStage?: unknown;
  trailing?: ReturnType<typeof setTimeout>;
  journaled: Promise<void>;
  /** What the running job's run may have created, journaled with it. */
  outputs?: OutputRecord;
  /** Its final state being written (the job reads as before until that is on disk). */
  finishing?: Promise<void>;
}

/**
 * The in-process job queue: runs at most `concurrency` jobs at once, reports state and progress
 * (ETA filled in from elapsed time when the operation gives none) to its listeners, cancels by
 * AbortSignal, and journals every job so a restarted server still answers for it: a job is on
 * disk before `submit` resolves, and one a crash cut off is reported failed (`INTERRUPTED`) with
 * the outputs its run created removed.
 *
 * @example
 * ```ts
 * // runner: any JobRunner, e.g. the server's engineJobRunner({ outputRoot })
 * const queue = await JobQueue.open({ runner, journal: new JobJournal(dir) });
 * queue.subscribe((e) => { if (e.type === 'state') console.log(e.job.id, e.job.state); });
 * const job = await queue.submit('clip-cut', { input: 'talk.mp4' });
 * ```
 */
export class JobQueue implements JobService {
  private readonly jobs = new Map<string, Entry>();
  private readonly pending: string[] = [];
  private readonly listeners = new Set<(event: JobEvent) => void>();
  private readonly concurrency: number;
  private running = 0;
  private finished = 0;
  private closed = false;

  private constructor(private readonly options: JobQueueOptions) {
    this.concurrency = Math.max(1, Math.floor(options.concurrency ?? Math.max(1, availableParallelism() / 2)));
  }

  /**
   * Opens a queue, loading the journal's newest finished jobs. Jobs its last server did not
   * finish become failed (`INTERRUPTED`), their outputs are removed, and each is logged.
   */
  static async open(options: JobQueueOptions): Promise<JobQueue> {
    const queue = new JobQueue(options);
    const loaded = (await options.journal?.load(queue.maxFinished)) ?? { jobs: [], recovered: [] };
    for (const recovered of loaded.recovered) queue.reportRecovered(recovered);
    for (const job of loaded.jobs.reverse()) {
      queue.jobs.set(job.id, { job, params: undefined, startedMs: 0, lastProgressMs: 0, journaled: Promise.resolve() });
      queue.finished++;
    }
    return queue;
  }

  private log(line: string, level: LogLevel = 'info'): void {
    (this.options.log ?? stderrLogger)(line, level);
  }

  private reportRecovered({ job, removed, folders, failed }: RecoveredJob): void {
    const what = [
      removed.length === 0 ? 'it had created no files' : `removed ${removed.join(', ')}`,
      ...(folders.length === 0 ? [] : [`removed its empty folder${folders.length === 1 ? '' : 's'} ${folders.join(', ')}`]),
      ...(failed.length === 0 ? [] : [`could not remove ${failed.join(', ')}`]),
    ];
    this.log(`job ${job.id} (${job.op}) was cut off when its server stopped and is reported failed (INTERRUPTED); ${what.join('; ')}`);
  }

  private get maxFinished(): number {
    return this.options.maxFinishedInMemory ?? 500;
  }

  /** Listens to every state change and progress event; returns the function that stops listening. */
  subscribe(listener: (event: JobEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: JobEvent): void {
    // A listener that throws is one client's bug: logged, it must not stop the others hearing
    // the event, nor the job that emitted it.
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        const about = event.type === 'state' ? `${event.job.state} of job ${event.job.id}` : `progress of job ${event.jobId}`;
        this.log(`a queue listener failed on the ${about}: ${toFramewrightError(error).message}`, 'warn');
      }
    }
  }

  /**
   * Queues a job after the runner's checks. It resolves once the job's record is on disk (with
   * a journal), so a job that was answered is never forgotten, whatever stops the server. The
   * job starts on a later turn of the event loop, so the caller can answer with the queued job
   * before any of its events.
   *
   * @throws FramewrightError from the runner's checks, `INVALID_REQUEST` when closed or full,
   *   `OUTPUT_FAILED` when the journal cannot be written
   */
  async submit(op: OperationName, params: unknown): Promise<Job> {
    if (this.closed) throw new FramewrightError('INVALID_REQUEST', 'the job queue is shutting down');
    if (this.pending.length >= (this.options.maxQueued ?? 10_000)) {
      throw new FramewrightError('INVALID_REQUEST', `the job queue is full (${this.pending.length} jobs waiting); try again later`);
    }
    await this.options.runner.check(op, params);
    if (this.closed) throw new FramewrightError('INVALID_REQUEST', 'the job queue is shutting down');
    const job: Job = { id: randomUUID(), op, state: 'queued', createdAt: new Date().toISOString() };
    const entry: Entry = { job, params, startedMs: 0, lastProgressMs: 0, journaled: Promise.resolve() };
    this.jobs.set(job.id, entry);
    try {
      await this.journal(entry);
    } catch (error) {
      this.jobs.delete(job.id);
      throw new FramewrightError('OUTPUT_FAILED', `cannot record the job in the journal ${this.options.journal?.dir ?? ''}, so it was not queued: ${toFramewrightError(error).message}`, { cause: error });
    }
    // Closing meanwhile cancelled it (and journaled that).
    if (entry.job.state !== 'queued') return { ...entry.job };
    this.pending.push(job.id);
    this.emit({ type: 'state', job: { ...job } });
    setImmediate(() => this.pump());
    return { ...job };
  }

  /**
   * A job by id, from memory or else from the journal.
   * @throws FramewrightError `JOB_NOT_FOUND`
   */
  async get(id: string): Promise<Job> {
    const entry = this.jobs.get(id);
    if (entry !== undefined) return { ...entry.job };
    const stored = await this.options.journal?.recover(id, (r) => this.reportRecovered(r));
    if (stored === undefined) throw new FramewrightError('JOB_NOT_FOUND', `no job with id ${JSON.stringify(id)}`);
    return stored;
  }

  /** Jobs in memory, newest first (at most `limit`). */
  list(limit = 1000): Job[] {
    return [...this.jobs.values()].reverse().slice(0, limit).map((e) => ({ ...e.job }));
  }

  /**
   * Cancels a job: a queued one at once; a running one is aborted (its children killed) and
   * this waits up to `waitMs` for it to stop. A finished job is returned unchanged.
   *
   * @throws FramewrightError `JOB_NOT_FOUND`
   */
  async cancel(id: string, waitMs = 10_000): Promise<Job> {
    const entry = this.jobs.get(id);
    if (entry === undefined) return this.get(id);
    if (entry.finishing !== undefined) {
      await entry.finishing;
    } else if (entry.job.state === 'queued') {
      const at = this.pending.indexOf(id);
      if (at >= 0) this.pending.splice(at, 1);
      await this.finish(entry, 'cancelled', { error: cancelled(entry.job.op, 'before it started') });
    } else if (entry.job.state === 'running') {
      entry.controller?.abort(cancelled(entry.job.op));
      let timer: ReturnType<typeof setTimeout> | undefined;
      const patience = Number.isFinite(waitMs) ? [new Promise<void>((r) => (timer = setTimeout(r, waitMs)))] : [];
      await Promise.race([entry.settled, ...patience]);
      clearTimeout(timer);
    }
    return { ...entry.job };
  }

  /** Stops taking jobs, cancels queued and running ones, and waits for them and the journal. */
  async close(): Promise<void> {
    this.closed = true;
    const active = [...this.jobs.values()].filter((e) => !isTerminal(e.job.state));
    await Promise.all(active.map((e) => this.cancel(e.job.id, Number.POSITIVE_INFINITY)));
    await Promise.all([...this.jobs.values()].map((e) => e.journaled));
  }

  private pump(): void {
    while (!this.closed && this.running < this.concurrency && this.pending.length > 0) {
      const entry = this.jobs.get(this.pending.shift()!);
      if (entry?.job.state === 'queued') this.start(entry);
    }
  }

  private start(entry: Entry): void {
    this.running++;
    const controller = new AbortController();
    entry.controller = controller;
    entry.startedMs = Date.now();
    entry.job = { ...entry.job, state: 'running', startedAt: new Date(entry.startedMs).toISOString() };
    void this.journal(entry);
    this.emit({ type: 'state', job: { ...entry.job } });
    const context: JobRunContext = {
      jobId: entry.job.id,
      signal: controller.signal,
      onProgress: (p) => this.progress(entry, p),
      recordOutputs: (record) => {
        entry.outputs = record;
        return this.journal(entry);
      },
    };
    entry.settled = this.options.runner
      .run(entry.job.op, entry.params, context)
      .then(
        (result) => this.finish(entry, 'succeeded', { result }),
        (error: unknown) => {
          const fe = toFramewrightError(error);
          return this.finish(entry, controller.signal.aborted || fe.code === 'CANCELLED' ? 'cancelled' : 'failed', { error: fe });
        },
      )
      .finally(() => {
        this.running--;
        this.pump();
      });
  }

  private progress(entry: Entry, event: unknown): void {
    if (entry.job.state !== 'running' || typeof event !== 'object' || event === null) return;
    const progress = withEta(event as Record<string, unknown>, entry.startedMs);
    entry.job = { ...entry.job, progress };
    const now = Date.now();
    const interval = this.options.progressIntervalMs ?? 100;
    clearTimeout(entry.trailing);
    entry.trailing = undefined;
    if (progress['stage'] !== entry.lastStage || now - entry.lastProgressMs >= interval) {
      this.emitProgress(entry, progress, now);
    } else {
      // The latest event still goes out, only later, so a pause never hides where the job is.
      entry.trailing = setTimeout(() => this.emitProgress(entry, progress, Date.now()), interval - (now - entry.lastProgressMs));
    }
  }

  private emitProgress(entry: Entry, progress: Record<string, unknown>, now: number): void {
    entry.trailing = undefined;
    if (entry.job.state !== 'running') return;
    entry.lastProgressMs = now;
    entry.lastStage = progress['stage'];
    this.emit({ type: 'progress', jobId: entry.job.id, op: entry.job.op, progress });
  }

  private finish(entry: Entry, state: 'succeeded' | 'failed' | 'cancelled', outcome: { result?: unknown; error?: FramewrightError }): Promise<void> {
    entry.finishing ??= this.settle(entry, state, outcome);
    return entry.finishing;
  }

  private async settle(entry: Entry, state: 'succeeded' | 'failed' | 'cancelled', outcome: { result?: unknown; error?: FramewrightError }): Promise<void> {
    clearTimeout(entry.trailing);
    const job: Job = { ...entry.job, state, finishedAt: new Date().toISOString() };
    if (outcome.result !== undefined) job.result = outcome.result;
    if (outcome.error !== undefined) job.error = outcome.error.toWire();
    // The run put its outputs in place or removed them: nothing is left to undo after a crash.
    entry.outputs = undefined;
    // Nobody sees a final state before it is on disk, so what a client was told survives a
    // restart: until then the job reads as still running, to listeners and to lookups alike.
    void this.journal(entry, job);
    await entry.journaled;
    entry.job = job;
    entry.params = undefined;
    entry.controller = undefined;
    entry.finishing = undefined;
    this.finished++;
    this.emit({ type: 'state', job: { ...job } });
    this.evict();
  }

  /**
   * Writes the job's record (as it is now, or as `job` says it will be); resolves once it is on
   * disk, rejects when it cannot be written (which is also logged, so callers that do not wait
   * lose nothing).
   */
  private journal(entry: Entry, job: Job = entry.job): Promise<void> {
    const { journal } = this.options;
    if (journal === undefined) return Promise.resolve();
    const snapshot = { ...job };
    const outputs = entry.outputs;
    // Writes of one job are chained so an older state never lands after a newer one.
    const written = entry.journaled.then(() => journal.write(snapshot, outputs));
    entry.journaled = written.catch((error: unknown) => {
      this.log(`cannot journal job ${snapshot.id}: ${toFramewrightError(error).message}`, 'warn');
    });
    return written;
  }

  private evict(): void {
    if (this.finished <= this.maxFinished) return;
    for (const [id, entry] of this.jobs) {
      if (this.finished <= this.maxFinished) break;
      if (isTerminal(entry.job.state)) {
        this.jobs.delete(id);
        this.finished--;
      }
    }
  }
}
