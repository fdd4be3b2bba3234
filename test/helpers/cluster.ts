// A cluster for tests: a redis-server of the test's own on a free loopback port (AOF on, fsync
// on every write, in a temp folder), and `framewright worker` processes run from the sources.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import type { Job } from '../../packages/core/src/protocol/index.js';

const root = resolve(import.meta.dirname, '..', '..');
const CLI_ENTRY = join(root, 'test', 'helpers', 'cli-entry.ts');

/**
 * Polls `probe` until it gives a value, every `intervalMs`; a probe that throws (Redis restarting,
 * say) counts as "not yet". Fails after `timeoutMs`, naming `what` and the probe's last error.
 */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000, intervalMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    const value = await probe().catch((error: unknown) => {
      lastError = error;
      return undefined;
    });
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${lastError === undefined ? '' : ` (last error: ${String(lastError)})`}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Tears a test cluster down: the server first (it takes no more jobs), then the workers, Redis and the folder. */
export async function stopCluster(parts: { server?: { close(): Promise<void> } | undefined; workers?: readonly (TestWorker | undefined)[]; redis?: TestRedis | undefined; dir?: string | undefined }): Promise<void> {
  await parts.server?.close();
  await Promise.all((parts.workers ?? []).map((w) => w?.stop()));
  await parts.redis?.stop();
  if (parts.dir !== undefined) await rm(parts.dir, { recursive: true, force: true });
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

/** A test's redis-server. */
export interface TestRedis {
  readonly port: number;
  /** `redis://127.0.0.1:PORT` (append `/1` for another database). */
  readonly url: string;
  readonly process: ChildProcess;
  /** A client of it (closed by `stop`). */
  readonly client: Redis;
  /** Kills it (SIGKILL: nothing is flushed that was not already). */
  kill(): Promise<void>;
  /** Starts it again on the same port and folder (it reloads its AOF). */
  restart(): Promise<void>;
  /** Stops it for good. */
  stop(): Promise<void>;
}

async function untilReady(port: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const probe = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      // LOADING while it replays the AOF: not ready yet.
      if ((await probe.ping()) === 'PONG') return;
    } catch {
      // not listening yet
    } finally {
      probe.disconnect();
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`redis-server on port ${port} did not start`);
}

/** Starts redis-server on a free port with its data in `dir`. */
export async function startRedis(dir: string): Promise<TestRedis> {
  const port = await freePort();
  const launch = (): ChildProcess =>
    spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir, '--maxmemory-policy', 'noeviction'], { stdio: 'ignore' });
  let current = launch();
  await untilReady(port);
  const client = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: null });
  // It reconnects by itself after a kill/restart; the refusals meanwhile are expected.
  client.on('error', () => undefined);
  const exited = (p: ChildProcess) => new Promise<void>((r) => (p.exitCode !== null || p.signalCode !== null ? r() : p.once('exit', () => r())));
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    get process() {
      return current;
    },
    client,
    async kill() {
      current.kill('SIGKILL');
      await exited(current);
    },
    async restart() {
      current = launch();
      await untilReady(port);
    },
    async stop() {
      client.disconnect();
      current.kill('SIGKILL');
      await exited(current);
    },
  };
}

/** A `framewright worker` process. */
export interface TestWorker {
  readonly process: ChildProcess;
  /** What it printed when ready (`--json`). */
  readonly info: { id: string; routes: string[]; executionProviders: string[]; concurrency: number };
  /** What it wrote to standard error so far. */
  readonly stderr: () => string;
  /** Stops it (SIGTERM: running jobs finish first) and waits. */
  stop(): Promise<void>;
  /** SIGKILL, and waits for it to be gone. */
  kill(): Promise<void>;
}

/** Starts `framewright worker --queue URL --json ARGS` from the sources and waits until it announced itself. */
export function startWorker(url: string, args: readonly string[] = [], env: NodeJS.ProcessEnv = process.env): Promise<TestWorker> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI_ENTRY, 'worker', '--queue', url, '--json', ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return new Promise((done, fail) => {
    const onData = (c: Buffer): void => {
      out += c.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line === undefined) return;
      child.stdout!.off('data', onData);
      done({
        process: child,
        info: JSON.parse(line) as TestWorker['info'],
        stderr: () => err,
        async stop() {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          await exited;
        },
        async kill() {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
          await exited;
        },
      });
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => fail(new Error(`worker exited (${code}) before it was ready: ${err}`)));
  });
}

/** Pids of every process below `pid` with their command names (from ps). */
export function descendants(pid: number): Array<{ pid: number; comm: string }> {
  const table = spawnSync('ps', ['-e', '-o', 'pid=,ppid=,comm='], { encoding: 'utf8' }).stdout.split('\n').flatMap((line) => {
    const m = /^\s*(\d+)\s+(\d+)\s+(.+)$/.exec(line);
    return m === null ? [] : [{ pid: Number(m[1]), ppid: Number(m[2]), comm: m[3]!.trim() }];
  });
  const found: Array<{ pid: number; comm: string }> = [];
  const walk = (parent: number): void => {
    for (const p of table) if (p.ppid === parent) {
      found.push({ pid: p.pid, comm: p.comm });
      walk(p.pid);
    }
  };
  walk(pid);
  return found;
}

/** True while process `pid` exists and is not a zombie. */
export function alive(pid: number): boolean {
  const state = spawnSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' }).stdout.trim();
  return state !== '' && !state.startsWith('Z');
}

/**
 * The two servers an adapter's end-to-end test runs against: `in-process` (plain `serve`: the
 * jobs run in the server's process) and `queue` (`serve --queue`: the jobs go on BullMQ in Redis
 * and a `framewright worker` process runs them).
 */
export const SERVER_KINDS = ['in-process', 'queue'] as const;
export type ServerKind = (typeof SERVER_KINDS)[number];

/** A test file's cluster: one redis-server and one worker process, shared by its queue servers. */
export interface TestCluster {
  /** The Redis URL to give servers as `queue` (or `serve --queue`). */
  readonly url: string;
  readonly redis: TestRedis;
  readonly worker: TestWorker;
  /** The record in Redis of the newest job (its `worker` names the worker process that took it). */
  lastJob(): Promise<{ job: Job; worker?: string }>;
  /** Stops the worker (its running jobs finish first), then Redis. */
  stop(): Promise<void>;
}

/**
 * Starts a redis-server with its data in `dir` (made if missing) and one `framewright worker` on it that writes
 * under `outputRoot` (the servers' output root) and takes `ops` (default: every operation that
 * runs on this machine).
 */
export async function startCluster(dir: string, outputRoot: string, options: { ops?: readonly string[]; env?: NodeJS.ProcessEnv } = {}): Promise<TestCluster> {
  mkdirSync(dir, { recursive: true });
  const redis = await startRedis(dir);
  const ops = options.ops === undefined ? [] : ['--ops', options.ops.join(',')];
  const worker = await startWorker(redis.url, ['--output-root', outputRoot, ...ops], options.env).catch(async (error: unknown) => {
    await redis.stop();
    throw error;
  });
  return {
    url: redis.url,
    redis,
    worker,
    async lastJob() {
      const [id] = await redis.client.zrevrange('fw:jobs', 0, 0);
      const text = id === undefined ? null : await redis.client.get(`fw:job:${id}`);
      if (text === null) throw new Error(`no job in the Redis at ${redis.url}`);
      return JSON.parse(text) as { job: Job; worker?: string };
    },
    async stop() {
      await worker.stop();
      await redis.stop();
    },
  };
}
