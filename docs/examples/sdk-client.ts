// Over WebSocket: the SDK client against a running `framewright serve`. The same code runs in a
// UXP panel or a browser dock (there `globalThis.WebSocket` exists and no `ws` is needed).
// Type-checked by `npm run typecheck`. Run: npx tsx docs/examples/sdk-client.ts /abs/path/talk.mp4
import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
import { resolvePaths } from '@framewright/core/host';
import { FramewrightClient, SdkError, WebSocketTransport, isFramewrightError, type WebSocketConstructor } from '@framewright/core/client';

const input = process.argv[2] ?? '/videos/talk.mp4';
const url = process.env['FRAMEWRIGHT_WS_URL'] ?? 'ws://127.0.0.1:7878/v1/ws';
const token = readFileSync(resolvePaths().tokenFile, 'utf8').trim();
// Node 22+ has a global WebSocket; Node 20 needs the `ws` package.
const WebSocketImpl = (globalThis.WebSocket ?? WebSocket) as unknown as WebSocketConstructor;

const client = new FramewrightClient(() => new WebSocketTransport(url, { token, WebSocket: WebSocketImpl }));
try {
  const hello = await client.connect(); // negotiates the protocol version
  console.log('protocol', hello.version, 'ready:', hello.capabilities.operations.filter((o) => o.available).map((o) => o.op).join(', '));
  const result = await client.run('clip-cut', { input, exports: ['edl', 'otio'] }, {
    onProgress: (p) => console.log(p.stage, Math.round(p.fraction * 100), '%'),
  });
  console.log(result.clips.length, 'clips:', result.files.join(', '));
} catch (error) {
  if (isFramewrightError(error)) console.error(`engine refused: ${error.code}: ${error.message}`); // e.g. INPUT_NOT_FOUND
  else if (error instanceof SdkError) console.error(`client: ${error.code}: ${error.message}`); // e.g. CONNECTION_FAILED
  else throw error;
  process.exitCode = 1;
} finally {
  await client.close();
}
