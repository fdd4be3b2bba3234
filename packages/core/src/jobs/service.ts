import type { Job, OperationCapability, OperationName } from '../protocol/index.js';

/** A job entered a new state. */
export interface JobStateEvent {
  /** Discriminant. */
  readonly type: 'state';
  /** The job in its new state (a copy). */
  readonly job: Job;
}

/** A running job reported progress. */
export interface JobProgressEvent {
  /** Discriminant. */
  readonly type: 'progress';
  /** The job's id. */
  readonly jobId: string;
  /** The job's operation. */
  readonly op: OperationName;
  /** The progress event, in the operation's progress schema (ETA filled in when the operation gave none). */
  readonly progress: unknown;
}

/** A change in the queue, as its listeners see it. */
export type JobEvent = JobStateEvent | JobProgressEvent;


/**
 * What a server needs of a job queue: the in-process {@link JobQueue} and the cluster's Redis
 * queue (`serve --queue redis://…`) both offer it, so routes and connections never know which
 * one runs their jobs.
 */
export interface JobService {
  /** Queues a job after its checks; resolves once the job's record is durable. */
  submit(op: OperationName, params: unknown): Promise<Job>;
  /** A job by id. @throws FramewrightError `JOB_NOT_FOUND` */
  get(id: string): Promise<Job>;
  /** Jobs, newest first (at most `limit`). */
  list(limit?: number): Job[] | Promise<Job[]>;
  /** Cancels a job and waits up to `waitMs` for it to stop; a finished job is returned unchanged. */
  cancel(id: string, waitMs?: number): Promise<Job>;
  /** Listens to state changes and progress; returns the function that stops listening. */
  subscribe(listener: (event: JobEvent) => void): () => void;
  /**
   * What the operations can do where the jobs run, when that is not this process (a cluster
   * answers with what its live workers announce); absent: the server's own registry answers.
   */
  capabilities?(): Promise<OperationCapability[]>;
  /** Stops; what it runs itself is cancelled, and pending writes are waited for. */
  close(): Promise<void>;
}

/**
 * Fills in `etaSeconds` from the time since the job started when the operation gave none and
 * the fraction says enough (above 1 %, below 100 %).
 */
export function withEta(event: Record<string, unknown>, startedMs: number, now = Date.now()): Record<string, unknown> {
  const progress = { ...event };
  const fraction = progress['fraction'];
  if (progress['etaSeconds'] === undefined && typeof fraction === 'number' && fraction > 0.01 && fraction < 1) {
    const elapsed = (now - startedMs) / 1000;
    progress['etaSeconds'] = Math.round((elapsed * (1 - fraction)) / fraction * 10) / 10;
  }
  return progress;
}
