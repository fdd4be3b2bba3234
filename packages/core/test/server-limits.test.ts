// A hostile but well-formed request cannot stall the server: 300,000 invalid array items are
// refused at once with a short message, over HTTP and WebSocket, while other clients are answered.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIP_CUT_EXPORTS } from '../src/protocol/index.js';
import { startServer, type RunningServer } from '../src/server/index.js';
import { fakeRegistry, tempDir } from './engine-fakes.js';
import { http, RpcTestClient, type HttpExchange } from './server-helpers.js';

const ITEMS = 300_000;
/** Generous for a loaded 2-core CI machine; before the fix this took 3-11 s and failed with INTERNAL. */
const BOUND_MS = 100;

let server: RunningServer;
beforeAll(async () => {
  server = await startServer({ port: 0, configDir: tempDir(), dataDir: tempDir(), outputRoot: tempDir(), registry: fakeRegistry().registry });
});
afterAll(() => server.close());

const hostileParams = () => ({ input: 'talk.mp4', exports: new Array<number>(ITEMS).fill(7) });
const submitBody = (params: unknown) => JSON.stringify({ op: 'clip-cut', params });
const post = (body: string): Promise<HttpExchange> =>
  http(server.port, 'POST', '/v1/jobs', { headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' }, body });

/** Runs `work` with a health request sent at the same moment; resolves both latencies. */
async function withHealth<T>(work: () => Promise<T>): Promise<{ value: T; ms: number; healthMs: number }> {
  const start = performance.now();
  const timed = work().then((value) => ({ value, ms: performance.now() - start }));
  const health = http(server.port, 'GET', '/v1/health').then((h) => {
    expect(h.status).toBe(200);
    return performance.now() - start;
  });
  const [done, healthMs] = await Promise.all([timed, health]);
  return { ...done, healthMs };
}

/** The best of three tries, so one GC pause or a neighbour's burst on a shared runner does not decide. */
async function bestOf<T extends { ms: number; healthMs: number }>(attempt: () => Promise<T>): Promise<T> {
  const tries = [await attempt(), await attempt(), await attempt()];
  return tries.reduce((a, b) => (Math.max(b.ms, b.healthMs) < Math.max(a.ms, a.healthMs) ? b : a));
}

describe('validation is bounded by the schema, not by the request', () => {
  it(`HTTP: ${ITEMS.toLocaleString('en')} invalid items get INVALID_PARAMS in < ${BOUND_MS} ms, a message under 1 KB naming the first, and health is answered meanwhile`, async () => {
    const body = submitBody(hostileParams());
    expect(body.length).toBeGreaterThan(590_000);
    const { value, ms, healthMs } = await bestOf(() => withHealth(() => post(body)));
    expect(value.status).toBe(400);
    const error = (value.json as { error: { code: string; message: string; pointer: string } }).error;
    expect(error).toEqual({
      code: 'INVALID_PARAMS',
      pointer: '/exports/0',
      message: `clip-cut params /exports/0 must be one of ${CLIP_CUT_EXPORTS.map((e) => JSON.stringify(e)).join(', ')}`,
    });
    expect(Buffer.byteLength(value.text)).toBeLessThan(1024);
    expect(ms).toBeLessThan(BOUND_MS);
    expect(healthMs).toBeLessThan(BOUND_MS);
    expect((await http(server.port, 'GET', '/v1/jobs', { headers: { authorization: `Bearer ${server.token}` } })).json).toEqual({ jobs: [] });
  });

  it(`WebSocket: the same job.submit is answered the same way in < ${BOUND_MS} ms`, async () => {
    const client = await RpcTestClient.connect(server.wsUrl, server.token);
    try {
      await client.call('hello', { versions: ['1.0'] });
      const text = JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'job.submit', params: { op: 'clip-cut', params: hostileParams() } });
      let size = 0;
      client.socket.on('message', (data: Buffer) => (size = data.length));
      const { value, ms, healthMs } = await bestOf(() => withHealth(() => client.raw(text, 9)));
      expect(value.error).toMatchObject({ code: -32602, data: { code: 'INVALID_PARAMS', pointer: '/exports/0' } });
      expect(size).toBeLessThan(1024);
      expect(ms).toBeLessThan(BOUND_MS);
      expect(healthMs).toBeLessThan(BOUND_MS);
    } finally {
      await client.close();
    }
  });

  it('two bad items give the message one gives (it names the first, not every one)', async () => {
    const one = await post(submitBody({ input: 'a.mp4', exports: [1] }));
    const two = await post(submitBody({ input: 'a.mp4', exports: [1, 2] }));
    expect(two.text).toBe(one.text);
  });

  it('a huge unknown field name or operation name is cut short in the message', async () => {
    const field = await post(JSON.stringify({ op: 'clip-cut', params: { input: 'a.mp4', ['x'.repeat(500_000)]: 1 } }));
    expect(field.status).toBe(400);
    expect(field.json).toMatchObject({ error: { code: 'INVALID_PARAMS', message: expect.stringMatching(/^clip-cut params \/x{64}… is not a known field$/) } });
    expect(field.text.length).toBeLessThan(1024);
    const op = await post(JSON.stringify({ op: 'y'.repeat(500_000), params: {} }));
    expect(op.json).toMatchObject({ error: { code: 'UNKNOWN_OPERATION', message: expect.stringMatching(/^unknown operation "y{64}…": known are /) } });
    expect(op.text.length).toBeLessThan(1024);
  });
});
