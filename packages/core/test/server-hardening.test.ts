// The server against clients that misbehave or come from where they should not: foreign Origins
// learn nothing from CORS headers, clients that never read are bounded and dropped, and the
// loopback server is also on ::1 where `localhost` may lead.
import { createServer, connect, type Socket } from 'node:net';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startServer, type RunningServer } from '../src/server/index.js';
import { FramewrightError, type ClipCutResult, type Job } from '../src/protocol/index.js';
import type { OperationRegistry } from '../src/ops/index.js';
import { notReadingReason, NOT_READING_CLOSE_CODE } from '../src/server/rpc.js';
import type { LogLevel } from '../src/util/log.js';
import { fakeRegistry, tempDir } from './engine-fakes.js';
import { http, RpcTestClient } from './server-helpers.js';

const ALLOWED = 'https://panel.example';
const SEND_LIMIT = 256 << 10;
/** Progress events of the flooding fake and the size of each one's message. */
const FLOOD_EVENTS = 400;
const FLOOD_MESSAGE_BYTES = 64 << 10;

/**
 * A clip-cut that, for an input named `flood…`, emits {@link FLOOD_EVENTS} big progress events
 * as fast as it can; it then finishes at once.
 */
function floodingRegistry(): OperationRegistry {
  const base = fakeRegistry().registry;
  const clipCut: OperationRegistry['clip-cut'] = {
    name: 'clip-cut',
    availability: () => Promise.resolve({ available: true }),
    run: async (params, context) => {
      const message = 'x'.repeat(FLOOD_MESSAGE_BYTES);
      for (let i = 0; i < (params.input.includes('flood') ? FLOOD_EVENTS : 0); i++) {
        // Alternating stages: the queue passes every stage change on, unthrottled.
        context.onProgress({ stage: i % 2 === 0 ? 'analyse' : 'export', fraction: i / FLOOD_EVENTS, message });
        await new Promise((r) => setImmediate(r));
      }
      const result: ClipCutResult = {
        input: params.input, width: 320, height: 180, fps: 25, fpsRational: { num: 25, den: 1 }, dropFrame: false,
        frameCount: 1, durationSeconds: 0.04, cuts: [], clips: [], outputs: {}, files: [],
      };
      return result;
    },
  };
  return Object.freeze({ ...base, 'clip-cut': clipCut });
}

/** What the server logged, and who waits for a line. */
const logged: { line: string; level: LogLevel }[] = [];
const waiting = new Set<() => void>();

let server: RunningServer;
beforeAll(async () => {
  server = await startServer({
    port: 0, configDir: tempDir(), dataDir: tempDir(), outputRoot: tempDir(), allowedOrigins: [ALLOWED],
    registry: floodingRegistry(), maxSendBufferBytes: SEND_LIMIT,
    log: (line, level) => {
      logged.push({ line, level });
      for (const wake of [...waiting]) wake();
    },
  });
});
afterAll(() => server.close());

const auth = (): Record<string, string> => ({ authorization: `Bearer ${server.token}` });
const corsHeadersOf = (headers: Record<string, unknown>) => Object.keys(headers).filter((h) => h.startsWith('access-control-') || h === 'vary');

describe('CORS', () => {
  it('answers a foreign Origin without any CORS header, on requests, errors and preflights', async () => {
    const evil = { origin: 'https://evil.example' };
    const answers = [
      await http(server.port, 'GET', '/v1/health', { headers: evil }),
      await http(server.port, 'GET', '/v1/jobs', { headers: { ...auth(), ...evil } }),
      await http(server.port, 'POST', '/v1/jobs', { headers: { ...auth(), ...evil, 'content-type': 'application/json' }, body: '{}' }),
      await http(server.port, 'OPTIONS', '/v1/jobs', { headers: { ...evil, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' } }),
      // A foreign Origin with a bad Host too: refused by the Host check first, still no CORS.
      await http(server.port, 'GET', '/v1/health', { headers: { ...evil, host: 'evil.example' } }),
    ];
    for (const answer of answers) {
      expect(answer.status).toBe(403);
      expect((answer.json as { error: { code: string } }).error.code).toBe('FORBIDDEN');
      expect(corsHeadersOf(answer.headers)).toEqual([]);
    }
  });

  it('still answers an allowed Origin with its CORS headers, preflight included', async () => {
    const preflight = await http(server.port, 'OPTIONS', '/v1/jobs', { headers: { origin: ALLOWED, 'access-control-request-method': 'POST' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(ALLOWED);
    const refusedToken = await http(server.port, 'GET', '/v1/jobs', { headers: { origin: ALLOWED } });
    expect(refusedToken.status).toBe(401);
    // An allowed page may read why it was refused.
    expect(refusedToken.headers['access-control-allow-origin']).toBe(ALLOWED);
  });
});

/** Resolves with the first warning the server logs (to its `log` option) that matches `pattern`. */
function warning(pattern: RegExp, timeoutMs = 20_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const found = logged.find((l) => l.level === 'warn' && pattern.test(l.line));
      if (found === undefined) return;
      clearTimeout(timer);
      waiting.delete(check);
      resolve(found.line);
    };
    const timer = setTimeout(() => {
      waiting.delete(check);
      reject(new Error(`no warning matching ${pattern} within ${timeoutMs} ms`));
    }, timeoutMs);
    waiting.add(check);
    check();
  });
}

describe('a client that does not read', () => {
  it('is dropped over the WebSocket send-buffer limit with close code 1008 and a reason', async () => {
    // Finished jobs make job.list answers big: a small request, a large answer.
    const submitter = await RpcTestClient.connect(server.wsUrl, server.token);
    await submitter.call('hello', { versions: ['1.0'] });
    for (let i = 0; i < 30; i++) {
      const job = await submitter.call<Job>('job.submit', { op: 'clip-cut', params: { input: `/nowhere/quiet-${i}.mp4` } });
      await submitter.waitFor((n) => n.method === 'job.state' && (n.params as Job).id === job.id && (n.params as Job).state === 'succeeded');
    }
    await submitter.close();
    const answer = (await http(server.port, 'GET', '/v1/jobs', { headers: auth() })).text.length;

    const client = await RpcTestClient.connect(server.wsUrl, server.token);
    await client.call('hello', { versions: ['1.0'] });
    const socket = client.socket;
    let received = 0;
    socket.on('message', () => received++);
    const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: String(reason) })));
    const raw = (socket as unknown as { _socket: Socket })._socket;
    raw.pause();
    const dropped = warning(/not reading/);
    const requests = 2000;
    for (let id = 1; id <= requests; id++) socket.send(JSON.stringify({ jsonrpc: '2.0', id: 1000 + id, method: 'job.list' }));
    expect(await dropped).toBe(`dropped a WebSocket client: ${notReadingReason(SEND_LIMIT)}`);
    raw.resume();
    const { code, reason } = await closed;
    expect(code).toBe(NOT_READING_CLOSE_CODE);
    expect(reason).toBe(notReadingReason(SEND_LIMIT));
    expect(reason).toMatch(/client is not reading; send buffer over 0\.25 MB/);
    // It was answered until the limit, not 2000 times (~ requests × answer bytes of memory).
    expect(received).toBeGreaterThan(0);
    expect(received).toBeLessThan(requests / 2);
    expect(answer * requests).toBeGreaterThan(20 * SEND_LIMIT);
  });

  it('gets a bounded SSE stream: progress is skipped while it lags, the final state still arrives', async () => {
    const submitted = await http(server.port, 'POST', '/v1/jobs', {
      headers: { ...auth(), 'content-type': 'application/json' },
      body: JSON.stringify({ op: 'clip-cut', params: { input: '/nowhere/flood.mp4' } }),
    });
    const job = submitted.json as Job;
    // A raw socket that asks for the stream and then reads nothing until the job is over.
    const socket = connect(server.port, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    socket.pause();
    socket.write(`GET /v1/jobs/${job.id}/events HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nAuthorization: Bearer ${server.token}\r\nConnection: close\r\n\r\n`);
    for (;;) {
      const state = ((await http(server.port, 'GET', `/v1/jobs/${job.id}`, { headers: auth() })).json as Job).state;
      if (state === 'succeeded' || state === 'failed') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.resume();
    await new Promise((r) => socket.once('end', r));
    socket.destroy();
    const text = Buffer.concat(chunks).toString('utf8');
    const progress = text.split('event: progress\n').length - 1;
    // Without the bound the whole flood (26 MB) is held for this one client; with it, the server
    // holds at most half its send-buffer limit, the kernel's socket buffers hold the rest.
    expect(progress).toBeGreaterThan(0);
    expect(progress).toBeLessThan(FLOOD_EVENTS / 3);
    expect(text).toMatch(/event: state\ndata: \{[^\n]*"state":"succeeded"/);
  });
});

/** Whether this machine can listen on the IPv6 loopback. */
const ipv6Loopback = await new Promise<boolean>((resolve) => {
  const probe = createServer();
  probe.once('error', () => resolve(false));
  probe.listen(0, '::1', () => probe.close(() => resolve(true)));
});

function healthVia(host: string, port: number, hostHeader: string): Promise<number> {
  return new Promise((resolve, reject) => {
    // No keep-alive agent: a pooled socket would hide whether the server still listens.
    const req = httpRequest({ host, port, path: '/v1/health', agent: false, headers: { host: hostHeader } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.once('error', reject);
    req.end();
  });
}

// Skipped on a machine without an IPv6 loopback: the server then listens on 127.0.0.1 alone.
describe.skipIf(!ipv6Loopback)('IPv6 loopback (skipped where this machine cannot listen on ::1)', () => {
  it('listens on [::1] with the same port when bound to 127.0.0.1 (localhost may resolve there)', async () => {
    const own = await startServer({ port: 0, configDir: tempDir(), dataDir: tempDir(), outputRoot: tempDir(), registry: fakeRegistry().registry });
    try {
      expect(await healthVia('::1', own.port, `[::1]:${own.port}`)).toBe(200);
      expect(await healthVia('::1', own.port, `localhost:${own.port}`)).toBe(200);
      expect(await healthVia('127.0.0.1', own.port, `localhost:${own.port}`)).toBe(200);
      const client = await RpcTestClient.connect(`ws://[::1]:${own.port}/v1/ws`, own.token);
      await client.call('hello', { versions: ['1.0'] });
      await client.close();
    } finally {
      await own.close();
    }
    // Closed on both: nothing answers on either address any more.
    await expect(healthVia('::1', own.port, `[::1]:${own.port}`)).rejects.toThrow(/ECONNREFUSED/);
    await expect(healthVia('127.0.0.1', own.port, `127.0.0.1:${own.port}`)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('refuses to start when another program holds the port on ::1 (it would answer for localhost)', async () => {
    const squatter = createServer();
    const port = await new Promise<number>((resolve) => squatter.listen(0, '::1', () => resolve((squatter.address() as { port: number }).port)));
    try {
      const error = await startServer({ port, configDir: tempDir(), dataDir: tempDir(), outputRoot: tempDir(), registry: fakeRegistry().registry }).then(
        (s) => s.close().then(() => undefined),
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(FramewrightError);
      expect((error as FramewrightError).message).toBe(`cannot listen on ::1:${port}: EADDRINUSE`);
      // The IPv4 listener it had opened is closed again.
      await expect(healthVia('127.0.0.1', port, `127.0.0.1:${port}`)).rejects.toThrow(/ECONNREFUSED/);
    } finally {
      await new Promise((r) => squatter.close(r));
    }
  });
});
