// The cluster end to end: a redis-server of the test's own, `framewright worker` processes run
// from the sources, and servers started with `queue` (serve --queue). Real clip-cut on
// ffmpeg-made videos; the SDK client and the HTTP routes exactly as against a local server.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FramewrightClient, WebSocketTransport, type WebSocketConstructor } from '../packages/core/src/client/index.js';
import { runOperation } from '../packages/core/src/engine/index.js';
import { generateSampleVideo } from '../packages/core/src/media/index.js';
import type { ClipCutResult, Job } from '../packages/core/src/protocol/index.js';
import { startServer, type RunningServer } from '../packages/core/src/server/index.js';
import { http, readSse } from '../packages/core/test/server-helpers.js';
import { alive, descendants, startRedis, startWorker, until, stopCluster, type TestRedis, type TestWorker } from './helpers/cluster.js';
import { tempDir } from './helpers/media.js';

const WS = WebSocket as unknown as WebSocketConstructor;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let dir: string;
let redis: TestRedis;
let server: RunningServer;
let workers: TestWorker[] = [];
/** Videos of 2 to 5 seconds, and one long enough to be cut off mid-run. */
let videos: string[] = [];
let long: string;
/** What the in-process engine makes of each video: the answer the cluster must give. */
const expected = new Map<string, ClipCutResult>();

const serverOptions = (url: string) => ({ port: 0, outputRoot: join(dir, 'out'), configDir: join(dir, 'config'), dataDir: join(dir, 'data'), queue: url, log: () => undefined });
const clientFor = (s: RunningServer) => new FramewrightClient(() => new WebSocketTransport(s.wsUrl, { token: s.token, WebSocket: WS }), { clientInfo: { name: 'cluster-test', version: '0' } });

/** A clip-cut result without the paths of its files (each job writes into its own folder). */
function cutsOf(result: ClipCutResult): Omit<ClipCutResult, 'files' | 'outputs'> {
  const { files: _files, outputs: _outputs, ...rest } = result;
  return rest;
}

async function record(id: string, db = redis.client): Promise<{ job: Job; worker?: string; attempts?: number }> {
  return JSON.parse((await db.get(`fw:job:${id}`))!) as { job: Job; worker?: string; attempts?: number };
}

beforeAll(async () => {
  dir = tempDir('fw-cluster-');
  redis = await startRedis(dir);
  const made = await Promise.all([2, 3, 4, 5].map((seconds) => generateSampleVideo(join(dir, `v${seconds}.mp4`), { width: 160, height: 90, seconds, preset: 'ultrafast' })));
  videos = made.map((v) => v.path);
  long = (await generateSampleVideo(join(dir, 'long.mp4'), { width: 320, height: 180, seconds: 90, preset: 'ultrafast' })).path;
  for (const input of videos) expected.set(input, await runOperation('clip-cut', { input, exports: ['json'] }, { outputRoot: join(dir, 'in-process'), defaultOutputDir: join(dir, 'in-process', input.slice(dir.length)) }));
  server = await startServer(serverOptions(redis.url));
  // Two CPU workers that take clip-cut only, and one that takes everything this machine runs.
  const out = ['--output-root', join(dir, 'out')];
  workers = await Promise.all([startWorker(redis.url, ['--ops', 'clip-cut', ...out]), startWorker(redis.url, ['--ops', 'clip-cut', ...out]), startWorker(redis.url, out)]);
}, 240_000);

afterAll(() => stopCluster({ server, workers, redis, dir }), 60_000);

describe('cluster (serve --queue, framewright worker)', () => {
  it('the SDK client runs a job on a worker unchanged, with progress, and gets the in-process result', async () => {
    const client = clientFor(server);
    const hello = await client.connect();
    expect(hello.capabilities.operations.find((o) => o.op === 'clip-cut')?.available).toBe(true);
    const progress: unknown[] = [];
    const result = await client.run('clip-cut', { input: videos[2]!, exports: ['json'] }, { onProgress: (p) => progress.push(p) });
    expect(cutsOf(result)).toEqual(cutsOf(expected.get(videos[2]!)!));
    expect(progress.length).toBeGreaterThan(0);
    for (const file of result.files) expect(file.startsWith(join(dir, 'out'))).toBe(true);
    const jobs = await client.listJobs();
    expect(jobs[0]?.state).toBe('succeeded');
    await client.close();
  }, 60_000);

  it('the HTTP routes the Resolve scripts use answer the same: submit, Server-Sent Events to the final state, get, 404 for no job', async () => {
    const headers = { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' };
    const submitted = await http(server.port, 'POST', '/v1/jobs', { headers, body: JSON.stringify({ op: 'clip-cut', params: { input: videos[1]!, exports: ['json'] } }) });
    expect(submitted.status).toBe(202);
    const id = (submitted.json as Job).id;
    expect(submitted.headers.location).toBe(`/v1/jobs/${id}`);
    const events = await readSse(server.port, `/v1/jobs/${id}/events`, server.token);
    const last = events.at(-1)!;
    expect(last.event).toBe('state');
    expect((last.data as Job).state).toBe('succeeded');
    expect(cutsOf((last.data as Job).result as ClipCutResult)).toEqual(cutsOf(expected.get(videos[1]!)!));
    expect(((await http(server.port, 'GET', `/v1/jobs/${id}`, { headers })).json as Job).state).toBe('succeeded');
    expect((await http(server.port, 'GET', '/v1/jobs/no-such-job', { headers })).status).toBe(404);
    expect((await http(server.port, 'GET', `/v1/jobs/${id}`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
  }, 60_000);

  it('a client without the shared folder uploads its input through the server and downloads the outputs', async () => {
    const auth = { authorization: `Bearer ${server.token}` };
    const video = readFileSync(videos[0]!);
    const uploaded = await http(server.port, 'PUT', '/v1/files/my%20clip.mp4', { headers: { ...auth, 'content-type': 'application/octet-stream' }, body: video });
    expect(uploaded.status).toBe(201);
    const { path, bytes } = uploaded.json as { path: string; bytes: number };
    expect(bytes).toBe(video.length);
    expect(path.startsWith(join(dir, 'out', 'uploads'))).toBe(true);
    const client = clientFor(server);
    await client.connect();
    const result = await client.run('clip-cut', { input: path, exports: ['json', 'edl'] });
    expect(cutsOf(result)).toEqual({ ...cutsOf(expected.get(videos[0]!)!), input: path });
    const edl = result.files.find((f) => f.endsWith('.edl'))!;
    const downloaded = await http(server.port, 'GET', `/v1/files?path=${encodeURIComponent(edl)}`, { headers: auth });
    expect(downloaded.status).toBe(200);
    expect(downloaded.text).toBe(readFileSync(edl, 'utf8'));
    expect(downloaded.headers['content-disposition']).toMatch(/attachment; filename=".+\.edl"/);
    // Only files inside the output root, only one plain name per upload, and the token as everywhere.
    expect((await http(server.port, 'GET', `/v1/files?path=${encodeURIComponent(videos[0]!)}`, { headers: auth })).status).toBe(403);
    expect((await http(server.port, 'GET', `/v1/files?path=${encodeURIComponent(join(dir, 'out', '..', 'v2.mp4'))}`, { headers: auth })).status).toBe(403);
    expect(((await http(server.port, 'PUT', '/v1/files/..%2Fescape.mp4', { headers: auth, body: 'x' })).json as { error: { code: string } }).error.code).toBe('INVALID_PARAMS');
    expect(((await http(server.port, 'PUT', '/v1/files/-i.mp4', { headers: auth, body: 'x' })).json as { error: { code: string } }).error.code).toBe('INVALID_PARAMS');
    expect((await http(server.port, 'PUT', '/v1/files/a.mp4', { body: 'x' })).status).toBe(401);
    await client.close();
  }, 60_000);

  it('100 clip-cut jobs from 10 clients across 3 worker processes all succeed with the in-process results', async () => {
    const clients = Array.from({ length: 10 }, () => clientFor(server));
    await Promise.all(clients.map((c) => c.connect()));
    const runs = clients.flatMap((client, c) =>
      Array.from({ length: 10 }, async (_, i) => {
        const input = videos[(c + i) % videos.length]!;
        const job = await client.submit('clip-cut', { input, exports: ['json'] });
        return { id: job.id, input, result: await client.wait(job) };
      }),
    );
    const done = await Promise.all(runs);
    expect(done).toHaveLength(100);
    for (const { input, result } of done) expect(cutsOf(result)).toEqual(cutsOf(expected.get(input)!));
    const ranOn = new Set(await Promise.all(done.map(async ({ id }) => (await record(id)).worker)));
    expect(ranOn.size).toBeGreaterThan(1);
    for (const id of ranOn) expect(workers.map((w) => w.info.id)).toContain(id);
    await Promise.all(clients.map((c) => c.close()));
  }, 240_000);

  it('routes image-gen only to a worker that has the model, and a job no worker can run waits and says why', async () => {
    const imageWorker = workers[2]!;
    expect(imageWorker.info.routes).toContain('image-gen.framewright-shapes-32');
    expect(workers[0]!.info.routes).toEqual(['clip-cut']);
    const client = clientFor(server);
    await client.connect();
    for (let i = 0; i < 3; i++) {
      const job = await client.submit('image-gen', { prompt: 'a red circle', count: 1, seed: i });
      await client.wait(job);
      expect((await record(job.id)).worker).toBe(imageWorker.info.id);
    }
    const stuck = await client.submit('image-gen', { prompt: 'a red circle', model: 'no-worker-has-this' });
    await sleep(300);
    const waiting = await client.getJob(stuck.id);
    expect(waiting.state).toBe('queued');
    expect(waiting.waiting).toMatch(/none of the 3 live workers takes image-gen\.no-worker-has-this jobs/);
    expect((await client.cancelJob(stuck.id)).state).toBe('cancelled');
    await client.close();
  }, 120_000);

  it('with no worker running at all (all restarting, say) a job is accepted and waits, saying why', async () => {
    // Redis database 1: a cluster of its own, with no worker announced in it.
    const empty = await startServer({ ...serverOptions(`${redis.url}/1`), dataDir: join(dir, 'data-empty') });
    const client = clientFor(empty);
    try {
      await client.connect();
      const job = await client.submit('clip-cut', { input: videos[0]!, exports: ['json'] });
      expect(job.state).toBe('queued');
      expect(job.waiting).toMatch(/^no worker is running \(start one with `framewright worker --queue /);
      expect((await client.cancelJob(job.id)).state).toBe('cancelled');
    } finally {
      await client.close();
      await empty.close();
    }
  }, 60_000);

  it('a worker refuses a job whose server writes outside the output root the worker was given', async () => {
    const elsewhere = await startServer({ ...serverOptions(redis.url), outputRoot: join(dir, 'elsewhere') });
    try {
      const client = clientFor(elsewhere);
      await client.connect();
      const refused = await client.run('clip-cut', { input: videos[0]! }).catch((e: unknown) => e);
      expect(refused).toMatchObject({ code: 'OUTPUT_NOT_ALLOWED', message: expect.stringMatching(/is outside what this worker writes in/) });
      expect(existsSync(join(dir, 'elsewhere')) ? readdirSync(join(dir, 'elsewhere')) : []).toEqual([]);
      await client.close();
    } finally {
      await elsewhere.close();
    }
  }, 60_000);

  it('a cancel reaches the worker process running the job and kills its ffmpeg', async () => {
    const client = clientFor(server);
    await client.connect();
    const controller = new AbortController();
    const job = await client.submit('clip-cut', { input: long, exports: ['json', 'edl'] });
    const run = client.wait(job, { signal: controller.signal }).catch((e: unknown) => e);
    const running = await until('the job to run', async () => {
      const r = await record(job.id);
      return r.job.state === 'running' && r.job.progress !== undefined ? r : undefined;
    });
    const worker = workers.find((w) => w.info.id === running.worker)!;
    const ffmpeg = await until('its ffmpeg', async () => descendants(worker.process.pid!).find((p) => p.comm === 'ffmpeg'));
    controller.abort();
    const error = await run;
    expect((error as { code?: string }).code).toBe('CANCELLED');
    expect((await record(job.id)).job.state).toBe('cancelled');
    await until('ffmpeg to be gone', async () => (alive(ffmpeg.pid) ? undefined : true), 5000);
    expect(existsSync(join(dir, 'out', job.id))).toBe(false);
    await client.close();
  }, 120_000);

  it('a worker on another machine maps the shared folder (--path-map) both ways and refuses paths outside it', async () => {
    // The server names the shared folder server-view (where it is mounted on its machine); the
    // worker has the files under worker-view. Database 1: the other workers do not see these jobs.
    const serverView = join(dir, 'server-view');
    const workerView = join(dir, 'worker-view');
    mkdirSync(workerView, { recursive: true });
    copyFileSync(videos[0]!, join(workerView, 'clip.mp4'));
    const url = `${redis.url}/1`;
    const remote = await startServer({ ...serverOptions(url), outputRoot: join(serverView, 'out') });
    const mapped = await startWorker(url, ['--ops', 'clip-cut', '--path-map', `${serverView}=${workerView}`]);
    try {
      const client = clientFor(remote);
      await client.connect();
      const result = await client.run('clip-cut', { input: join(serverView, 'clip.mp4'), exports: ['json', 'edl'] });
      expect(cutsOf(result)).toEqual({ ...cutsOf(expected.get(videos[0]!)!), input: join(serverView, 'clip.mp4') });
      for (const file of result.files) {
        expect(file.startsWith(join(serverView, 'out'))).toBe(true);
        expect(existsSync(join(workerView, file.slice(serverView.length)))).toBe(true);
      }
      // Inside the exports too, paths are the server's: the EDL's source file is the job's input.
      expect(readFileSync(join(workerView, result.outputs.edl!.slice(serverView.length)), 'utf8')).toContain(`* SOURCE FILE: ${join(serverView, 'clip.mp4')}`);
      const outside = await client.run('clip-cut', { input: videos[0]! }).catch((e: unknown) => e);
      expect(outside).toMatchObject({ code: 'INPUT_NOT_FOUND', message: expect.stringMatching(/is not in a folder this worker shares/) });
      const unshared = await startServer({ ...serverOptions(url), outputRoot: join(dir, 'not-shared') });
      const other = clientFor(unshared);
      await other.connect();
      const refused = await other.run('clip-cut', { input: join(serverView, 'clip.mp4') }).catch((e: unknown) => e);
      expect(refused).toMatchObject({ code: 'OUTPUT_NOT_ALLOWED', message: expect.stringMatching(/the output root .*not-shared is not in a folder this worker shares/) });
      await other.close();
      await unshared.close();
      await client.close();
    } finally {
      await mapped.stop();
      await remote.close();
    }
  }, 120_000);
});
