// The cluster queue's figures on this machine (npm run bench:queue): clip-cut jobs per minute
// with 1 and 2 worker processes, the queue's own overhead per job (submit sent to the
// worker's start, on an idle cluster, the submit's round trip included) at p50/p99 beside the in-process queue's, how late a job's
// events reach a WebSocket client (worker write to client), and how long a cancel takes to
// kill the ffmpeg of a job running on another process. Real clip-cut on ffmpeg-made videos, a
// redis-server of its own (AOF, fsync always), workers run from the sources.
import { rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { FramewrightClient, WebSocketTransport, type WebSocketConstructor } from '../packages/core/src/client/index.js';
import { generateSampleVideo } from '../packages/core/src/media/index.js';
import { PROTOCOL_VERSIONS, type Job } from '../packages/core/src/protocol/index.js';
import { startServer, type RunningServer } from '../packages/core/src/server/index.js';
import { alive, descendants, startRedis, startWorker, type TestWorker } from '../test/helpers/cluster.js';
import { tempDir } from '../test/helpers/media.js';

const JOBS = Number(process.env['BENCH_QUEUE_JOBS'] ?? 40);
const OVERHEAD_SAMPLES = Number(process.env['BENCH_QUEUE_SAMPLES'] ?? 40);
const CANCELS = 5;
const WS = WebSocket as unknown as WebSocketConstructor;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
const ms = (v: number) => `${v.toFixed(1)} ms`;

const dir = tempDir('fw-bench-queue-');
const clientFor = (s: RunningServer) => new FramewrightClient(() => new WebSocketTransport(s.wsUrl, { token: s.token, WebSocket: WS }), { clientInfo: { name: 'bench-queue', version: '0' } });

/** Submits `count` jobs from 4 clients at once; jobs per minute from the first submit to the last result. */
async function throughput(server: RunningServer, input: string, count: number): Promise<number> {
  const clients = Array.from({ length: 4 }, () => clientFor(server));
  await Promise.all(clients.map((c) => c.connect()));
  const t0 = performance.now();
  await Promise.all(Array.from({ length: count }, (_, i) => clients[i % clients.length]!.run('clip-cut', { input, exports: ['json'] })));
  const minutes = (performance.now() - t0) / 60_000;
  await Promise.all(clients.map((c) => c.close()));
  return count / minutes;
}

/** Submit sent → the job's startedAt (the submit's round trip included), one job at a time on an idle queue; and event lateness (startedAt → running notification). */
async function overhead(server: RunningServer, input: string, samples: number): Promise<{ start: number[]; event: number[] }> {
  const client = clientFor(server);
  await client.connect();
  const start: number[] = [];
  const event: number[] = [];
  const seen = new Map<string, number>();
  const ws = new WebSocket(server.wsUrl, ['framewright.v1', `bearer.${server.token}`]);
  // A raw listener beside the SDK client: the wall-clock time each running notification arrives.
  await new Promise((r) => ws.once('open', r));
  ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'hello', params: { versions: [...PROTOCOL_VERSIONS], client: { name: 'bench', version: '0' } } }));
  ws.on('message', (data) => {
    const m = JSON.parse(String(data)) as { method?: string; params?: Job };
    if (m.method === 'job.state' && m.params?.state === 'running') seen.set(m.params.id, Date.now());
  });
  for (let i = 0; i < samples; i++) {
    const submitted = Date.now();
    const job = await client.submit('clip-cut', { input, exports: ['json'] });
    ws.send(JSON.stringify({ jsonrpc: '2.0', id: 100 + i, method: 'job.get', params: { jobId: job.id } }));
    await client.wait(job);
    const final = await client.getJob(job.id);
    const started = Date.parse(final.startedAt!);
    start.push(Math.max(0, started - submitted));
    const heard = seen.get(job.id);
    if (heard !== undefined) event.push(Math.max(0, heard - started));
  }
  ws.close();
  await client.close();
  return { start, event };
}

/** Cancel sent → the job's ffmpeg gone, on a long video running on another process. */
async function cancels(server: RunningServer, workers: readonly TestWorker[], input: string): Promise<number[]> {
  const client = clientFor(server);
  await client.connect();
  const out: number[] = [];
  for (let i = 0; i < CANCELS; i++) {
    const job = await client.submit('clip-cut', { input, exports: ['json'] });
    let ffmpeg: number | undefined;
    while (ffmpeg === undefined) {
      await sleep(20);
      ffmpeg = workers.flatMap((w) => descendants(w.process.pid!)).find((p) => p.comm === 'ffmpeg')?.pid;
    }
    await sleep(300);
    const t0 = performance.now();
    await client.cancelJob(job.id);
    while (alive(ffmpeg)) await sleep(5);
    out.push(performance.now() - t0);
  }
  await client.close();
  return out;
}

async function inProcessOverhead(input: string, samples: number): Promise<number[]> {
  const server = await startServer({ port: 0, outputRoot: join(dir, 'local-out'), configDir: join(dir, 'config'), dataDir: join(dir, 'local-data'), concurrency: 1, log: () => undefined });
  const client = clientFor(server);
  await client.connect();
  const out: number[] = [];
  for (let i = 0; i < samples; i++) {
    const submitted = Date.now();
    const job = await client.submit('clip-cut', { input, exports: ['json'] });
    await client.wait(job);
    out.push(Math.max(0, Date.parse((await client.getJob(job.id)).startedAt!) - submitted));
  }
  await client.close();
  await server.close();
  return out;
}

async function main(): Promise<void> {
  const redis = await startRedis(dir);
  const server = await startServer({ port: 0, outputRoot: join(dir, 'out'), configDir: join(dir, 'config'), dataDir: join(dir, 'data'), queue: redis.url, log: () => undefined });
  const input = (await generateSampleVideo(join(dir, 'short.mp4'), { width: 160, height: 90, seconds: 2, preset: 'ultrafast' })).path;
  const long = (await generateSampleVideo(join(dir, 'long.mp4'), { width: 320, height: 180, seconds: 90, preset: 'ultrafast' })).path;
  console.log(`machine: ${cpus().length} cores, load ${loadavg()[0]!.toFixed(1)}; job: clip-cut of a 2 s 160x90 video (json export); ${JOBS} jobs per run`);
  const workers: TestWorker[] = [await startWorker(redis.url, ['--ops', 'clip-cut', '--output-root', join(dir, 'out')])];
  await throughput(server, input, 4); // warm-up: the job process has loaded the engine
  const one = await throughput(server, input, JOBS);
  const { start, event } = await overhead(server, input, OVERHEAD_SAMPLES);
  workers.push(await startWorker(redis.url, ['--ops', 'clip-cut', '--output-root', join(dir, 'out')]));
  await throughput(server, input, 4);
  const two = await throughput(server, input, JOBS);
  const cancelMs = await cancels(server, workers, long);
  const local = await inProcessOverhead(input, OVERHEAD_SAMPLES);
  console.log('');
  console.log(`jobs per minute, 1 worker (concurrency 1):  ${one.toFixed(0)}`);
  console.log(`jobs per minute, 2 workers (concurrency 1): ${two.toFixed(0)}  (x${(two / one).toFixed(2)})`);
  console.log(`queue overhead, submit sent -> job started:  cluster p50 ${ms(percentile(start, 50))}  p99 ${ms(percentile(start, 99))}   in-process p50 ${ms(percentile(local, 50))}  p99 ${ms(percentile(local, 99))}   (${OVERHEAD_SAMPLES} jobs, one at a time)`);
  console.log(`event lateness, worker writes -> WebSocket client hears:  p50 ${ms(percentile(event, 50))}  p99 ${ms(percentile(event, 99))}  (target: progress within 250 ms) ${percentile(event, 99) <= 250 ? 'PASS' : 'ABOVE TARGET'}`);
  console.log(`cancel sent -> ffmpeg of the job on another process gone:  p50 ${ms(percentile(cancelMs, 50))}  max ${ms(Math.max(...cancelMs))}  (target 1 s) ${Math.max(...cancelMs) <= 1000 ? 'PASS' : 'ABOVE TARGET'}`);
  await server.close();
  await Promise.all(workers.map((w) => w.stop()));
  await redis.stop();
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => rmSync(dir, { recursive: true, force: true }));
