import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { FramewrightClient, WebSocketTransport, type WebSocketConstructor } from '../src/client/index.js';
import { PROTOCOL_VERSIONS, WS_SUBPROTOCOL, WS_TOKEN_SUBPROTOCOL_PREFIX } from '../src/protocol/index.js';

// A scripted local server that authenticates like `framewright serve` does: the subprotocol pair
// [framewright.v1, bearer.<token>], HTTP 401 on a wrong token. It answers `hello` only.
const TOKEN = '0123456789abcdef';
let http: Server;
let url: string;

beforeAll(async () => {
  http = createServer((req, res) => {
    res.statusCode = req.url === '/v1/health' ? 200 : 404;
    res.end();
  });
  const wss = new WebSocketServer({
    server: http,
    path: '/v1/ws',
    verifyClient: (info: { req: { headers: Record<string, string | string[] | undefined> } }, done: (ok: boolean, code?: number) => void) => {
      const offered = String(info.req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim());
      done(offered.includes(WS_SUBPROTOCOL) && offered.includes(`${WS_TOKEN_SUBPROTOCOL_PREFIX}${TOKEN}`), 401);
    },
    handleProtocols: () => WS_SUBPROTOCOL,
  });
  wss.on('connection', (socket) => {
    socket.on('message', (data) => {
      const m = JSON.parse(String(data)) as { id: number; method: string; params: { versions: string[] } };
      if (m.method === 'hello') {
        socket.send(JSON.stringify({ jsonrpc: '2.0', id: m.id, result: { version: m.params.versions[0], server: { name: 'scripted', version: '0' }, capabilities: { operations: [] } } }));
      }
    });
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  url = `ws://127.0.0.1:${(http.address() as AddressInfo).port}/v1/ws`;
});

afterAll(() => new Promise<void>((r) => http.close(() => r())));

// Node's built-in WebSocket hides why an open failed (like browsers); `ws` tells. Both must give
// a message that says what to do.
const implementations: [string, WebSocketConstructor | undefined][] = [
  ['ws package', WebSocket as unknown as WebSocketConstructor],
  ['built-in WebSocket', (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket],
];

describe.each(implementations)('WebSocketTransport with the %s', (_name, Ctor) => {
  it.skipIf(Ctor === undefined)('connects with the token as a subprotocol and negotiates', async () => {
    const client = new FramewrightClient(() => new WebSocketTransport(url, { token: TOKEN, WebSocket: Ctor! }));
    expect((await client.connect()).version).toBe(PROTOCOL_VERSIONS[0]);
    await client.close();
  });

  it.skipIf(Ctor === undefined)('says the token was refused when the server answers 401', async () => {
    const transport = new WebSocketTransport(url, { token: 'wrong', WebSocket: Ctor! });
    await expect(transport.start()).rejects.toMatchObject({ name: 'SdkError', code: 'CONNECTION_REJECTED', message: expect.stringMatching(/token/) });
  });

  it.skipIf(Ctor === undefined)('says no server is running when nothing listens on the port', async () => {
    const free = createServer();
    await new Promise<void>((r) => free.listen(0, '127.0.0.1', r));
    const port = (free.address() as AddressInfo).port;
    await new Promise<void>((r) => free.close(() => r()));
    const transport = new WebSocketTransport(`ws://127.0.0.1:${port}/v1/ws`, { token: TOKEN, WebSocket: Ctor! });
    await expect(transport.start()).rejects.toMatchObject({
      code: 'CONNECTION_FAILED',
      message: `no Framewright server is listening at ws://127.0.0.1:${port}/v1/ws: start one with \`framewright serve\``,
    });
  });
});

it('explains that Node 20 has no global WebSocket when none is given', async () => {
  const saved = (globalThis as { WebSocket?: unknown }).WebSocket;
  delete (globalThis as { WebSocket?: unknown }).WebSocket;
  try {
    await expect(new WebSocketTransport(url, { token: TOKEN }).start()).rejects.toThrow(/pass the `ws` package/);
  } finally {
    (globalThis as { WebSocket?: unknown }).WebSocket = saved;
  }
});
