// The server's side of a cluster (`serve --queue redis://…`): jobs go on BullMQ queues, one per
// route, and every answer comes from the records in Redis, so any server answers for any job and
// a restarted server loses nothing. Workers (worker.ts) run the jobs and write their records.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Queue, type ConnectionOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  assertValid,
  cancelled,
  FramewrightError,
  findSchemaProblem,
  isOperationName,
  isTerminal,
  JobSchema,
  OPERATION_NAMES,
  OPERATIONS,
  toFramewrightError,
  type Job,
  type OperationCapability,
  type OperationName,
} from '../protocol/index.js';
import { quoted } from '../protocol/validate.js';
import { resolveOutputDir } from '../engine/index.js';
import type { JobEvent, JobService } from '../jobs/index.js';
import { stderrLogger, type Logger } from '../util/log.js';
import { ClusterKeys, connect, parseRecord, queueName, routeOf, type ClusterEvent, type JobRecord, type WorkerAnnouncement } from './keys.js';

/** Job ids the queue makes (UUIDs); anything else is no job of ours. */
const SAFE_ID = /^[A-Za-z0-9-]{1,100}$/;

/** How long the server waits for Redis when it starts. */
const CONNECT_TIMEOUT_MS = 5000;

/** Options of {@link RedisJobQueue.open}. */
export interface RedisJobQueueOptions {
  /** The cluster's Redis, `redis://host:port[/db]`. */
  readonly url: string;
  /** Outputs go under it (as this server and its clients name it; workers map it with `--path-map`). */
  readonly outputRoot: string;
  /** Key prefix of the cluster (default `fw`). */
  readonly prefix?: string;
  /** Finished jobs kept in Redis (older ones are removed as new ones come). Default 10 000. */
  readonly maxJobs?: number;
  /** Where it reports what needs an operator's eye. */
  readonly log?: Logger;
}

function timeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new FramewrightError('INTERNAL', message)), ms)))]).finally(() => clearTimeout(timer));
}

/**
 * The job queue of a server in a cluster: the same {@link JobService} as the in-process queue,
 * on BullMQ over Redis. A job is in Redis (its record, and its BullMQ job on the queue of its
 * route) before `submit` resolves; Redis with AOF (`appendfsync always`) keeps it through a
 * restart. Progress and states come from the workers over a pub/sub channel.
 *
 * @example
 * ```ts
 * const queue = await RedisJobQueue.open({ url: 'redis://127.0.0.1:6379', outputRoot: '/mnt/studio/out' });
 * const job = await queue.submit('clip-cut', { input: '/mnt/studio/talk.mp4' });
 * ```
 */
export class RedisJobQueue implements JobService {
  readonly #keys: ClusterKeys;
  readonly #queues = new Map<string, Queue>();
  readonly #listeners = new Set<(event: JobEvent) => void>();
  readonly #log: Logger;
  #closed = false;

  private constructor(
    private readonly options: RedisJobQueueOptions,
    private readonly redis: Redis,
    private readonly sub: Redis,
  ) {
    this.#keys = new ClusterKeys(options.prefix);
    this.#log = options.log ?? stderrLogger;
  }

  /**
   * Connects, checks that Redis keeps what it is given (AOF on, no eviction; a warning otherwise),
   * listens to the workers' events, and puts back on their queues jobs whose submit was cut off
   * between their record and their queue entry.
   * @throws FramewrightError `INTERNAL` when Redis cannot be reached
   */
  static async open(options: RedisJobQueueOptions): Promise<RedisJobQueue> {
    const warn = (line: string) => (options.log ?? stderrLogger)(line, 'warn');
    const redis = connect(options.url, warn);
    const sub = connect(options.url);
    const queue = new RedisJobQueue(options, redis, sub);
    try {
      await timeout(redis.ping(), CONNECT_TIMEOUT_MS, `cannot reach Redis at ${options.url} (is redis-server running there?)`);
      await queue.#checkSettings();
      await sub.subscribe(queue.#keys.events);
      sub.on('message', (channel: string, text: string) => {
        if (channel === queue.#keys.events) queue.#receive(text);
      });
      await queue.#requeueLost();
    } catch (error) {
      redis.disconnect();
      sub.disconnect();
      throw error;
    }
    return queue;
  }

  async #checkSettings(): Promise<void> {
    try {
      const [, aof] = (await this.redis.config('GET', 'appendonly')) as string[];
      const [, policy] = (await this.redis.config('GET', 'maxmemory-policy')) as string[];
      if (aof !== 'yes') this.#log(`Redis at ${this.options.url} has appendonly ${aof ?? '?'}: accepted jobs are lost if it restarts (see docs/cluster.md)`, 'warn');
      if (policy !== undefined && policy !== 'noeviction') this.#log(`Redis at ${this.options.url} has maxmemory-policy ${policy}: it may evict job records (set noeviction)`, 'warn');
    } catch {
      // CONFIG may be renamed or refused on a managed Redis; the guide says what to set.
    }
  }

  #queue(route: string): Queue {
    let queue = this.#queues.get(route);
    if (queue === undefined) {
      // One shared connection for every queue: clients choose routes (image-gen models), so a
      // connection per route would let them open any number.
      queue = new Queue(queueName(route), { connection: this.redis as unknown as ConnectionOptions, prefix: this.#keys.bull });
      queue.on('error', (error) => this.#log(`queue ${route}: ${error.message}`, 'warn'));
      this.#queues.set(route, queue);
    }
    return queue;
  }

  async #enqueue(record: JobRecord): Promise<void> {
    await this.#queue(record.route).add('job', { id: record.job.id }, { jobId: record.job.id, removeOnComplete: true, removeOnFail: true });
  }

  /** Queued records without a BullMQ job (a server stopped between the two writes) go on their queue again. */
  async #requeueLost(): Promise<void> {
    const ids = await this.redis.zrevrange(this.#keys.jobs, 0, (this.options.maxJobs ?? 10_000) - 1);
    for (const record of await this.#records(ids)) {
      if (record?.job.state !== 'queued') continue;
      if ((await this.#queue(record.route).getJob(record.job.id)) === undefined) await this.#enqueue(record);
    }
  }

  #receive(text: string): void {
    let event: ClusterEvent;
    try {
      event = JSON.parse(text) as ClusterEvent;
    } catch {
      return;
    }
    if (event.type === 'state' && findSchemaProblem(JobSchema, event.job) !== undefined) return;
    if (event.type !== 'state' && (event.type !== 'progress' || typeof event.jobId !== 'string')) return;
    this.#emit(event.type === 'state' ? { type: 'state', job: event.job } : { type: 'progress', jobId: event.jobId, op: event.op, progress: event.progress });
  }

  #emit(event: JobEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        this.#log(`a queue listener failed: ${toFramewrightError(error).message}`, 'warn');
      }
    }
  }

  /** Listens to every state change and progress event of the cluster's jobs. */
  subscribe(listener: (event: JobEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * What this server can check without running anything: the operation exists, its params match
   * its schema, and its output folder lies under the output root. Whether it can run is the
   * workers' to say (a job no worker takes waits, and says so).
   */
  async #check(op: OperationName, params: unknown): Promise<void> {
    if (!isOperationName(op)) throw new FramewrightError('UNKNOWN_OPERATION', `unknown operation ${quoted(op)}: known are ${OPERATION_NAMES.join(', ')}`);
    assertValid(OPERATIONS[op].params, params, `${op} params`);
    const requested = (params as { outputDir?: unknown }).outputDir;
    await resolveOutputDir({ requested: typeof requested === 'string' ? requested : undefined, defaultDir: join(this.options.outputRoot, 'job'), root: this.options.outputRoot });
  }

  /**
   * Queues a job. It resolves once the job's record and its queue entry are in Redis.
   *
   * An operation none of the live workers runs ({@link RedisJobQueue.capabilities} says it is
   * unavailable) is refused here with `OPERATION_UNAVAILABLE` and that reason, as a local server
   * refuses what it cannot run: a client told so at once does not wait for a job no one takes.
   * A job is queued, and says why it waits, when no worker is running at all (they may be
   * restarting) or when its operation runs but its route does not (an image-gen model no live
   * worker has).
   * @throws FramewrightError from the checks, `OPERATION_UNAVAILABLE`, `INVALID_REQUEST` when closed, `OUTPUT_FAILED` when Redis refuses it
   */
  async submit(op: OperationName, params: unknown): Promise<Job> {
    if (this.#closed) throw new FramewrightError('INVALID_REQUEST', 'the job queue is shutting down');
    await this.#check(op, params);
    let workers: WorkerAnnouncement[];
    try {
      workers = await this.workers();
    } catch (error) {
      throw new FramewrightError('OUTPUT_FAILED', `cannot read the cluster's workers from Redis at ${this.options.url}, so the job was not queued: ${toFramewrightError(error).message}`, { cause: error });
    }
    const capability = this.#capability(op, workers);
    // With no worker up at all (all of them restarting, say) the job waits for one, saying so.
    if (!capability.available && workers.length > 0) throw new FramewrightError('OPERATION_UNAVAILABLE', capability.reason ?? `no live worker runs ${op}`);
    const job: Job = { id: randomUUID(), op, state: 'queued', createdAt: new Date().toISOString() };
    const record: JobRecord = { job, params, route: routeOf(op, params), outputRoot: this.options.outputRoot, attempts: 0 };
    try {
      await this.redis.multi().set(this.#keys.job(job.id), JSON.stringify(record)).zadd(this.#keys.jobs, Date.now(), job.id).exec();
      await this.#enqueue(record);
    } catch (error) {
      throw new FramewrightError('OUTPUT_FAILED', `cannot put the job in Redis at ${this.options.url}, so it was not queued: ${toFramewrightError(error).message}`, { cause: error });
    }
    this.#emit({ type: 'state', job: { ...job } });
    void this.#trim().catch((error: unknown) => this.#log(`cannot remove old jobs from Redis: ${toFramewrightError(error).message}`, 'warn'));
    const waiting = this.#waitingReason(record.route, workers);
    if (waiting === undefined) return { ...job };
    this.#log(`job ${job.id} (${op}) waits: ${waiting}`, 'info');
    return { ...job, waiting };
  }

  /** Removes the oldest finished jobs beyond `maxJobs`. */
  async #trim(): Promise<void> {
    const max = this.options.maxJobs ?? 10_000;
    const excess = (await this.redis.zcard(this.#keys.jobs)) - max;
    if (excess <= 0) return;
    const ids = await this.redis.zrange(this.#keys.jobs, '0', String(excess - 1));
    const records = await this.#records(ids);
    const doomed = ids.filter((_, i) => records[i] === undefined || isTerminal(records[i]!.job.state));
    if (doomed.length > 0) await this.redis.multi().zrem(this.#keys.jobs, ...doomed).del(...doomed.map((id) => this.#keys.job(id))).exec();
  }

  async #records(ids: readonly string[]): Promise<Array<JobRecord | undefined>> {
    if (ids.length === 0) return [];
    return (await this.redis.mget(...ids.map((id) => this.#keys.job(id)))).map((text) => parseRecord(text));
  }

  async #record(id: string): Promise<JobRecord> {
    const record = SAFE_ID.test(id) ? parseRecord(await this.redis.get(this.#keys.job(id))) : undefined;
    if (record === undefined) throw new FramewrightError('JOB_NOT_FOUND', `no job with id ${JSON.stringify(id)}`);
    return record;
  }

  /**
   * A job by id, from Redis.
   * @throws FramewrightError `JOB_NOT_FOUND`
   */
  async get(id: string): Promise<Job> {
    const record = await this.#record(id);
    return (await this.#annotate([record]))[0]!;
  }

  /** Jobs as clients see them: a queued one that no live worker takes says why it waits. */
  async #annotate(records: readonly JobRecord[]): Promise<Job[]> {
    const queued = records.filter((r) => r.job.state === 'queued');
    if (queued.length === 0) return records.map((r) => r.job);
    const workers = await this.workers();
    return records.map((r) => {
      if (r.job.state !== 'queued') return r.job;
      const waiting = this.#waitingReason(r.route, workers);
      return waiting === undefined ? r.job : { ...r.job, waiting };
    });
  }

  /** Jobs, newest first (at most `limit`). */
  async list(limit = 1000): Promise<Job[]> {
    const ids = await this.redis.zrevrange(this.#keys.jobs, 0, limit - 1);
    return this.#annotate((await this.#records(ids)).filter((r): r is JobRecord => r !== undefined));
  }

  /**
   * Cancels a job: a waiting one is taken off its queue at once; for a running one the worker
   * that runs it hears it on the cancel channel and stops it (its ffmpeg/ONNX work killed), and
   * this waits up to `waitMs` for that. A finished job is returned unchanged.
   * @throws FramewrightError `JOB_NOT_FOUND`
   */
  async cancel(id: string, waitMs = 10_000): Promise<Job> {
    const record = await this.#record(id);
    if (isTerminal(record.job.state)) return record.job;
    const settled = this.#settled(id, waitMs);
    // The flag comes first: a worker taking the job from now on sees it and does not run it.
    await this.redis.set(this.#keys.cancelled(id), '1', 'EX', 7 * 24 * 3600);
    const bullJob = await this.#queue(record.route).getJob(id);
    let removed = false;
    if (bullJob !== undefined && record.job.state === 'queued') {
      // BullMQ refuses to remove a job a worker holds the lock of; one it removes no worker has.
      removed = await bullJob.remove().then(() => true, () => false);
    }
    if (removed || (bullJob === undefined && record.job.state === 'queued')) {
      const current = await this.#record(id);
      if (!isTerminal(current.job.state)) {
        const job: Job = { ...current.job, state: 'cancelled', finishedAt: new Date().toISOString(), error: cancelled(current.job.op, 'before it started').toWire() };
        const { params: _params, ...kept } = current;
        await this.redis.multi().set(this.#keys.job(id), JSON.stringify({ ...kept, job })).del(this.#keys.cancelled(id)).publish(this.#keys.events, JSON.stringify({ type: 'state', job })).exec();
      }
    } else {
      await this.redis.publish(this.#keys.cancel, id);
    }
    await settled;
    return (await this.#record(id)).job;
  }

  /** Resolves once job `id` reaches a final state, or after `waitMs`. */
  #settled(id: string, waitMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = Number.isFinite(waitMs) ? setTimeout(done, waitMs) : undefined;
      const stop = this.subscribe((event) => {
        if (event.type === 'state' && event.job.id === id && isTerminal(event.job.state)) done();
      });
      function done(): void {
        clearTimeout(timer);
        stop();
        resolve();
      }
    });
  }

  /** The live workers' announcements. */
  async workers(): Promise<WorkerAnnouncement[]> {
    const ids = await this.redis.smembers(this.#keys.workers);
    if (ids.length === 0) return [];
    const texts = await this.redis.mget(...ids.map((id) => this.#keys.worker(id)));
    const gone = ids.filter((_, i) => texts[i] === null);
    if (gone.length > 0) await this.redis.srem(this.#keys.workers, ...gone);
    return texts.flatMap((t) => {
      if (t === null) return [];
      try {
        return [JSON.parse(t) as WorkerAnnouncement];
      } catch {
        return [];
      }
    });
  }

  /** Why a job of `route` waits when no live worker takes it; undefined when one does. */
  async waitingReason(route: string): Promise<string | undefined> {
    return this.#waitingReason(route, await this.workers());
  }

  #waitingReason(route: string, workers: readonly WorkerAnnouncement[]): string | undefined {
    if (workers.some((w) => w.routes.includes(route))) return undefined;
    if (workers.length === 0) return `no worker is running (start one with \`framewright worker --queue ${this.options.url}\`)`;
    return `none of the ${workers.length} live worker${workers.length === 1 ? '' : 's'} takes ${route} jobs (they take ${[...new Set(workers.flatMap((w) => w.routes))].join(', ') || 'nothing'})`;
  }

  /** What the operations can do on the live workers: available where any worker runs them, with every model a worker has. */
  async capabilities(): Promise<OperationCapability[]> {
    const workers = await this.workers();
    return OPERATION_NAMES.map((op) => this.#capability(op, workers));
  }

  #capability(op: OperationName, workers: readonly WorkerAnnouncement[]): OperationCapability {
    const caps = workers.flatMap((w) => w.operations.filter((c) => c.op === op));
    const available = caps.filter((c) => c.available);
    const models = [...new Set(available.flatMap((c) => c.models ?? []))];
    const modes = new Map<string, { mode: string; available: boolean; reason?: string }>();
    for (const c of caps) for (const m of c.modes ?? []) if (!modes.get(m.mode)?.available) modes.set(m.mode, { ...m });
    const extra = { ...(models.length === 0 ? {} : { models }), ...(modes.size === 0 ? {} : { modes: [...modes.values()] }) };
    if (available.length > 0) return { op, available: true, ...extra };
    const reason = workers.length === 0 ? 'no cluster worker is running' : (caps.find((c) => c.reason !== undefined)?.reason ?? `no live worker runs ${op}`);
    return { op, available: false, reason, ...extra };
  }

  /** Stops listening and closes its connections. The cluster's jobs go on: they belong to the workers. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#queues.values()].map((q) => q.close()));
    this.sub.disconnect();
    await this.redis.quit().catch(() => undefined);
  }
}
