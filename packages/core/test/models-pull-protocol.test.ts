// models-pull through the protocol (1.2) and the SDK: a real `startServer` pulling from the
// stand-in Hub (test/helpers/test-hub.ts) with the server's own HF_ENDPOINT and HF_TOKEN.
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { FramewrightClient, WebSocketTransport, type JsonRpcMessage, type Transport, type WebSocketConstructor } from '../src/client/index.js';
import { verifyModelPack } from '../src/models/index.js';
import { PROTOCOL_VERSION_HEADER, type ModelsPullProgress } from '../src/protocol/index.js';
import { startServer, type RunningServer } from '../src/server/index.js';
import { SD_TURBO_CARD, writeSdTurboExport } from './helpers/export-replicas.js';
import { filesOfFolder, startTestHub, type HubFile, type TestHub } from './helpers/test-hub.js';

const WS = WebSocket as unknown as WebSocketConstructor;
const TOKEN = 'hf_server_side_secret_0123456789';
let work: string;
let files: HubFile[];
let server: RunningServer;
const logged: string[] = [];
const hubs: TestHub[] = [];
const models = () => join(work, 'config', 'models');

/** Every message both ways, to show what a client sees. */
class Tap implements Transport {
  constructor(
    private readonly inner: Transport,
    private readonly seen: string[],
  ) {
    inner.onmessage = (m) => {
      seen.push(JSON.stringify(m));
      this.onmessage?.(m);
    };
    inner.onclose = () => this.onclose?.();
    inner.onerror = (e) => this.onerror?.(e);
  }
  onmessage?: (message: unknown) => void;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  start(): Promise<void> {
    return this.inner.start();
  }
  send(message: JsonRpcMessage): Promise<void> {
    this.seen.push(JSON.stringify(message));
    return this.inner.send(message);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

const clientOf = (seen: string[] = [], versions?: string[]) =>
  new FramewrightClient(() => new Tap(new WebSocketTransport(server.wsUrl, { token: server.token, WebSocket: WS }), seen), { reconnect: false, ...(versions === undefined ? {} : { versions }) });

async function hubWith(options: Parameters<typeof startTestHub>[1] = {}, gated: false | 'manual' = false): Promise<TestHub> {
  const h = await startTestHub([{ id: 'test-org/sd-turbo-tiny', files, cardData: SD_TURBO_CARD, gated }], { token: TOKEN, ...options });
  hubs.push(h);
  // The server reads the Hub from its own environment, as `framewright serve` does.
  vi.stubEnv('HF_ENDPOINT', h.endpoint);
  return h;
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'fw-pull-protocol-'));
  writeSdTurboExport(join(work, 'export'), 'optimum-fp32');
  files = filesOfFolder(join(work, 'export'));
  vi.stubEnv('FRAMEWRIGHT_CONFIG_DIR', join(work, 'config'));
  vi.stubEnv('HF_TOKEN', TOKEN);
  server = await startServer({ port: 0, outputRoot: join(work, 'out'), configDir: join(work, 'config'), dataDir: join(work, 'data'), log: (line) => logged.push(line) });
});
afterEach(async () => {
  await Promise.all(hubs.splice(0).map((h) => h.close()));
  rmSync(models(), { recursive: true, force: true });
});
afterAll(async () => {
  await server.close();
  vi.unstubAllEnvs();
  rmSync(work, { recursive: true, force: true });
});

describe('models-pull through the protocol and the SDK', () => {
  it('pulls a gated repository with the server\'s HF_TOKEN: licence, download and install progress, a verified pack image-gen then runs; the token never reaches the client or the log', async () => {
    const h = await hubWith({}, 'manual');
    const seen: string[] = [];
    const client = clientOf(seen);
    const hello = await client.connect();
    expect(hello.version).toBe('1.2');
    expect(client.capabilities.operations.find((o) => o.op === 'models-pull')).toEqual({ op: 'models-pull', available: true });
    const progress: ModelsPullProgress[] = [];
    const result = await client.pullModel('test-org/sd-turbo-tiny', { acceptLicence: true, onProgress: (p) => progress.push(p) });
    expect(result).toMatchObject({ id: 'sd-turbo-tiny', family: 'sd-turbo', dir: join(models(), 'sd-turbo-tiny'), repo: 'test-org/sd-turbo-tiny', upToDate: false, resumedBytes: 0, licence: { name: 'sai-nc-community', url: SD_TURBO_CARD.license_link } });
    expect(result.licence.needsAcceptance).toContain('gated');
    expect(result.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(result.files).toBe(13);
    expect((await verifyModelPack(result.dir)).ok).toBe(true);
    expect(progress[0]).toMatchObject({ stage: 'licence', fraction: 0, licence: 'sai-nc-community' });
    const downloads = progress.filter((p) => p.stage === 'download');
    expect(downloads.length).toBeGreaterThan(0);
    expect(downloads.at(-1)).toMatchObject({ bytesTotal: result.bytes, filesTotal: 13 });
    for (let i = 1; i < downloads.length; i++) expect(downloads[i]!.bytesDone!).toBeGreaterThanOrEqual(downloads[i - 1]!.bytesDone!);
    expect(progress.at(-1)).toEqual({ stage: 'install', fraction: 1, filesDone: 13, filesTotal: 13 });
    // The server sent its token to the Hub, and nowhere else.
    expect(h.requests.some((r) => r.server === 'hub' && r.authorization === `Bearer ${TOKEN}`)).toBe(true);
    expect(h.requests.filter((r) => r.server === 'cdn' && r.authorization !== undefined)).toEqual([]);
    expect(seen.length).toBeGreaterThan(5);
    expect(seen.filter((m) => m.includes(TOKEN) || m.includes('HF_TOKEN'))).toEqual([]);
    expect(logged.filter((l) => l.includes(TOKEN))).toEqual([]);
    // The pack is where the server's operations look.
    const drawn = await client.run('image-gen', { prompt: 'a red cat', model: result.id, width: 64, height: 64, seed: 1, steps: 1, outputDir: 'drawn' });
    expect(drawn.images).toEqual([expect.objectContaining({ width: 64, height: 64 })]);
    // Pulled again at the same commit: nothing fetched.
    expect(await client.pullModel('test-org/sd-turbo-tiny', { acceptLicence: true })).toMatchObject({ upToDate: true, dir: result.dir });
    await client.close();
  }, 60_000);

  it('without acceptLicence the job fails naming the licence, and nothing is written', async () => {
    await hubWith();
    const client = clientOf();
    await client.connect();
    await expect(client.pullModel('test-org/sd-turbo-tiny')).rejects.toMatchObject({
      code: 'INVALID_PARAMS',
      message: `test-org/sd-turbo-tiny is published under the licence sai-nc-community, and it does not allow commercial use; read it at ${SD_TURBO_CARD.license_link} and run again with --accept-licence`,
    });
    expect(existsSync(models())).toBe(false);
    await client.close();
  });

  it('a file that does not match the Hub\'s hash fails the job with MODEL_INVALID and leaves nothing', async () => {
    await hubWith({ corrupt: ['unet/model.onnx_data'] });
    const client = clientOf();
    await client.connect();
    await expect(client.pullModel('test-org/sd-turbo-tiny', { acceptLicence: true })).rejects.toMatchObject({ code: 'MODEL_INVALID', message: expect.stringContaining('unet/model.onnx_data') });
    expect(readdirSync(models())).toEqual([]);
    await client.close();
  });

  it('cancelling through the AbortSignal cancels the job mid-download and leaves nothing, not even the staged bytes', async () => {
    await hubWith({ stallAfter: { 'unet/model.onnx_data': 64 } });
    const client = clientOf();
    await client.connect();
    const controller = new AbortController();
    const staged = join(models(), '.sd-turbo-tiny.pull', 'unet', 'model.onnx_data.incomplete');
    const running = client.pullModel('test-org/sd-turbo-tiny', { acceptLicence: true, signal: controller.signal });
    while (!(existsSync(staged) && statSync(staged).size === 64)) await new Promise((r) => setTimeout(r, 10));
    controller.abort();
    await expect(running).rejects.toMatchObject({ code: 'CANCELLED' });
    const jobs = await client.listJobs();
    expect(jobs.filter((j) => j.op === 'models-pull' && j.state === 'cancelled')).toEqual([expect.objectContaining({ error: { code: 'CANCELLED', message: 'the pull of test-org/sd-turbo-tiny was cancelled (nothing of it was kept)' } })]);
    expect(readdirSync(models())).toEqual([]);
    await client.close();
  });

  it('a 1.1 or 1.0 peer neither sees models-pull nor may submit it (WebSocket and HTTP)', async () => {
    const current = clientOf();
    await current.connect();
    const pullJob = (await current.listJobs()).find((j) => j.op === 'models-pull')!;
    await current.close();
    const old = clientOf([], ['1.1']);
    await old.connect();
    await expect(old.getJob(pullJob.id)).rejects.toMatchObject({ code: 'JOB_NOT_FOUND' });
    expect(old.protocolVersion).toBe('1.1');
    expect(old.capabilities.operations.map((o) => o.op)).not.toContain('models-pull');
    expect((await old.listJobs()).filter((j) => j.op === 'models-pull')).toEqual([]);
    await expect(old.run('models-pull', { repo: 'test-org/sd-turbo-tiny' })).rejects.toMatchObject({ code: 'UNKNOWN_OPERATION', message: expect.stringContaining('models-pull needs protocol 1.2; this connection speaks 1.1') });
    await old.close();
    const post = (headers: Record<string, string>) =>
      fetch(`${server.url}/v1/jobs`, { method: 'POST', headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json', ...headers }, body: JSON.stringify({ op: 'models-pull', params: { repo: 'nobody/nothing' } }) });
    const refused = await post({});
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { code: string; message: string } }).error.message).toContain('models-pull needs protocol 1.2; this connection speaks 1.0');
    const listed = (await (await fetch(`${server.url}/v1/jobs`, { headers: { authorization: `Bearer ${server.token}` } })).json()) as { jobs: Array<{ op: string }> };
    expect(listed.jobs.filter((j) => j.op === 'models-pull')).toEqual([]);
    const listed12 = (await (await fetch(`${server.url}/v1/jobs`, { headers: { authorization: `Bearer ${server.token}`, [PROTOCOL_VERSION_HEADER]: '1.2' } })).json()) as { jobs: Array<{ op: string }> };
    expect(listed12.jobs.filter((j) => j.op === 'models-pull').length).toBeGreaterThan(0);
  });
});
