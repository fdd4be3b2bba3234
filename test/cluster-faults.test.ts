// Faults of a cluster: a worker SIGKILLed mid-job (a job that writes into a user's folder fails
// INTERRUPTED with its partial files gone; an analysis-only clip-cut runs again on another
// worker), Redis SIGKILLed and restarted from its AOF, and the server restarted: every accepted
// job is accounted for. Real clip-cut, worker processes from the sources, a redis-server of its own.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSampleVideo } from '../packages/core/src/media/index.js';
import { isTerminal, type Job } from '../packages/core/src/protocol/index.js';
import { startServer, type RunningServer } from '../packages/core/src/server/index.js';
import { http } from '../packages/core/test/server-helpers.js';
import { startRedis, startWorker, until as pollUntil, stopCluster, type TestRedis, type TestWorker } from './helpers/cluster.js';
import { tempDir } from './helpers/media.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let dir: string;
let redis: TestRedis;
let server: RunningServer;
let workers: TestWorker[] = [];
let short: string;
let long: string;

const startClusterServer = () => startServer({ port: 0, outputRoot: join(dir, 'out'), configDir: join(dir, 'config'), dataDir: join(dir, 'data'), queue: redis.url, log: () => undefined });
/** Workers that give a dead worker's job to another after 2 s instead of 30. */
const clipCutWorker = () => startWorker(redis.url, ['--ops', 'clip-cut', '--lock-seconds', '2', '--output-root', join(dir, 'out')]);

async function submit(params: Record<string, unknown>): Promise<Job> {
  const answer = await http(server.port, 'POST', '/v1/jobs', { headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ op: 'clip-cut', params }) });
  if (answer.status !== 202) throw new Error(`submit answered ${answer.status}: ${answer.text}`);
  return answer.json as Job;
}

async function get(id: string, on = server): Promise<Job> {
  const answer = await http(on.port, 'GET', `/v1/jobs/${id}`, { headers: { authorization: `Bearer ${on.token}` } });
  if (answer.status !== 200) throw new Error(`get ${id} answered ${answer.status}: ${answer.text}`);
  return answer.json as Job;
}

async function record(id: string): Promise<{ job: Job; worker?: string; attempts?: number }> {
  return JSON.parse((await redis.client.get(`fw:job:${id}`))!) as { job: Job; worker?: string; attempts?: number };
}

/** Faults take their time: Redis restarts, locks lapse. */
const until = <T>(what: string, probe: () => Promise<T | undefined>) => pollUntil(what, probe, 90_000, 50);

const finished = (id: string, on = server) => until(`job ${id} to finish`, async () => {
  const job = await get(id, on);
  return isTerminal(job.state) ? job : undefined;
});

/** The job once a worker runs it and it has reported progress, with that worker. */
async function runningOn(id: string): Promise<TestWorker> {
  const r = await until(`job ${id} to run`, async () => {
    const current = await record(id);
    return current.job.state === 'running' && current.job.progress !== undefined ? current : undefined;
  });
  return workers.find((w) => w.info.id === r.worker)!;
}

beforeAll(async () => {
  dir = tempDir('fw-cluster-faults-');
  redis = await startRedis(dir);
  short = (await generateSampleVideo(join(dir, 'short.mp4'), { width: 160, height: 90, seconds: 2, preset: 'ultrafast' })).path;
  long = (await generateSampleVideo(join(dir, 'long.mp4'), { width: 320, height: 180, seconds: 90, preset: 'ultrafast' })).path;
  server = await startClusterServer();
  workers = await Promise.all([clipCutWorker(), clipCutWorker()]);
}, 240_000);

afterAll(() => stopCluster({ server, workers, redis, dir }), 60_000);

describe('cluster faults', () => {
  it('a worker killed mid-job: a job writing into a user folder fails INTERRUPTED and leaves no partial files', async () => {
    const job = await submit({ input: long, outputDir: 'user-folder', exports: ['json', 'edl'] });
    const victim = await runningOn(job.id);
    await victim.kill();
    workers = [...workers.filter((w) => w !== victim), await clipCutWorker()];
    const final = await finished(job.id);
    expect(final.state).toBe('failed');
    expect(final.error?.code).toBe('INTERRUPTED');
    expect(existsSync(join(dir, 'out', 'user-folder')) ? readdirSync(join(dir, 'out', 'user-folder')) : []).toEqual([]);
    expect((await record(job.id)).attempts).toBe(1);
  }, 180_000);

  it('a worker killed mid-job: an analysis-only clip-cut runs again on another worker and succeeds', async () => {
    const job = await submit({ input: long, exports: ['json'] });
    const victim = await runningOn(job.id);
    await victim.kill();
    workers = [...workers.filter((w) => w !== victim), await clipCutWorker()];
    const final = await finished(job.id);
    expect(final.state).toBe('succeeded');
    const r = await record(job.id);
    expect(r.attempts).toBe(2);
    expect(r.worker).not.toBe(victim.info.id);
    expect(readdirSync(join(dir, 'out', job.id))).toEqual(['long.json']);
  }, 180_000);

  it('Redis killed and restarted from its AOF: every accepted job is still there and finishes', async () => {
    const jobs = await Promise.all(Array.from({ length: 10 }, () => submit({ input: short, exports: ['json'] })));
    await redis.kill();
    await sleep(300);
    await redis.restart();
    for (const job of jobs) {
      const final = await finished(job.id);
      // A job running at the kill was taken over (an analysis-only clip-cut runs again).
      expect(final.state).toBe('succeeded');
    }
  }, 180_000);

  it('a restarted server answers for every job, those that finished while no server ran included', async () => {
    const before = await Promise.all(Array.from({ length: 5 }, () => submit({ input: short, exports: ['json'] })));
    const listed = (await http(server.port, 'GET', '/v1/jobs', { headers: { authorization: `Bearer ${server.token}` } })).json as { jobs: Job[] };
    await server.close();
    server = await startClusterServer();
    for (const job of before) expect((await finished(job.id)).state).toBe('succeeded');
    const now = ((await http(server.port, 'GET', '/v1/jobs', { headers: { authorization: `Bearer ${server.token}` } })).json as { jobs: Job[] }).jobs;
    for (const job of listed.jobs) {
      const again = now.find((j) => j.id === job.id);
      expect(again, `job ${job.id}`).toBeDefined();
      if (isTerminal(job.state)) expect(again).toEqual(job);
    }
  }, 180_000);

  it('a job whose submit was cut off between its record and its queue entry is queued again when a server starts', async () => {
    // What a server killed between the two writes of a submit leaves: the record, no BullMQ job.
    const id = '00000000-0000-4000-8000-000000000018';
    const job: Job = { id, op: 'clip-cut', state: 'queued', createdAt: new Date().toISOString() };
    await redis.client.multi().set(`fw:job:${id}`, JSON.stringify({ job, params: { input: short, exports: ['json'] }, route: 'clip-cut', outputRoot: join(dir, 'out'), attempts: 0 })).zadd('fw:jobs', Date.now(), id).exec();
    await sleep(500);
    expect((await get(id)).state).toBe('queued');
    await server.close();
    server = await startClusterServer();
    expect((await finished(id)).state).toBe('succeeded');
  }, 120_000);
});
