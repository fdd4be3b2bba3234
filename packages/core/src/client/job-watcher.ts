import { cancelled, FramewrightError, isTerminal, OPERATIONS, type Job, type OperationName } from '../protocol/index.js';
import { SdkError } from './errors.js';
import { checkArrived } from './session.js';

/** What a watcher needs from its client. */
export interface WatcherHost {
  cancel(jobId: string): Promise<Job>;
  get(jobId: string): Promise<Job>;
  onerror(error: Error): void;
  done(jobId: string): void;
  pollIntervalMs: number;
}

/** The part of the run options a watcher uses (typed loosely here; `run` types it by operation). */
export interface WatchOptions {
  onProgress?: (progress: never) => void;
  signal?: AbortSignal;
  timeoutMs?: number;
}

/**
 * Follows one job until it is final: feeds validated progress to the caller, turns the final
 * state into the run's result or error, cancels the job on abort or time-out, and after a
 * reconnect re-fetches the job and polls it (notifications sent meanwhile are lost).
 */
export class JobWatcher {
  /** Settles with the validated result, or rejects with the job's error. */
  readonly promise: Promise<unknown>;
  private resolve!: (result: unknown) => void;
  private reject!: (error: Error) => void;
  private settled = false;
  private lastProgress: string | undefined;
  private pollTimer: ReturnType<typeof setInterval> | undefined;
  private timeoutTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly onAbort = () => this.cancelOnServer();

  constructor(
    private readonly job: Job,
    private readonly options: WatchOptions,
    private readonly host: WatcherHost,
  ) {
    this.promise = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    options.signal?.addEventListener('abort', this.onAbort, { once: true });
    if (options.signal?.aborted) queueMicrotask(this.onAbort);
    if (options.timeoutMs !== undefined) {
      const ms = options.timeoutMs;
      this.timeoutTimer = setTimeout(() => {
        this.cancelOnServer();
        this.fail(new SdkError('TIMEOUT', `${job.op} job ${job.id} did not finish within ${ms} ms; it was cancelled`));
      }, ms);
    }
  }

  /** A new state of the job (notification, `job.get` or `job.cancel` answer). */
  update(job: Job): void {
    if (this.settled || job.id !== this.job.id) return;
    if (job.progress !== undefined && !isTerminal(job.state)) this.progress(job.progress);
    if (!isTerminal(job.state)) return;
    if (job.state === 'succeeded') {
      let result: unknown;
      try {
        result = checkArrived(OPERATIONS[this.job.op].result, job.result, `${this.job.op} result`);
      } catch (error) {
        this.fail(error as Error);
        return;
      }
      this.finish(() => this.resolve(result));
      return;
    }
    if (job.error !== undefined) this.fail(FramewrightError.fromWire(job.error));
    else if (job.state === 'cancelled') this.fail(cancelled(`${this.job.op} job ${job.id}`));
    else this.fail(new FramewrightError('INTERNAL', `${this.job.op} job ${job.id} failed without saying why`));
  }

  /** A progress event for this job; it is validated against the operation's progress schema. */
  progress(progress: unknown): void {
    if (this.settled) return;
    const key = JSON.stringify(progress);
    if (key === this.lastProgress) return;
    try {
      checkArrived(OPERATIONS[this.job.op].progress, progress, `${this.job.op} progress event`);
    } catch (error) {
      this.host.onerror(error as Error);
      return;
    }
    this.lastProgress = key;
    try {
      (this.options.onProgress as ((p: unknown) => void) | undefined)?.(progress);
    } catch (error) {
      this.host.onerror(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /** Rejects the run (connection lost for good, client closed, time-out). */
  fail(error: Error): void {
    this.finish(() => this.reject(error));
  }

  /** After a reconnect: fetch the job now, then poll it until it is final. */
  resync(): void {
    if (this.settled) return;
    const fetch = () => {
      this.host.get(this.job.id).then(
        (job) => this.update(job),
        (error: unknown) => {
          // A server that restarted without this job cannot finish it: that ends the run.
          if (error instanceof FramewrightError && error.code === 'JOB_NOT_FOUND') this.fail(error);
          else this.host.onerror(error instanceof Error ? error : new Error(String(error)));
        },
      );
    };
    fetch();
    this.pollTimer ??= setInterval(fetch, this.host.pollIntervalMs);
  }

  private cancelOnServer(): void {
    if (this.settled) return;
    this.host.cancel(this.job.id).then(
      (job) => this.update(job),
      (error: unknown) => this.host.onerror(error instanceof Error ? error : new Error(String(error))),
    );
  }

  private finish(settle: () => void): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timeoutTimer);
    clearInterval(this.pollTimer);
    this.options.signal?.removeEventListener('abort', this.onAbort);
    this.host.done(this.job.id);
    settle();
  }
}
