// A TCP port nothing listens on, for a fake or real obs-websocket (packages/obs-plugin/test and
// the real-OBS helper in test/helpers/obs.ts).
import { createServer } from 'node:net';

/** A loopback port that was free a moment ago (the OS hands it out, then it is released). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
