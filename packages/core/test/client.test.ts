import { describe, expect, it } from 'vitest';
import { FramewrightClient, InMemoryTransport, SdkError, type Transport } from '../src/client/index.js';
import { FramewrightError, PROTOCOL_VERSIONS, type ClipCutResult, type HelloResult, type Job } from '../src/protocol/index.js';

// A scripted server on the far end of an in-memory transport pair.
type Handler = (params: Record<string, unknown>, server: FakeServer) => unknown;

class FakeServer {
  readonly calls: { method: string; params: Record<string, unknown> }[] = [];
  constructor(
    readonly transport: InMemoryTransport,
    private readonly handlers: Record<string, Handler>,
  ) {
    transport.onmessage = (m) => void this.receive(m as { id: number; method: string; params: Record<string, unknown> });
    void transport.start();
  }
  notify(method: string, params: unknown): void {
    void this.transport.send({ jsonrpc: '2.0', method, params });
  }
  private async receive(m: { id: number; method: string; params: Record<string, unknown> }): Promise<void> {
    this.calls.push({ method: m.method, params: m.params });
    const handler = this.handlers[m.method];
    if (handler === undefined) return; // unanswered: lets a test exercise time limits
    try {
      const result = await handler(m.params, this);
      await this.transport.send({ jsonrpc: '2.0', id: m.id, result });
    } catch (e) {
      const error = e as FramewrightError;
      await this.transport.send({ jsonrpc: '2.0', id: m.id, error: { code: -32000, message: error.message, data: error.toWire() } });
    }
  }
}

const HELLO: HelloResult = {
  version: PROTOCOL_VERSIONS[0],
  server: { name: 'fake', version: '0.0.0' },
  capabilities: { operations: [{ op: 'clip-cut', available: true }, { op: 'image-gen', available: false, reason: 'no model' }] },
};

const RESULT: ClipCutResult = {
  input: '/v/a.mp4',
  width: 320,
  height: 180,
  fps: 25,
  fpsRational: { num: 25, den: 1 },
  dropFrame: false,
  frameCount: 100,
  durationSeconds: 4,
  cuts: [{ frame: 50, seconds: 2, timecode: '00:00:02:00', score: 41.5, detectors: ['content'] }],
  clips: [
    { index: 0, startFrame: 0, endFrame: 50, frames: 50, startSeconds: 0, endSeconds: 2, startTimecode: '00:00:00:00', endTimecode: '00:00:02:00', score: 0 },
    { index: 1, startFrame: 50, endFrame: 100, frames: 50, startSeconds: 2, endSeconds: 4, startTimecode: '00:00:02:00', endTimecode: '00:00:04:00', score: 41.5 },
  ],
  outputs: {},
  files: [],
};

const job = (state: Job['state'], extra: Partial<Job> = {}): Job => ({ id: 'j1', op: 'clip-cut', state, createdAt: '2026-01-01T00:00:00Z', ...extra });

/** A client wired to a fresh fake server for every connection; `servers` lists them in order. */
function setup(handlers: Record<string, Handler>, options: ConstructorParameters<typeof FramewrightClient>[1] = {}) {
  const servers: FakeServer[] = [];
  const factory = (): Transport => {
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    servers.push(new FakeServer(serverSide, { hello: () => HELLO, ...handlers }));
    return clientSide;
  };
  return { client: new FramewrightClient(factory, { reconnect: { initialDelayMs: 5, maxAttempts: 3 }, ...options }), servers };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

describe('FramewrightClient negotiation', () => {
  it('offers every protocol version newest first and exposes the capabilities', async () => {
    const { client, servers } = setup({});
    const hello = await client.connect();
    expect(servers[0]!.calls[0]).toEqual({ method: 'hello', params: { versions: [...PROTOCOL_VERSIONS] } });
    expect(hello).toEqual(HELLO);
    expect(client.protocolVersion).toBe(PROTOCOL_VERSIONS[0]);
    expect(client.capabilities.operations.find((o) => o.op === 'image-gen')).toEqual({ op: 'image-gen', available: false, reason: 'no model' });
    await client.close();
  });

  it('says clearly when the server speaks none of the offered versions', async () => {
    const { client } = setup({
      hello: (p) => {
        throw new FramewrightError('UNSUPPORTED_VERSION', `no common protocol version: peer offers [${(p['versions'] as string[]).join(', ')}], this side speaks [2.0]`);
      },
    });
    const error = await rejection(client.connect());
    expect(error).toBeInstanceOf(FramewrightError);
    expect(error).toMatchObject({ code: 'UNSUPPORTED_VERSION' });
    expect(error.message).toMatch(/speaks none of the protocol versions this client offers \[1\.2, 1\.1, 1\.0\].*speaks \[2\.0\]/);
    expect(client.isConnected).toBe(false);
  });

  it('refuses a server that picks a version the client did not offer', async () => {
    const { client } = setup({ hello: () => ({ ...HELLO, version: '9.9' }) });
    expect(await rejection(client.connect())).toMatchObject({ name: 'SdkError', code: 'UNSUPPORTED_VERSION' });
  });

  it('stays closed when close() is called while connecting', async () => {
    let answer: (v: unknown) => void = () => undefined;
    const { client, servers } = setup({ hello: () => new Promise((r) => (answer = r)) });
    const connecting = client.connect();
    await new Promise((r) => setTimeout(r, 5));
    await client.close();
    answer(HELLO);
    await expect(connecting).rejects.toMatchObject({ code: 'NOT_CONNECTED' });
    expect(client.isConnected).toBe(false);
    expect(servers).toHaveLength(1);
  });

  it('rejects calls before connect() with NOT_CONNECTED', async () => {
    const { client } = setup({});
    expect(await rejection(client.listJobs())).toMatchObject({ code: 'NOT_CONNECTED' });
    expect(() => client.capabilities).toThrow(SdkError);
  });
});

describe('FramewrightClient.run', () => {
  it('resolves with the validated result and reports each progress event in order', async () => {
    const { client, servers } = setup({
      'job.submit': (_p, server) => {
        setTimeout(() => {
          server.notify('job.progress', { jobId: 'j1', op: 'clip-cut', progress: { stage: 'analyse', fraction: 0.25, frame: 25, totalFrames: 100 } });
          server.notify('job.progress', { jobId: 'j1', op: 'clip-cut', progress: { stage: 'export', fraction: 0.9 } });
          server.notify('job.state', job('succeeded', { result: RESULT }));
        }, 1);
        return job('queued');
      },
    });
    await client.connect();
    const seen: string[] = [];
    const result = await client.run('clip-cut', { input: '/v/a.mp4', exports: ['edl'] }, { onProgress: (p) => seen.push(`${p.stage}:${p.fraction}`) });
    expect(result).toEqual(RESULT);
    expect(seen).toEqual(['analyse:0.25', 'export:0.9']);
    expect(servers[0]!.calls[1]).toEqual({ method: 'job.submit', params: { op: 'clip-cut', params: { input: '/v/a.mp4', exports: ['edl'] } } });
    await client.close();
  });

  it('keeps progress and the final state that arrive before job.submit answers', async () => {
    const { client } = setup({
      'job.submit': (_p, server) => {
        server.notify('job.progress', { jobId: 'j1', op: 'clip-cut', progress: { stage: 'probe', fraction: 0 } });
        server.notify('job.state', job('succeeded', { result: RESULT }));
        return new Promise((r) => setTimeout(() => r(job('running')), 5));
      },
    });
    await client.connect();
    const seen: string[] = [];
    expect(await client.run('clip-cut', { input: '/v/a.mp4' }, { onProgress: (p) => seen.push(p.stage) })).toEqual(RESULT);
    expect(seen).toEqual(['probe']);
    await client.close();
  });

  it('rejects with the server error, code and JSON pointer kept', async () => {
    const { client } = setup({
      'job.submit': () => {
        throw new FramewrightError('INVALID_PARAMS', 'clip-cut params /minClipSeconds must be >= 0', { pointer: '/minClipSeconds' });
      },
    });
    await client.connect();
    const error = await rejection(client.run('clip-cut', { input: '/v/a.mp4', minClipSeconds: -1 }));
    expect(error).toBeInstanceOf(FramewrightError);
    expect((error as FramewrightError).toWire()).toEqual({ code: 'INVALID_PARAMS', message: 'clip-cut params /minClipSeconds must be >= 0', pointer: '/minClipSeconds' });
    await client.close();
  });

  it('rejects with the job error when the job fails', async () => {
    const { client } = setup({ 'job.submit': () => job('failed', { error: { code: 'UNSUPPORTED_MEDIA', message: 'a.mp4 has no video stream' } }) });
    await client.connect();
    expect(await rejection(client.run('clip-cut', { input: '/v/a.mp4' }))).toMatchObject({ name: 'FramewrightError', code: 'UNSUPPORTED_MEDIA', message: 'a.mp4 has no video stream' });
    await client.close();
  });

  it('cancels the job on the server when the AbortSignal fires and rejects with CANCELLED', async () => {
    const { client, servers } = setup({
      'job.submit': () => job('running'),
      'job.cancel': (p, server) => {
        setTimeout(() => server.notify('job.state', job('cancelled', { error: { code: 'CANCELLED', message: 'job j1 was cancelled' } })), 1);
        return job('running', { id: p['jobId'] as string });
      },
    });
    await client.connect();
    const controller = new AbortController();
    const running = client.run('clip-cut', { input: '/v/a.mp4' }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 5);
    expect(await rejection(running)).toMatchObject({ name: 'FramewrightError', code: 'CANCELLED' });
    expect(servers[0]!.calls.map((c) => c.method)).toEqual(['hello', 'job.submit', 'job.cancel']);
    await client.close();
  });

  it('does not submit when the signal is already aborted', async () => {
    const { client, servers } = setup({ 'job.submit': () => job('running') });
    await client.connect();
    expect(await rejection(client.run('clip-cut', { input: '/v/a.mp4' }, { signal: AbortSignal.abort() }))).toMatchObject({ code: 'ABORTED' });
    expect(servers[0]!.calls.map((c) => c.method)).toEqual(['hello']);
    await client.close();
  });

  it('cancels and rejects with TIMEOUT when a run exceeds its time limit', async () => {
    const { client, servers } = setup({ 'job.submit': () => job('running'), 'job.cancel': () => job('cancelled') });
    await client.connect();
    expect(await rejection(client.run('clip-cut', { input: '/v/a.mp4' }, { timeoutMs: 20 }))).toMatchObject({ name: 'SdkError', code: 'TIMEOUT' });
    await new Promise((r) => setTimeout(r, 5));
    expect(servers[0]!.calls.map((c) => c.method)).toContain('job.cancel');
    await client.close();
  });

  it('rejects a request the server never answers with TIMEOUT', async () => {
    const { client } = setup({}, { requestTimeoutMs: 20 });
    await client.connect();
    expect(await rejection(client.getJob('j1'))).toMatchObject({ name: 'SdkError', code: 'TIMEOUT', message: 'job.get got no answer within 20 ms' });
    await client.close();
  });
});

describe('FramewrightClient validates what arrives', () => {
  it('rejects a response whose result breaks the method schema', async () => {
    const { client } = setup({ 'job.get': () => ({ id: 'j1', op: 'clip-cut', state: 'exploded', createdAt: 'x' }) });
    await client.connect();
    const error = await rejection(client.getJob('j1'));
    expect(error).toMatchObject({ name: 'SdkError', code: 'PROTOCOL_ERROR' });
    expect(error.message).toMatch(/invalid job\.get result: \/state/);
    await client.close();
  });

  it('rejects a succeeded job whose result breaks the operation schema', async () => {
    const { client } = setup({ 'job.submit': () => job('succeeded', { result: { ...RESULT, fps: 'fast' } }) });
    await client.connect();
    const error = await rejection(client.run('clip-cut', { input: '/v/a.mp4' }));
    expect(error).toMatchObject({ code: 'PROTOCOL_ERROR' });
    expect(error.message).toMatch(/clip-cut result: \/fps/);
    await client.close();
  });

  it('drops invalid progress events and non-JSON frames, reporting them on onerror', async () => {
    const { client } = setup({
      'job.submit': (_p, server) => {
        setTimeout(() => {
          server.notify('job.progress', { jobId: 'j1', op: 'clip-cut', progress: { stage: 'teleport', fraction: 2 } });
          void server.transport.sendRaw('{not json');
          server.notify('job.progress', { jobId: 'j1', op: 'clip-cut', progress: { stage: 'analyse', fraction: 0.5 } });
          server.notify('job.state', job('succeeded', { result: RESULT }));
        }, 1);
        return job('running');
      },
    });
    const errors: string[] = [];
    client.onerror = (e) => errors.push(e.message);
    await client.connect();
    const seen: number[] = [];
    await client.run('clip-cut', { input: '/v/a.mp4' }, { onProgress: (p) => seen.push(p.fraction) });
    expect(seen).toEqual([0.5]);
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/invalid clip-cut progress event/);
    expect(errors[1]).toMatch(/not JSON/);
    await client.close();
  });
});

describe('FramewrightClient reconnect', () => {
  it('reconnects with a new hello and re-fetches the job in flight by id', async () => {
    let connections = 0;
    const { client, servers } = setup({
      'job.submit': (_p, server) => {
        connections++;
        setTimeout(() => void server.transport.close(), 2); // the connection drops mid-job
        return job('running');
      },
      'job.get': () => job('succeeded', { result: RESULT }),
    });
    let reconnected = 0;
    client.onreconnect = () => reconnected++;
    await client.connect();
    expect(await client.run('clip-cut', { input: '/v/a.mp4' })).toEqual(RESULT);
    expect(connections).toBe(1);
    expect(reconnected).toBe(1);
    expect(servers).toHaveLength(2);
    expect(servers[1]!.calls.map((c) => c.method)).toEqual(['hello', 'job.get']);
    expect(servers[1]!.calls[1]!.params).toEqual({ jobId: 'j1' });
    await client.close();
  });

  it('close() during a reconnect attempt closes the connection that attempt opened', async () => {
    const serverSides: InMemoryTransport[] = [];
    let releaseHello: () => void = () => undefined;
    const client = new FramewrightClient(
      () => {
        const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
        serverSides.push(serverSide);
        const second = serverSides.length > 1;
        new FakeServer(serverSide, {
          // The second hello is answered only when the test says so, after close().
          hello: () => (second ? new Promise((r) => (releaseHello = () => r(HELLO))) : HELLO),
        });
        return clientSide;
      },
      { reconnect: { initialDelayMs: 1, maxAttempts: 2 } },
    );
    await client.connect();
    await serverSides[0]!.close();
    while (serverSides.length < 2) await new Promise((r) => setTimeout(r, 1));
    await new Promise((r) => setTimeout(r, 5));
    let closedSecond = false;
    const previous = serverSides[1]!.onclose;
    serverSides[1]!.onclose = () => {
      closedSecond = true;
      previous?.();
    };
    await client.close();
    releaseHello();
    await new Promise((r) => setTimeout(r, 10));
    expect(closedSecond).toBe(true);
    expect(client.isConnected).toBe(false);
  });

  it('gives up after the configured attempts and rejects runs in flight with CONNECTION_CLOSED', async () => {
    let made = 0;
    const client = new FramewrightClient(
      () => {
        const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
        if (made++ > 0) void serverSide.close(); // the server is gone: every later attempt fails
        else new FakeServer(serverSide, { hello: () => HELLO, 'job.submit': (_p, s) => (setTimeout(() => void s.transport.close(), 2), job('running')) });
        return clientSide;
      },
      { reconnect: { initialDelayMs: 1, maxAttempts: 2 } },
    );
    let closed = 0;
    client.onclose = () => closed++;
    await client.connect();
    const error = await rejection(client.run('clip-cut', { input: '/v/a.mp4' }));
    expect(error).toMatchObject({ name: 'SdkError', code: 'CONNECTION_CLOSED' });
    expect(error.message).toMatch(/2 reconnect attempts failed/);
    expect(made).toBe(3);
    expect(closed).toBe(1);
  });
});
