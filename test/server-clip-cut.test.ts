// The local server running the real clip-cut: cancel kills ffmpeg, many clients at once, restart.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type ClipCutResult, type RunningServer } from '../packages/core/src/index.js';
import type { Job } from '../packages/core/src/protocol/index.js';
import { http, readSse, RpcTestClient } from '../packages/core/test/server-helpers.js';
import { makeVideo, tempDir, type GeneratedVideo } from './helpers/media.js';

/** ffmpeg/ffprobe processes that are children of this test process (the server runs in it). */
function ffmpegChildren(): string[] {
  let out = '';
  try {
    out = execFileSync('ps', ['--ppid', String(process.pid), '-o', 'pid=,stat=,comm='], { encoding: 'utf8' });
  } catch {
    return []; // ps exits 1 when there are no children at all
  }
  return out
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /\bff(mpeg|probe)\b/.test(l));
}

async function until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return condition();
}

let short: GeneratedVideo;
let long: GeneratedVideo;
let server: RunningServer;
let dataDir: string;
let configDir: string;

beforeAll(async () => {
  const media = tempDir();
  [short, long] = await Promise.all([
    makeVideo(media, 'short clip', {
      segments: [
        { source: 'testsrc2', frames: 20 },
        { source: 'smptehdbars', frames: 20 },
        { source: 'mandelbrot', frames: 20 },
      ],
      width: 160,
      height: 90,
    }),
    // Long enough that ffmpeg is still decoding when the test cancels.
    makeVideo(media, 'long', { segments: [{ source: 'testsrc2', frames: 1200 }], width: 640, height: 360 }),
  ]);
  dataDir = tempDir();
  configDir = tempDir();
  server = await startServer({ port: 0, configDir, dataDir, outputRoot: tempDir(), concurrency: 4 });
});
afterAll(() => server?.close());

describe('server with the real clip-cut', () => {
  it('cancelling a job mid-analysis kills its ffmpeg child and leaves no files', async () => {
    const client = await RpcTestClient.connect(server.wsUrl, server.token);
    await client.call('hello', { versions: ['1.0'] });
    const job = await client.call<Job>('job.submit', { op: 'clip-cut', params: { input: long.path, analysisWidth: 320, exports: ['json', 'edl'] } });
    await client.waitFor((n) => n.method === 'job.progress' && (n.params as { progress: { stage: string } }).progress.stage === 'analyse');
    expect(ffmpegChildren().length).toBeGreaterThan(0);
    const cancelled = await client.call<Job>('job.cancel', { jobId: job.id });
    expect(cancelled).toMatchObject({ state: 'cancelled', error: { code: 'CANCELLED' } });
    // Decoding the whole video takes seconds; the child must be gone at once, not when done.
    expect(await until(() => ffmpegChildren().length === 0, 500)).toBe(true);
    const outDir = join(server.outputRoot, job.id);
    expect(existsSync(outDir) ? readdirSync(outDir) : []).toEqual([]);
    await client.close();
  });

  it('20 concurrent WebSocket clients each cut a short clip; all succeed with the right cuts', async () => {
    const clients = await Promise.all(Array.from({ length: 20 }, () => RpcTestClient.connect(server.wsUrl, server.token)));
    const started = performance.now();
    const finals = await Promise.all(
      clients.map(async (client) => {
        await client.call('hello', { versions: ['1.0'] });
        const job = await client.call<Job>('job.submit', { op: 'clip-cut', params: { input: short.path, exports: ['json', 'edl'] } });
        const final = await client.waitFor((n) => n.method === 'job.state' && (n.params as Job).id === job.id && ['succeeded', 'failed', 'cancelled'].includes((n.params as Job).state), 100_000);
        return final.params as Job;
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    console.log(`20 concurrent clip-cut jobs over WebSocket: ${seconds.toFixed(2)} s`);
    for (const job of finals) {
      expect(job.error).toBeUndefined();
      expect(job.state).toBe('succeeded');
      const result = job.result as ClipCutResult;
      expect(result.cuts.map((c) => c.frame)).toEqual(short.cuts);
      expect(result.files.every((f) => f.startsWith(join(server.outputRoot, job.id)))).toBe(true);
    }
    expect(new Set(finals.map((j) => j.id)).size).toBe(20);
    await Promise.all(clients.map((c) => c.close()));
  }, 120_000); // ~3 s alone; CI runs every test file at once on two cores

  it('runs over HTTP + SSE too, and reports a missing input as a failed job', async () => {
    const headers = { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' };
    const posted = await http(server.port, 'POST', '/v1/jobs', { headers, body: JSON.stringify({ op: 'clip-cut', params: { input: short.path, outputDir: 'over-http' } }) });
    expect(posted.status).toBe(202);
    const events = await readSse(server.port, `/v1/jobs/${(posted.json as Job).id}/events`, server.token);
    const final = events.at(-1)!.data as Job;
    expect(final.state).toBe('succeeded');
    expect((final.result as ClipCutResult).outputs.json).toBe(join(server.outputRoot, 'over-http', 'short clip.json'));

    const missing = await http(server.port, 'POST', '/v1/jobs', { headers, body: JSON.stringify({ op: 'clip-cut', params: { input: join(tempDir(), 'nope.mp4') } }) });
    const failed = (await readSse(server.port, `/v1/jobs/${(missing.json as Job).id}/events`, server.token)).at(-1)!.data as Job;
    expect(failed).toMatchObject({ state: 'failed', error: { code: 'INPUT_NOT_FOUND' } });
  });

  it('refuses an output folder outside the root at submit and creates nothing', async () => {
    const outside = join(tempDir(), 'not-here');
    const headers = { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' };
    const refused = await http(server.port, 'POST', '/v1/jobs', { headers, body: JSON.stringify({ op: 'clip-cut', params: { input: short.path, outputDir: outside } }) });
    expect(refused.status).toBe(403);
    expect(refused.json).toMatchObject({ error: { code: 'OUTPUT_NOT_ALLOWED', pointer: '/outputDir' } });
    expect(existsSync(outside)).toBe(false);
  });

  it('a restarted server answers for every finished job', async () => {
    const before = (await http(server.port, 'GET', '/v1/jobs', { headers: { authorization: `Bearer ${server.token}` } })).json as { jobs: Job[] };
    const finished = before.jobs.filter((j) => j.state !== 'queued' && j.state !== 'running');
    expect(finished.length).toBeGreaterThanOrEqual(22);
    await server.close();
    server = await startServer({ port: 0, configDir, dataDir, outputRoot: server.outputRoot });
    const client = await RpcTestClient.connect(server.wsUrl, server.token);
    await client.call('hello', { versions: ['1.0'] });
    for (const job of finished) expect(await client.call<Job>('job.get', { jobId: job.id })).toEqual(job);
    await client.close();
  });
});
