// video-gen's `frames` across protocol versions: 1.1 (and the engine) count the video's frames in
// every mode; a peer that negotiated 1.0 keeps 1.0's meaning for interpolate, in-between frames
// per gap — over WebSocket through `hello`, over HTTP through the Framewright-Protocol header.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FramewrightClient, WebSocketTransport, type WebSocketConstructor } from '../src/client/index.js';
import { LATEST_PROTOCOL_VERSION, negotiateVersion, paramsInLatestMeaning, PROTOCOL_VERSION_HEADER, PROTOCOL_VERSIONS } from '../src/protocol/index.js';
import { startServer, type RunningServer } from '../src/server/index.js';
import { drawBox } from './helpers/video-gen.js';

const dir = mkdtempSync(join(tmpdir(), 'fw-video-gen-versions-'));
const WS = WebSocket as unknown as WebSocketConstructor;
let server: RunningServer;
let keyframes: string[];

beforeAll(async () => {
  server = await startServer({ port: 0, outputRoot: join(dir, 'out'), configDir: join(dir, 'config'), dataDir: join(dir, 'data') });
  keyframes = [
    await drawBox(dir, 'a', { width: 64, height: 36, x: 4, y: 8, box: 12 }),
    await drawBox(dir, 'b', { width: 64, height: 36, x: 40, y: 8, box: 12 }),
  ];
});

afterAll(async () => {
  await server.close();
});

const clientOf = (versions?: string[]) =>
  new FramewrightClient(() => new WebSocketTransport(server.wsUrl, { token: server.token, WebSocket: WS }), versions === undefined ? {} : { versions });

describe('video-gen frames across protocol versions', () => {
  it('1.2 is offered first and chosen; 1.1 and 1.0 are still spoken', () => {
    expect(PROTOCOL_VERSIONS).toEqual(['1.2', '1.1', '1.0']);
    expect(LATEST_PROTOCOL_VERSION).toBe('1.2');
    expect(negotiateVersion(['1.2', '1.1', '1.0'])).toBe('1.2');
    expect(negotiateVersion(['1.1', '1.0'])).toBe('1.1');
    expect(negotiateVersion(['1.0'])).toBe('1.0');
  });

  it('turns a 1.0 interpolate count of in-betweens per gap into the frames of the video, and leaves everything else alone', () => {
    const params = { mode: 'interpolate', keyframes: ['a.png', 'b.png', 'c.png'], frames: 7 };
    expect(paramsInLatestMeaning('video-gen', params, '1.0')).toEqual({ ...params, frames: 17 });
    expect(paramsInLatestMeaning('video-gen', params, '1.1')).toBe(params);
    const still = { mode: 'image-to-video', image: 'a.png', frames: 7 };
    expect(paramsInLatestMeaning('video-gen', still, '1.0')).toBe(still);
    const unset = { mode: 'interpolate', keyframes: ['a.png', 'b.png'] };
    expect(paramsInLatestMeaning('video-gen', unset, '1.0')).toBe(unset);
    expect(() => paramsInLatestMeaning('video-gen', { mode: 'interpolate', keyframes: new Array(20).fill('a.png'), frames: 9000 }, '1.0')).toThrow(
      '20 keyframes with 9000 in-between frames per gap makes 171020 frames; a video may have at most 10000',
    );
  });

  it('over WebSocket: a 1.0 client gets 1.0 frames per gap, a 1.2 client the frames it asks for', async () => {
    const old = clientOf(['1.0']);
    const current = clientOf();
    await old.connect();
    await current.connect();
    try {
      expect(old.protocolVersion).toBe('1.0');
      expect(current.protocolVersion).toBe('1.2');
      const params = { mode: 'interpolate' as const, keyframes, frames: 3, interpolation: 'blend' as const, format: 'png-sequence' as const };
      expect((await old.run('video-gen', { ...params, outputDir: 'v10' })).frames).toBe(5);
      expect((await current.run('video-gen', { ...params, outputDir: 'v11' })).frames).toBe(3);
    } finally {
      await old.close();
      await current.close();
    }
  }, 60_000);

  it('over HTTP: no header is 1.0, the header picks 1.1, and a version the server does not speak is refused', async () => {
    const submit = (headers: Record<string, string>, outputDir: string) =>
      fetch(`${server.url}/v1/jobs`, {
        method: 'POST',
        headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ op: 'video-gen', params: { mode: 'interpolate', keyframes, frames: 3, interpolation: 'blend', format: 'png-sequence', outputDir } }),
      });
    const framesOf = async (response: Response): Promise<number | undefined> => {
      expect(response.status).toBe(202);
      let job = (await response.json()) as { id: string; state: string; result?: { frames: number } };
      while (job.state === 'queued' || job.state === 'running') {
        await new Promise((done) => setTimeout(done, 50));
        job = await (await fetch(`${server.url}/v1/jobs/${encodeURIComponent(job.id)}`, { headers: { authorization: `Bearer ${server.token}` } })).json() as typeof job;
      }
      expect(job.state).toBe('succeeded');
      return job.result?.frames;
    };
    expect(await framesOf(await submit({}, 'http-10'))).toBe(5);
    expect(await framesOf(await submit({ [PROTOCOL_VERSION_HEADER]: '1.1' }, 'http-11'))).toBe(3);
    const refused = await submit({ [PROTOCOL_VERSION_HEADER]: '0.9' }, 'http-09');
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(JSON.stringify(await refused.json())).toMatch(/UNSUPPORTED_VERSION/);
  }, 60_000);
});
