// What the server and the workers of one cluster agree on in Redis: key names, the job record,
// the routes jobs are queued under and the messages of the events and cancel channels.
import type { ConnectionOptions } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import { FramewrightError, type Job, type OperationCapability, type OperationName } from '../protocol/index.js';
import type { OutputRecord } from '../util/outputs.js';

/** Prefix of every key of a cluster (one Redis may hold several, each with its own prefix). */
export const DEFAULT_PREFIX = 'fw';

/** The built-in image model: image-gen without `model` routes to workers that have it. */
const DEFAULT_IMAGE_MODEL = 'framewright-shapes-32';

/** A job as Redis keeps it: the job as clients see it, and what a worker needs to run it. */
export interface JobRecord {
  /** The job as the protocol reports it. */
  readonly job: Job;
  /** Its params as submitted (paths as the server sees them); dropped once it finished. */
  readonly params?: unknown;
  /** The queue it waits on (see {@link routeOf}). */
  readonly route: string;
  /** The server's output root, as the server sees it: the job writes under it. */
  readonly outputRoot: string;
  /** What its run may have created so far (a running job), in the paths of the worker running it. */
  readonly outputs?: OutputRecord;
  /** The worker running it or that ran it. */
  readonly worker?: string;
  /** Runs started (a run cut off by a dead worker counts). */
  readonly attempts?: number;
}

/** What a worker announces while it lives. */
export interface WorkerAnnouncement {
  /** Its id (host, pid and a random part). */
  readonly id: string;
  /** Its machine's name. */
  readonly host: string;
  /** Its process id. */
  readonly pid: number;
  /** The routes it takes jobs from. */
  readonly routes: readonly string[];
  /** What each operation can do there. */
  readonly operations: readonly OperationCapability[];
  /** ONNX execution providers that start there (`cuda`, `cpu`). */
  readonly executionProviders: readonly string[];
  /** Jobs it runs at once. */
  readonly concurrency: number;
}

/** A message on the events channel: what a job's listeners hear. */
export type ClusterEvent =
  | { readonly type: 'state'; readonly job: Job }
  | { readonly type: 'progress'; readonly jobId: string; readonly op: OperationName; readonly progress: unknown };

/** The Redis names of a cluster. */
export class ClusterKeys {
  constructor(readonly prefix: string = DEFAULT_PREFIX) {}
  /** A job's record (JSON). */
  job(id: string): string {
    return `${this.prefix}:job:${id}`;
  }
  /** Sorted set of job ids by submit time. */
  get jobs(): string {
    return `${this.prefix}:jobs`;
  }
  /** Channel of {@link ClusterEvent}s. */
  get events(): string {
    return `${this.prefix}:events`;
  }
  /** Channel of job ids to cancel. */
  get cancel(): string {
    return `${this.prefix}:cancel`;
  }
  /** Set when a job is to be cancelled, so a worker that takes it later does not run it. */
  cancelled(id: string): string {
    return `${this.prefix}:cancelled:${id}`;
  }
  /** A worker's announcement (expires unless renewed). */
  worker(id: string): string {
    return `${this.prefix}:worker:${id}`;
  }
  /** Set of announced worker ids. */
  get workers(): string {
    return `${this.prefix}:workers`;
  }
  /** Key prefix of the BullMQ queues. */
  get bull(): string {
    return `${this.prefix}:bull`;
  }
}

/** The BullMQ queue name of a route. */
export function queueName(route: string): string {
  return `run.${route}`;
}

/** A model id as part of a route: Redis key separators and odd characters become `_`. */
const routePart = (s: string): string => s.replace(/[^A-Za-z0-9._-]/g, '_');

/**
 * The route a job waits on: one queue per operation, and for image-gen one per model, so a
 * worker takes only jobs it has the model for (a GPU box with SD-Turbo takes those; any worker
 * with the built-in model takes the rest).
 */
export function routeOf(op: OperationName, params: unknown): string {
  if (op === 'image-gen') {
    const model = (params as { model?: unknown } | null)?.model;
    return `image-gen.${routePart(typeof model === 'string' ? model : DEFAULT_IMAGE_MODEL)}`;
  }
  return op;
}

/** The routes a worker with these capabilities serves. */
export function routesOf(operations: readonly OperationCapability[]): string[] {
  return operations
    .filter((c) => c.available)
    .flatMap((c) => (c.op === 'image-gen' ? (c.models ?? []).map((m) => `image-gen.${routePart(m)}`) : [c.op]));
}

/** Parsed `redis://[user:password@]host[:port][/db]` (or `rediss://` for TLS). */
export function redisOptions(url: string): RedisOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new FramewrightError('INVALID_PARAMS', `--queue ${JSON.stringify(url)} is not a URL like redis://127.0.0.1:6379`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new FramewrightError('INVALID_PARAMS', `--queue ${JSON.stringify(url)} must start with redis:// or rediss://`);
  }
  const db = parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0) throw new FramewrightError('INVALID_PARAMS', `--queue ${JSON.stringify(url)}: the database ${parsed.pathname.slice(1)} is not a number`);
  return {
    host: parsed.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
    port: parsed.port === '' ? 6379 : Number(parsed.port),
    db,
    ...(parsed.username === '' ? {} : { username: decodeURIComponent(parsed.username) }),
    ...(parsed.password === '' ? {} : { password: decodeURIComponent(parsed.password) }),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
    // BullMQ needs commands to wait through a reconnect rather than fail (its workers block).
    maxRetriesPerRequest: null,
    // RESP2, as BullMQ's scripts expect their replies (ioredis 6 defaults to RESP3).
    protocol: 2,
  } as RedisOptions;
}

/** The same settings, as BullMQ takes them (it opens its own connections, blocking ones included). */
export function bullConnection(url: string): ConnectionOptions {
  return redisOptions(url) as ConnectionOptions;
}

/**
 * A connection to the cluster's Redis. It reconnects by itself; `onError` hears the first error
 * of each outage (not one line per retry).
 */
export function connect(url: string, onError: (message: string) => void = () => undefined): Redis {
  const redis = new Redis(redisOptions(url));
  let down = false;
  redis.on('error', (error: Error) => {
    if (!down) onError(`Redis at ${url}: ${error.message}; reconnecting`);
    down = true;
  });
  redis.on('ready', () => {
    down = false;
  });
  return redis;
}

/** Parses a stored record; undefined for none or a damaged one. */
export function parseRecord(text: string | null | undefined): JobRecord | undefined {
  if (text === null || text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as JobRecord;
    return typeof value === 'object' && value !== null && typeof value.job?.id === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}
