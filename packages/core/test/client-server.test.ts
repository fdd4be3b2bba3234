// The SDK client against a real `startServer` on port 0: negotiation, runs with progress, server
// errors with their codes, cancel through an AbortSignal, auth and version refusals, reconnect
// across a server restart. Each against a plain server (jobs in its process) and a `serve --queue`
// one whose jobs a `framewright worker` process runs from Redis (test/helpers/cluster.ts): the
// client cannot tell them apart.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVER_KINDS, startCluster, type ServerKind, type TestCluster } from '../../../test/helpers/cluster.js';
import { FramewrightClient, WebSocketTransport, type WebSocketConstructor } from '../src/client/index.js';
import { generateSampleVideo } from '../src/media/index.js';
import { FramewrightError, PROTOCOL_VERSIONS, type ClipCutProgress } from '../src/protocol/index.js';
import { startServer, type RunningServer, type ServerOptions } from '../src/server/index.js';

const dir = mkdtempSync(join(tmpdir(), 'fw-client-server-'));
const WS = WebSocket as unknown as WebSocketConstructor;
let short: string;
let long: string;
/** The queue server's Redis and worker (started with the videos; the in-process tests run meanwhile). */
let cluster: TestCluster;
const outputRootOf = (kind: ServerKind) => join(dir, kind, 'out');

const clientFor = (s: RunningServer, extra: ConstructorParameters<typeof FramewrightClient>[1] = {}, token = s.token) =>
  new FramewrightClient(() => new WebSocketTransport(s.wsUrl, { token, WebSocket: WS }), { clientInfo: { name: 'client-server-test', version: '0' }, ...extra });

beforeAll(async () => {
  [short, long, cluster] = await Promise.all([
    generateSampleVideo(join(dir, 'short.mp4'), { width: 160, height: 90, seconds: 4, preset: 'ultrafast' }).then((v) => v.path),
    generateSampleVideo(join(dir, 'long.mp4'), { width: 320, height: 180, seconds: 40, preset: 'ultrafast' }).then((v) => v.path),
    startCluster(join(dir, 'cluster'), outputRootOf('queue'), { ops: ['clip-cut'] }),
  ]);
});

afterAll(() => cluster?.stop());

describe.each(SERVER_KINDS)('client and real server (%s)', (kind) => {
  const base = join(dir, kind);
  const outputRoot = outputRootOf(kind);
  const options: ServerOptions = { port: 0, outputRoot, configDir: join(base, 'config'), dataDir: join(base, 'data') };
  let server: RunningServer;

  beforeAll(async () => {
    if (kind === 'queue') options.queue = cluster.url;
    server = await startServer(options);
  });

  afterAll(() => server?.close());

  it('negotiates the newest version and reports what the server can run', async () => {
    const client = clientFor(server);
    const hello = await client.connect();
    expect(hello.version).toBe(PROTOCOL_VERSIONS[0]);
    expect(client.capabilities.operations.find((o) => o.op === 'clip-cut')).toEqual({ op: 'clip-cut', available: true });
    const imageGen = client.capabilities.operations.find((o) => o.op === 'image-gen');
    expect(imageGen === undefined || imageGen.available || typeof imageGen.reason === 'string').toBe(true);
    await client.close();
  });

  it('runs clip-cut with validated progress and writes under the output root', async () => {
    const client = clientFor(server);
    await client.connect();
    const progress: ClipCutProgress[] = [];
    const result = await client.run('clip-cut', { input: short, outputDir: 'short', exports: ['json', 'edl'] }, { onProgress: (p) => progress.push(p) });
    expect(result.clips.map((c) => c.startFrame)).toEqual([0, 25, 40, 65, 80]);
    expect(result.frameCount).toBe(100);
    expect(progress.length).toBeGreaterThan(0);
    for (const f of result.files) {
      expect(f.startsWith(join(outputRoot, 'short'))).toBe(true);
      expect(existsSync(f)).toBe(true);
    }
    if (kind === 'queue') {
      // The queue server runs nothing itself: the job's record in Redis names the worker process.
      expect((await cluster.lastJob()).worker).toBe(cluster.worker.info.id);
    }
    await client.close();
  });

  it('rejects with the server error code and JSON pointer for bad params and a forbidden output folder', async () => {
    const client = clientFor(server);
    await client.connect();
    const bad = await client.run('clip-cut', { input: short, minClipSeconds: -5 }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(FramewrightError);
    expect(bad).toMatchObject({ code: 'INVALID_PARAMS', pointer: '/minClipSeconds' });
    const outside = await client.run('clip-cut', { input: short, outputDir: join(dir, 'elsewhere') }).catch((e: unknown) => e);
    expect(outside).toMatchObject({ name: 'FramewrightError', code: 'OUTPUT_NOT_ALLOWED' });
    expect(existsSync(join(dir, 'elsewhere'))).toBe(false);
    await client.close();
  });

  // A plain server refuses what it cannot run at submit; so does a queue server an operation none of its workers runs.
  it.runIf(kind === 'queue')('refuses at submit, with the reason hello gave, an operation no worker runs', async () => {
    const client = clientFor(server);
    await client.connect();
    const imageGen = client.capabilities.operations.find((o) => o.op === 'image-gen');
    expect(imageGen).toEqual({ op: 'image-gen', available: false, reason: 'image-gen is not taken by this worker (--ops)' });
    await expect(client.submit('image-gen', { prompt: 'a red circle' })).rejects.toMatchObject({ name: 'FramewrightError', code: 'OPERATION_UNAVAILABLE', message: imageGen!.reason });
    expect((await client.listJobs()).filter((j) => j.op === 'image-gen')).toEqual([]);
    await client.close();
  });

  it('cancels a running job when the AbortSignal fires', async () => {
    const client = clientFor(server);
    await client.connect();
    const controller = new AbortController();
    const started = Date.now();
    const error = await client
      .run('clip-cut', { input: long, outputDir: 'cancelled', exports: ['clips'], clipMode: 'accurate' }, { signal: controller.signal, onProgress: () => controller.abort() })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'FramewrightError', code: 'CANCELLED' });
    expect(Date.now() - started).toBeLessThan(20_000);
    const jobs = await client.listJobs();
    expect(jobs.some((j) => j.state === 'cancelled')).toBe(true);
    await client.close();
  });

  it.each([
    ['ws package', WS],
    ['built-in WebSocket', (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket],
  ])('says the token was refused (%s)', async (_name, Ctor) => {
    if (Ctor === undefined) return;
    const client = new FramewrightClient(() => new WebSocketTransport(server.wsUrl, { token: 'x'.repeat(64), WebSocket: Ctor }));
    await expect(client.connect()).rejects.toMatchObject({ name: 'SdkError', code: 'CONNECTION_REJECTED', message: expect.stringMatching(/token/) });
  });

  it('says clearly when the server speaks none of the offered versions', async () => {
    const client = clientFor(server, { versions: ['0.9', '0.8'] });
    const error = await client.connect().catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'FramewrightError', code: 'UNSUPPORTED_VERSION' });
    expect((error as Error).message).toMatch(/offers \[0\.9, 0\.8\]/);
  });

  it('reconnects after the server restarts on the same port and still finds finished jobs', async () => {
    const first = await startServer({ ...options, dataDir: join(base, 'restart-data') });
    const client = new FramewrightClient(() => new WebSocketTransport(first.wsUrl, { token: first.token, WebSocket: WS }), {
      reconnect: { initialDelayMs: 50, maxAttempts: 10 },
    });
    await client.connect();
    const before = await client.submit('clip-cut', { input: short, outputDir: 'before-restart' });
    await client.wait(before);
    let reconnected = 0;
    client.onreconnect = () => reconnected++;
    await first.close();
    while (client.isConnected) await new Promise((r) => setTimeout(r, 10));
    const second = await startServer({ ...options, port: first.port, dataDir: join(base, 'restart-data') });
    try {
      const jobs = await client.listJobs();
      expect(reconnected).toBe(1);
      expect(jobs.find((j) => j.id === before.id)?.state).toBe('succeeded');
      expect((await client.getJob(before.id)).state).toBe('succeeded');
      expect((await client.run('clip-cut', { input: short, outputDir: 'after-restart' })).clips).toHaveLength(5);
    } finally {
      await client.close();
      await second.close();
    }
  });
});
