import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../src/server/index.js';
import { ENGINE_VERSION } from '../src/engine/index.js';
import { findSchemaProblem, HttpErrorBodySchema, JobSchema, publishedSchemas, PROTOCOL_VERSIONS, type HelloResult, type Job } from '../src/protocol/index.js';
import { fakeRegistry, tempDir } from './engine-fakes.js';
import { http, readSse, RpcTestClient, upgradeStatus } from './server-helpers.js';

const ALLOWED = 'https://panel.example';
let server: RunningServer;
let configDir: string;
let dataDir: string;
const fake = fakeRegistry({ steps: 5 });

beforeAll(async () => {
  configDir = tempDir();
  dataDir = tempDir();
  server = await startServer({ port: 0, configDir, dataDir, outputRoot: tempDir(), allowedOrigins: [ALLOWED], registry: fake.registry, concurrency: 4 });
});
afterAll(() => server.close());

const auth = (): Record<string, string> => ({ authorization: `Bearer ${server.token}` });
const json = (): Record<string, string> => ({ ...auth(), 'content-type': 'application/json' });

function expectHttpError(exchange: { status: number; json: unknown }, status: number, code: string): void {
  expect(exchange.status).toBe(status);
  expect(findSchemaProblem(HttpErrorBodySchema, exchange.json)).toBeUndefined();
  expect((exchange.json as { error: { code: string } }).error.code).toBe(code);
}

describe('token', () => {
  it('is created on first start in the config folder with mode 0600', () => {
    expect(server.token).toMatch(/^[0-9a-f]{64}$/);
    expect(readdirSync(configDir)).toEqual(['token']);
    expect(statSync(join(configDir, 'token')).mode & 0o777).toBe(0o600);
  });

  it('HTTP without a token, with a wrong one or a malformed header answers 401 UNAUTHORIZED', async () => {
    const attempts: Array<Record<string, string>> = [{}, { authorization: 'Bearer wrong' }, { authorization: `Basic ${server.token}` }, { authorization: `Bearer ${server.token}x` }];
    for (const headers of attempts) {
      const exchange = await http(server.port, 'GET', '/v1/jobs', { headers });
      expectHttpError(exchange, 401, 'UNAUTHORIZED');
      expect(exchange.headers['www-authenticate']).toMatch(/^Bearer/);
    }
  });

  it('WebSocket without a token or with a wrong one (header or subprotocol) is refused with 401', async () => {
    expect((await upgradeStatus(server.wsUrl)).status).toBe(401);
    expect((await upgradeStatus(server.wsUrl, { protocols: ['framewright.v1', 'bearer.nope'] })).status).toBe(401);
    expect((await upgradeStatus(server.wsUrl, { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
    // A token subprotocol without framewright.v1 is refused too.
    expect((await upgradeStatus(server.wsUrl, { protocols: [`bearer.${server.token}`] })).status).toBe(401);
  });

  it('WebSocket accepts the token as a subprotocol and echoes only framewright.v1', async () => {
    const accepted = await upgradeStatus(server.wsUrl, { protocols: ['framewright.v1', `bearer.${server.token}`] });
    expect(accepted).toMatchObject({ status: 101, protocol: 'framewright.v1' });
    expect((await upgradeStatus(server.wsUrl, { headers: auth() })).status).toBe(101);
  });

  it('health answers without a token and says only what speaks here', async () => {
    const exchange = await http(server.port, 'GET', '/v1/health');
    expect(exchange.status).toBe(200);
    expect(exchange.json).toEqual({ ok: true, version: ENGINE_VERSION, protocolVersions: [...PROTOCOL_VERSIONS] });
  });
});

describe('Origin and Host', () => {
  it('refuses a WebSocket upgrade from an Origin not on the allow-list (403), accepts an allowed one', async () => {
    const refused = await upgradeStatus(server.wsUrl, { headers: { ...auth(), origin: 'https://evil.example' } });
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body)).toMatchObject({ error: { code: 'FORBIDDEN' } });
    expect((await upgradeStatus(server.wsUrl, { headers: { ...auth(), origin: ALLOWED } })).status).toBe(101);
  });

  it("accepts the server's own loopback origin (pages it serves), refuses it on another port", async () => {
    for (const origin of [`http://127.0.0.1:${server.port}`, `http://localhost:${server.port}`, `http://[::1]:${server.port}`]) {
      expect((await upgradeStatus(server.wsUrl, { headers: { ...auth(), origin } })).status).toBe(101);
    }
    for (const origin of [`http://127.0.0.1:${server.port + 1}`, `https://127.0.0.1:${server.port}`, `http://evil.example:${server.port}`, 'null']) {
      expect((await upgradeStatus(server.wsUrl, { headers: { ...auth(), origin } })).status).toBe(403);
    }
  });

  it('refuses HTTP from a foreign Origin; answers CORS only for allowed ones', async () => {
    expectHttpError(await http(server.port, 'GET', '/v1/jobs', { headers: { ...auth(), origin: 'https://evil.example' } }), 403, 'FORBIDDEN');
    const allowed = await http(server.port, 'GET', '/v1/jobs', { headers: { ...auth(), origin: ALLOWED } });
    expect(allowed.status).toBe(200);
    expect(allowed.headers['access-control-allow-origin']).toBe(ALLOWED);
    const preflight = await http(server.port, 'OPTIONS', '/v1/jobs', { headers: { origin: ALLOWED, 'access-control-request-method': 'POST' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-headers']).toMatch(/authorization/);
    const plain = await http(server.port, 'GET', '/v1/jobs', { headers: auth() });
    expect(plain.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('refuses Host headers that are not loopback names with this port (DNS rebinding), on HTTP and WebSocket', async () => {
    for (const host of ['evil.example', `evil.example:${server.port}`, `127.0.0.1:${server.port + 1}`, '127.0.0.1', `10.0.0.1:${server.port}`]) {
      expectHttpError(await http(server.port, 'GET', '/v1/health', { headers: { host } }), 403, 'FORBIDDEN');
      expect((await upgradeStatus(server.wsUrl, { headers: { ...auth(), host } })).status).toBe(403);
    }
    for (const host of [`localhost:${server.port}`, `[::1]:${server.port}`, `LOCALHOST:${server.port}`]) {
      expect((await http(server.port, 'GET', '/v1/health', { headers: { host } })).status).toBe(200);
    }
  });
});

describe('WebSocket JSON-RPC', () => {
  it('negotiates the version in hello and lists capabilities honestly', async () => {
    const client = await RpcTestClient.connect(server.wsUrl, server.token);
    const hello = await client.call<HelloResult>('hello', { versions: ['9.0', '1.0'], client: { name: 'test', version: '1' } });
    expect(hello.version).toBe('1.0');
    expect(hello.server).toEqual({ name: 'framewright', version: ENGINE_VERSION });
    const byOp = Object.fromEntries(hello.capabilities.operations.map((c) => [c.op, c]));
    expect(byOp['clip-cut']).toEqual({ op: 'clip-cut', available: true });
    expect(byOp['image-gen']).toMatchObject({ available: false, reason: expect.stringMatching(/not in this build/) as unknown });
    expect(byOp['video-gen']).toMatchObject({ available: true, modes: expect.arrayContaining([{ mode: 'text-to-video', available: true }]) as unknown });
    const again = await client.request('hello', { versions: ['1.0'] });
    expect(again.error?.data.code).toBe('INVALID_REQUEST');
    await client.close();
  });

  it('answers an unsupported version with UNSUPPORTED_VERSION naming both lists', async () => {
    const client = await RpcTestClient.connect(server.wsUrl, server.token, { via: 'header' });
    const answer = await client.request('hello', { versions: ['0.1', '0.2'] });
    expect(answer.error).toMatchObject({ code: -32000, data: { code: 'UNSUPPORTED_VERSION' } });
    expect(answer.error?.message).toMatch(/peer offers \[0\.1, 0\.2\], this side speaks \[1\.2, 1\.1, 1\.0\]/);
    await client.close();
  });

  it('requires hello first, and validates envelope and params', async () => {
    const client = await RpcTestClient.connect(server.wsUrl, server.token);
    expect((await client.request('job.list')).error).toMatchObject({ code: -32600, data: { code: 'INVALID_REQUEST', message: 'call hello before job.list' } });
    expect((await client.raw('{not json')).error).toMatchObject({ code: -32700, data: { code: 'INVALID_REQUEST' } });
    expect((await client.raw('[]')).error).toMatchObject({ code: -32600 });
    expect((await client.raw(JSON.stringify({ jsonrpc: '1.0', id: 77, method: 'hello' }), 77)).error).toMatchObject({ code: -32600, data: { pointer: '/jsonrpc' } });
    expect((await client.request('hello', { versions: [] })).error).toMatchObject({ code: -32602, data: { code: 'INVALID_PARAMS', pointer: '/versions' } });
    expect((await client.request('no.such')).error).toMatchObject({ code: -32601 });
    const binary = new Promise<string>((resolve) => client.socket.once('message', (d) => resolve(String(d))));
    client.socket.send(Buffer.from('{}'), { binary: true });
    expect(JSON.parse(await binary)).toMatchObject({ id: null, error: { code: -32700 } });
    await client.call('hello', { versions: ['1.0'] });
    expect((await client.request('job.submit', { op: 'clip-cut', params: { input: 'a.mp4', thresholds: { content: -1 } } })).error).toMatchObject({
      code: -32602,
      data: { code: 'INVALID_PARAMS', pointer: '/thresholds/content' },
    });
    expect((await client.request('job.submit', { op: 'clip-cut', params: { input: 'a.mp4', outputDir: '/tmp' } })).error).toMatchObject({
      code: -32000,
      data: { code: 'OUTPUT_NOT_ALLOWED' },
    });
    expect((await client.request('job.submit', { op: 'image-gen', params: { prompt: 'fox' } })).error).toMatchObject({ data: { code: 'OPERATION_UNAVAILABLE' } });
    expect((await client.request('job.get', { jobId: 'missing' })).error).toMatchObject({ data: { code: 'JOB_NOT_FOUND' } });
    await client.close();
  });

  it('closes a connection that sends a message over the size limit (1009)', async () => {
    const client = await RpcTestClient.connect(server.wsUrl, server.token);
    const closed = new Promise<number>((resolve) => client.socket.once('close', (code) => resolve(code)));
    client.socket.send('x'.repeat((1 << 20) + 1));
    expect(await closed).toBe(1009);
  });

  it('runs a job: submit answer first, then running, progress and the final state with the result', async () => {
    const client = await RpcTestClient.connect(server.wsUrl, server.token);
    await client.call('hello', { versions: ['1.0'] });
    const job = await client.call<Job>('job.submit', { op: 'clip-cut', params: { input: 'talk.mp4' } });
    expect(job.state).toBe('queued');
    const done = await client.waitFor((n) => n.method === 'job.state' && (n.params as Job).state === 'succeeded');
    const mine = client.notifications.filter((n) => (n.params as { id?: string; jobId?: string }).id === job.id || (n.params as { jobId?: string }).jobId === job.id);
    expect(mine[0]).toMatchObject({ method: 'job.state', params: { state: 'running' } });
    expect(mine.filter((n) => n.method === 'job.progress').length).toBeGreaterThan(0);
    expect((done.params as Job).result).toMatchObject({ input: 'talk.mp4', files: [join(server.outputRoot, job.id, 'cuts.json')] });
    expect(await client.call<Job>('job.get', { jobId: job.id })).toEqual(done.params);
    expect((await client.call<{ jobs: Job[] }>('job.list')).jobs.map((j) => j.id)).toContain(job.id);
    await client.close();
  });

  it('cancels a running job; the client hears the cancelled state', async () => {
    const slow = fakeRegistry({ steps: 100_000 });
    const own = await startServer({ port: 0, configDir, dataDir: tempDir(), outputRoot: tempDir(), registry: slow.registry });
    const client = await RpcTestClient.connect(own.wsUrl, own.token);
    await client.call('hello', { versions: ['1.0'] });
    const job = await client.call<Job>('job.submit', { op: 'clip-cut', params: { input: 'talk.mp4' } });
    await client.waitFor((n) => n.method === 'job.progress');
    const cancelled = await client.call<Job>('job.cancel', { jobId: job.id });
    expect(cancelled).toMatchObject({ state: 'cancelled', error: { code: 'CANCELLED' } });
    await client.waitFor((n) => n.method === 'job.state' && (n.params as Job).state === 'cancelled');
    expect(slow.probe.live).toBe(0);
    await client.close();
    await own.close();
  });
});

describe('HTTP JSON and Server-Sent Events', () => {
  it('POST /v1/jobs answers 202 with the job; its events stream progress and end with the final state', async () => {
    const posted = await http(server.port, 'POST', '/v1/jobs', { headers: json(), body: JSON.stringify({ op: 'clip-cut', params: { input: 'a.mp4' } }) });
    expect(posted.status).toBe(202);
    const job = posted.json as Job;
    expect(findSchemaProblem(JobSchema, job)).toBeUndefined();
    expect(posted.headers.location).toBe(`/v1/jobs/${job.id}`);
    const events = await readSse(server.port, `/v1/jobs/${job.id}/events`, server.token);
    expect(events.at(-1)).toMatchObject({ event: 'state', data: { id: job.id, state: 'succeeded' } });
    expect(events.some((e) => e.event === 'progress')).toBe(true);
    for (const e of events) if (e.event === 'state') expect(findSchemaProblem(JobSchema, e.data)).toBeUndefined();
    // A finished job replays only its final state.
    expect(await readSse(server.port, `/v1/jobs/${job.id}/events`, server.token)).toEqual([{ event: 'state', data: events.at(-1)!.data }]);
    const got = await http(server.port, 'GET', `/v1/jobs/${job.id}`, { headers: auth() });
    expect(got.json).toEqual(events.at(-1)!.data);
    const list = await http(server.port, 'GET', '/v1/jobs', { headers: auth() });
    expect((list.json as { jobs: Job[] }).jobs.map((j) => j.id)).toContain(job.id);
  });

  it('DELETE /v1/jobs/:id cancels a running job', async () => {
    const slow = fakeRegistry({ steps: 100_000 });
    const own = await startServer({ port: 0, configDir, dataDir: tempDir(), outputRoot: tempDir(), registry: slow.registry });
    const h = { authorization: `Bearer ${own.token}`, 'content-type': 'application/json' };
    const job = (await http(own.port, 'POST', '/v1/jobs', { headers: h, body: JSON.stringify({ op: 'clip-cut', params: { input: 'a.mp4' } }) })).json as Job;
    await new Promise((r) => setTimeout(r, 50));
    const deleted = await http(own.port, 'DELETE', `/v1/jobs/${job.id}`, { headers: h });
    expect(deleted.status).toBe(200);
    expect(deleted.json).toMatchObject({ state: 'cancelled', error: { code: 'CANCELLED' } });
    expect(slow.probe.live).toBe(0);
    await own.close();
  });

  it('answers bad requests with a status and a WireError body', async () => {
    const post = (body: string, headers = json()) => http(server.port, 'POST', '/v1/jobs', { headers, body });
    expectHttpError(await post('{nope'), 400, 'INVALID_REQUEST');
    expectHttpError(await post('{}', auth()), 415, 'INVALID_REQUEST');
    expectHttpError(await post(JSON.stringify({ op: 'clip-cut', params: { input: 'x' }, extra: 1 })), 400, 'INVALID_REQUEST');
    expectHttpError(await post(JSON.stringify({ op: 'teleport', params: {} })), 400, 'UNKNOWN_OPERATION');
    const invalid = await post(JSON.stringify({ op: 'clip-cut', params: { input: 7 } }));
    expectHttpError(invalid, 400, 'INVALID_PARAMS');
    expect(invalid.json).toMatchObject({ error: { pointer: '/input' } });
    expectHttpError(await post(JSON.stringify({ op: 'clip-cut', params: { input: 'x', outputDir: '../../escape' } })), 403, 'OUTPUT_NOT_ALLOWED');
    expectHttpError(await post(JSON.stringify({ op: 'video-gen', params: {} })), 400, 'INVALID_PARAMS');
    expectHttpError(await post(JSON.stringify({ op: 'clip-cut', params: { input: 'x'.repeat(2 << 20) } })), 413, 'INVALID_REQUEST');
    expectHttpError(await http(server.port, 'GET', '/v1/jobs/nope', { headers: auth() }), 404, 'JOB_NOT_FOUND');
    expectHttpError(await http(server.port, 'GET', '/v1/jobs/nope/events', { headers: auth() }), 404, 'JOB_NOT_FOUND');
    expectHttpError(await http(server.port, 'GET', '/v2/other', { headers: auth() }), 404, 'INVALID_REQUEST');
    expectHttpError(await http(server.port, 'PUT', '/v1/jobs', { headers: auth() }), 405, 'INVALID_REQUEST');
  });

  it('GET /v1/schemas serves every published schema', async () => {
    const exchange = await http(server.port, 'GET', '/v1/schemas', { headers: auth() });
    expect(exchange.status).toBe(200);
    expect(exchange.json).toEqual(publishedSchemas());
  });
});

describe('listening', () => {
  it('names the address when the port is taken', async () => {
    await expect(startServer({ port: server.port, configDir, dataDir: tempDir(), outputRoot: tempDir() })).rejects.toThrow(
      new RegExp(`cannot listen on 127\\.0\\.0\\.1:${server.port}: EADDRINUSE`),
    );
  });
});

describe('restart', () => {
  it('a server restarted on the same data folder still answers for finished jobs, and reuses the token', async () => {
    const data = tempDir();
    const first = await startServer({ port: 0, configDir, dataDir: data, outputRoot: tempDir(), registry: fake.registry });
    const client = await RpcTestClient.connect(first.wsUrl, first.token);
    await client.call('hello', { versions: ['1.0'] });
    const job = await client.call<Job>('job.submit', { op: 'clip-cut', params: { input: 'a.mp4' } });
    const done = (await client.waitFor((n) => n.method === 'job.state' && (n.params as Job).state === 'succeeded')).params as Job;
    await first.close();
    const second = await startServer({ port: 0, configDir, dataDir: data, outputRoot: tempDir(), registry: fake.registry });
    expect(second.token).toBe(first.token);
    const again = await RpcTestClient.connect(second.wsUrl, second.token);
    await again.call('hello', { versions: ['1.0'] });
    expect(await again.call<Job>('job.get', { jobId: job.id })).toEqual(done);
    expect((await http(second.port, 'GET', `/v1/jobs/${job.id}`, { headers: { authorization: `Bearer ${second.token}` } })).json).toEqual(done);
    await again.close();
    await second.close();
  });
});
