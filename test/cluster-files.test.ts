// A worker with no shared folder (`framewright worker --files-from http://SERVER:PORT`): its inputs
// come from the server, its outputs go back to the server's output root through
// `PUT /v1/files?path=`. The worker process gets folders of its own (staging, output root) that
// share nothing with the server's; a redis-server of the test's own, real clip-cut, real ffmpeg.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FramewrightClient, WebSocketTransport, type WebSocketConstructor } from '../packages/core/src/client/index.js';
import { runOperation } from '../packages/core/src/engine/index.js';
import { generateSampleVideo } from '../packages/core/src/media/index.js';
import type { ClipCutResult, Job } from '../packages/core/src/protocol/index.js';
import { startServer, type RunningServer } from '../packages/core/src/server/index.js';
import { http } from '../packages/core/test/server-helpers.js';
import { alive, descendants, startRedis, startWorker, until, stopCluster, type TestRedis, type TestWorker } from './helpers/cluster.js';
import { countFrames, makeVideo, tempDir } from './helpers/media.js';

const WS = WebSocket as unknown as WebSocketConstructor;

let dir: string;
let redis: TestRedis;
let server: RunningServer;
let worker: TestWorker;
/** The server's output root, and the worker's own folders: no folder of one is in the other. */
let serverRoot: string;
let workerHome: string;
let staging: string;
let tokenFile: string;
/** Three shots of 25 frames, uploaded: its path in the server's output root. */
let shots: { local: string; remote: string };
let long: { local: string; remote: string };

const clientFor = (s: RunningServer) => new FramewrightClient(() => new WebSocketTransport(s.wsUrl, { token: s.token, WebSocket: WS }), { clientInfo: { name: 'cluster-files-test', version: '0' } });
const auth = () => ({ authorization: `Bearer ${server.token}` });
const filesUnder = (folder: string): string[] => (existsSync(folder) ? readdirSync(folder, { recursive: true, encoding: 'utf8' }) : []);

async function record(id: string, db = redis.client): Promise<{ job: Job; worker?: string }> {
  return JSON.parse((await db.get(`fw:job:${id}`))!) as { job: Job; worker?: string };
}

async function upload(local: string, name: string): Promise<string> {
  const answer = await http(server.port, 'PUT', `/v1/files/${name}`, { headers: { ...auth(), 'content-type': 'application/octet-stream' }, body: readFileSync(local) });
  if (answer.status !== 201) throw new Error(`upload answered ${answer.status}: ${answer.text}`);
  return (answer.json as { path: string }).path;
}

/** `PUT /v1/files?path=` with full control: the body may be cut off after `sendBytes` (the socket is then destroyed). */
function rawPut(port: number, path: string, options: { token?: string; length?: number | undefined; body: Buffer; sendBytes?: number }): Promise<{ status: number; json: unknown } | 'cut'> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const headers = [`PUT /v1/files?path=${encodeURIComponent(path)} HTTP/1.1`, `Host: 127.0.0.1:${port}`, `Authorization: Bearer ${options.token ?? server.token}`, 'Connection: close'];
    if (options.length !== undefined) headers.push(`Content-Length: ${options.length}`);
    else headers.push('Transfer-Encoding: chunked');
    let answer = '';
    socket.on('data', (c: Buffer) => (answer += c.toString('utf8')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      const m = /^HTTP\/1\.1 (\d+)/.exec(answer);
      if (m === null) return resolve('cut');
      const body = answer.slice(answer.indexOf('\r\n\r\n') + 4);
      const json = body.includes('{') ? (JSON.parse(body.slice(body.indexOf('{'), body.lastIndexOf('}') + 1)) as unknown) : undefined;
      resolve({ status: Number(m[1]), json });
    });
    socket.once('connect', () => {
      socket.write(`${headers.join('\r\n')}\r\n\r\n`);
      if (options.length === undefined) {
        socket.write(`${options.body.length.toString(16)}\r\n`);
        socket.write(options.body);
        socket.end('\r\n0\r\n\r\n');
      } else if (options.sendBytes !== undefined) {
        socket.write(options.body.subarray(0, options.sendBytes), () => setTimeout(() => socket.destroy(), 100));
      } else socket.write(options.body);
    });
    socket.setTimeout(20_000, () => reject(new Error('rawPut timed out')));
  });
}

/** Which connection a {@link cuttingProxy} cuts: the `nth` (1-based, counted from now) with this method, once half its body has passed. */
interface CutRule {
  method: 'GET' | 'PUT';
  nth: number;
}

/**
 * A TCP proxy in front of a server that rewrites the Host header to the server's port and cuts
 * the connection its rule names: a PUT once half of its request body has passed, a GET once half
 * of its answer has.
 */
function cuttingProxy(target: number): Promise<{ port: number; server: Server; cut: (rule: CutRule) => void; seen: () => number }> {
  let rule: CutRule | undefined;
  let seen = 0;
  return new Promise((resolve) => {
    let port = 0;
    const proxy = createServer((client: Socket) => {
      const upstream = connect(target, '127.0.0.1');
      let head = '';
      let limit = Number.POSITIVE_INFINITY;
      let forwarded = 0;
      let decided = false;
      let cutAnswer = false;
      client.on('data', (chunk: Buffer) => {
        let data = Buffer.from(chunk.toString('latin1').replace(`127.0.0.1:${port}`, `127.0.0.1:${target}`), 'latin1');
        if (!decided) {
          head += data.toString('latin1');
          const end = head.indexOf('\r\n\r\n');
          if (end >= 0) {
            decided = true;
            if (rule !== undefined && head.startsWith(`${rule.method} `) && ++seen === rule.nth) {
              if (rule.method === 'PUT') limit = end + 4 + Math.floor(Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0) / 2);
              else cutAnswer = true;
            }
          }
        }
        if (forwarded + data.length > limit) {
          data = data.subarray(0, Math.max(0, limit - forwarded));
          upstream.write(data, () => setTimeout(() => {
            upstream.destroy();
            client.destroy();
          }, 50));
          forwarded = limit;
          return;
        }
        forwarded += data.length;
        upstream.write(data);
      });
      let answered = 0;
      let answerLimit = Number.POSITIVE_INFINITY;
      upstream.on('data', (c: Buffer) => {
        if (cutAnswer && answerLimit === Number.POSITIVE_INFINITY) {
          const text = c.toString('latin1');
          const end = text.indexOf('\r\n\r\n');
          answerLimit = end + 4 + Math.floor(Number(/content-length: (\d+)/i.exec(text)?.[1] ?? 0) / 2);
        }
        if (answered + c.length > answerLimit) {
          client.write(c.subarray(0, Math.max(0, answerLimit - answered)), () => {
            client.destroy();
            upstream.destroy();
          });
          answered = answerLimit;
          return;
        }
        answered += c.length;
        client.write(c);
      });
      upstream.on('close', () => client.destroy());
      client.on('close', () => upstream.destroy());
      upstream.on('error', () => undefined);
      client.on('error', () => undefined);
    });
    proxy.listen(0, '127.0.0.1', () => {
      const address = proxy.address();
      port = typeof address === 'object' && address !== null ? address.port : 0;
      resolve({
        port,
        server: proxy,
        cut: (next) => {
          rule = next;
          seen = 0;
        },
        seen: () => seen,
      });
    });
  });
}

/** Starts a worker that fetches files from `url`, with folders of its own under `home`. */
function noShareWorker(redisUrl: string, url: string, home: string, stagingDir: string): Promise<TestWorker> {
  mkdirSync(home, { recursive: true });
  const env: NodeJS.ProcessEnv = { ...process.env, FRAMEWRIGHT_OUTPUT_ROOT: join(home, 'own-output-root'), FRAMEWRIGHT_CONFIG_DIR: join(home, 'config'), FRAMEWRIGHT_DATA_DIR: join(home, 'data') };
  delete env['FRAMEWRIGHT_TOKEN'];
  return startWorker(redisUrl, ['--ops', 'clip-cut', '--files-from', url, '--token-file', tokenFile, '--staging-dir', stagingDir], env);
}

beforeAll(async () => {
  dir = tempDir('fw-cluster-files-');
  serverRoot = join(dir, 'server', 'out');
  workerHome = join(dir, 'worker');
  staging = join(workerHome, 'staging');
  redis = await startRedis(dir);
  const clientDir = join(dir, 'client');
  mkdirSync(clientDir);
  const made = await makeVideo(clientDir, 'shots', { width: 160, height: 90, segments: [{ source: 'testsrc2', frames: 25 }, { source: 'smptehdbars', frames: 25 }, { source: 'mandelbrot', frames: 25 }] });
  const longVideo = await generateSampleVideo(join(clientDir, 'long.mp4'), { width: 320, height: 180, seconds: 60, preset: 'ultrafast' });
  server = await startServer({ port: 0, outputRoot: serverRoot, configDir: join(dir, 'server', 'config'), dataDir: join(dir, 'server', 'data'), queue: redis.url, log: () => undefined });
  tokenFile = join(dir, 'worker-token');
  writeFileSync(tokenFile, `${server.token}\n`, { mode: 0o600 });
  shots = { local: made.path, remote: await upload(made.path, 'shots.mp4') };
  long = { local: longVideo.path, remote: await upload(longVideo.path, 'long.mp4') };
  worker = await noShareWorker(redis.url, server.url, workerHome, staging);
}, 240_000);

afterAll(() => stopCluster({ server, workers: [worker], redis, dir }), 60_000);

describe('a cluster worker with no shared folder (worker --files-from)', () => {
  it('runs a clip-cut with clip files: inputs downloaded, outputs sent back, results in the server\'s paths', async () => {
    const expected = await runOperation('clip-cut', { input: shots.local, exports: ['json', 'clips'] }, { outputRoot: join(dir, 'in-process'), defaultOutputDir: join(dir, 'in-process', 'job') });
    const client = clientFor(server);
    await client.connect();
    const job = await client.submit('clip-cut', { input: shots.remote, exports: ['json', 'edl', 'clips'] });
    const result: ClipCutResult = await client.wait(job);
    expect((await record(job.id)).worker).toBe(worker.info.id);
    expect(result.input).toBe(shots.remote);
    expect(result.cuts).toEqual(expected.cuts);
    expect(result.clips.map((c) => [c.startFrame, c.endFrame])).toEqual([[0, 25], [25, 50], [50, 75]]);
    expect(result.outputs.clips).toHaveLength(3);
    for (const file of result.files) {
      expect(file.startsWith(join(serverRoot, job.id) + '/')).toBe(true);
      expect(statSync(file).size).toBeGreaterThan(0);
    }
    for (const [i, clip] of result.outputs.clips!.entries()) expect(await countFrames(clip)).toBe(result.clips[i]!.endFrame - result.clips[i]!.startFrame);
    // What the worker's machine keeps: nothing. Its staging folder is empty, its own output root unused.
    expect(filesUnder(staging)).toEqual([]);
    expect(filesUnder(join(workerHome, 'own-output-root'))).toEqual([]);
    // Files that name paths inside name the server's: the JSON export and the EDL's source.
    expect(JSON.parse(readFileSync(result.outputs.json!, 'utf8'))).toMatchObject({ input: shots.remote, files: result.files });
    expect(readFileSync(result.outputs.edl!, 'utf8')).toContain(`* SOURCE FILE: ${shots.remote}`);
    expect(readFileSync(result.outputs.edl!, 'utf8')).not.toContain(staging);
    // The token never reaches the worker's log.
    expect(worker.stderr()).not.toContain(server.token);
    // On the server: exactly the files the result lists, no temporary names.
    const onServer = filesUnder(join(serverRoot, job.id)).map((f) => join(serverRoot, job.id, f)).filter((f) => statSync(f).isFile());
    expect(onServer.sort()).toEqual([...result.files].sort());
    await client.close();
  }, 120_000);

  it('refuses an input outside the server\'s output root (it must be uploaded first) and an output folder outside it', async () => {
    const client = clientFor(server);
    await client.connect();
    const refused = await client.run('clip-cut', { input: shots.local, exports: ['json'] }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'INPUT_NOT_FOUND', message: expect.stringMatching(/is not in the server's output root .*upload it first \(PUT \/v1\/files\/<name>\)/) });
    expect((refused as Error).message).not.toContain('\n');
    expect(filesUnder(staging)).toEqual([]);
    await client.close();
  }, 60_000);

  it('into a named output folder: a name that exists on the server is kept unless the job asks to overwrite', async () => {
    const client = clientFor(server);
    await client.connect();
    const params = { input: shots.remote, exports: ['json', 'edl'] as ('json' | 'edl')[], outputDir: 'named' };
    const first = await client.run('clip-cut', params);
    const edl = join(serverRoot, 'named', 'shots.edl');
    expect(first.files.sort()).toEqual([edl, join(serverRoot, 'named', 'shots.json')].sort());
    const before = statSync(edl);
    const again = await client.run('clip-cut', params).catch((e: unknown) => e);
    expect(again).toMatchObject({ code: 'OUTPUT_EXISTS', message: expect.stringMatching(/^cannot send .*shots\.(edl|json) to http:\/\/127\.0\.0\.1:\d+: OUTPUT_EXISTS: .* exists \(the job did not ask to overwrite\)$/) });
    expect(statSync(edl).ino).toBe(before.ino);
    const replaced = await client.run('clip-cut', { ...params, overwrite: true });
    expect(replaced.files.sort()).toEqual(first.files.sort());
    expect(statSync(edl).ino).not.toBe(before.ino);
    expect(filesUnder(join(serverRoot, 'named')).sort()).toEqual(['shots.edl', 'shots.json']);
    await client.close();
  }, 120_000);

  it('PUT /v1/files?path= refuses hostile paths, a wrong token, no or too large a Content-Length, and replacing a file', async () => {
    const outside = join(dir, 'outside');
    mkdirSync(outside, { recursive: true });
    symlinkSync(outside, join(serverRoot, 'escape-link'));
    writeFileSync(join(outside, 'victim.txt'), 'keep');
    symlinkSync(join(outside, 'victim.txt'), join(serverRoot, 'victim-link.txt'));
    const body = Buffer.from('hello');
    const put = (path: string, extra: { token?: string; length?: number | undefined; query?: string } = {}) =>
      rawPut(server.port, path, { body, length: 'length' in extra ? extra.length : body.length, ...(extra.token === undefined ? {} : { token: extra.token }) });
    const codeOf = async (answer: Promise<{ status: number; json: unknown } | 'cut'>) => {
      const a = await answer;
      return a === 'cut' ? 'cut' : `${a.status} ${(a.json as { error?: { code: string } }).error?.code ?? ''}`;
    };
    expect(await codeOf(put(`${serverRoot}/a/../../escape.txt`))).toBe('400 INVALID_PARAMS');
    expect(await codeOf(put(join(outside, 'x.txt')))).toBe('403 OUTPUT_NOT_ALLOWED');
    expect(await codeOf(put(join(serverRoot, 'escape-link', 'x.txt')))).toBe('403 OUTPUT_NOT_ALLOWED');
    expect(await codeOf(put(join(serverRoot, 'nul\0.txt')))).toBe('400 INVALID_PARAMS');
    expect(await codeOf(put('relative/x.txt'))).toBe('400 INVALID_PARAMS');
    expect(await codeOf(put(join(serverRoot, 'ok.txt'), { token: 'wrong' }))).toBe('401 UNAUTHORIZED');
    expect(await codeOf(put(join(serverRoot, 'ok.txt'), { length: undefined }))).toBe('411 INVALID_REQUEST');
    expect(await codeOf(rawPut(server.port, join(serverRoot, 'big.bin'), { body, length: 9 * 2 ** 30 }))).toBe('413 INVALID_REQUEST');
    expect(await codeOf(put(join(serverRoot, 'victim-link.txt')))).toBe('403 OUTPUT_NOT_ALLOWED');
    expect(readFileSync(join(outside, 'victim.txt'), 'utf8')).toBe('keep');
    expect(readdirSync(outside).sort()).toEqual(['victim.txt']);
    expect(existsSync(join(dir, 'escape.txt'))).toBe(false);
    // A good one lands; the same path again is refused; DELETE takes it back only with its identity.
    const good = await rawPut(server.port, join(serverRoot, 'fine', 'ok.txt'), { body, length: body.length });
    expect(good).toMatchObject({ status: 201, json: { path: join(serverRoot, 'fine', 'ok.txt'), bytes: 5, dirs: [join(serverRoot, 'fine')] } });
    expect(readFileSync(join(serverRoot, 'fine', 'ok.txt'), 'utf8')).toBe('hello');
    expect(await codeOf(put(join(serverRoot, 'fine', 'ok.txt')))).toBe('409 OUTPUT_EXISTS');
    const id = ((good as { json: { id: string } }).json).id;
    const del = (query: string) => http(server.port, 'DELETE', `/v1/files?${query}`, { headers: auth() });
    expect((await del(`path=${encodeURIComponent(join(serverRoot, 'fine', 'ok.txt'))}&id=1:2`)).json).toEqual({ removed: false });
    expect((await del(`path=${encodeURIComponent(join(serverRoot, 'victim-link.txt'))}&id=${id}`)).json).toEqual({ removed: false });
    expect((await del(`path=${encodeURIComponent(join(outside, 'victim.txt'))}&id=${id}`)).status).toBe(403);
    expect((await del(`path=${encodeURIComponent(join(serverRoot, 'fine', 'ok.txt'))}&id=${id}`)).json).toEqual({ removed: true });
    expect((await del(`path=${encodeURIComponent(join(serverRoot, 'fine'))}`)).json).toEqual({ removed: true });
    expect(existsSync(join(serverRoot, 'fine'))).toBe(false);
    await rm(join(serverRoot, 'escape-link'));
    await rm(join(serverRoot, 'victim-link.txt'));
  }, 60_000);

  it('an upload cut mid-way leaves nothing on the server: no file, no temporary name, no folder', async () => {
    const body = Buffer.alloc(256 * 1024, 7);
    const target = join(serverRoot, 'cut', 'deep', 'half.bin');
    expect(await rawPut(server.port, target, { body, length: body.length, sendBytes: 100 * 1024 })).toBe('cut');
    await until('the server to give up the upload', async () => (existsSync(join(serverRoot, 'cut')) ? undefined : true), 5000);
    expect(existsSync(join(serverRoot, 'cut'))).toBe(false);
    expect(filesUnder(serverRoot).filter((f) => f.includes('.partial'))).toEqual([]);
  }, 30_000);

  it('a job whose transfer is cut fails with one line: a download before the run, an upload taking back what it had sent', async () => {
    // A second server and worker on database 1, the worker reaching the server through a proxy
    // that cuts the connections it is told to.
    const url = `${redis.url}/1`;
    const other = await startServer({ port: 0, outputRoot: serverRoot, configDir: join(dir, 'server', 'config'), dataDir: join(dir, 'server', 'data-1'), queue: url, log: () => undefined });
    const proxy = await cuttingProxy(other.port);
    const cutWorker = await noShareWorker(url, `http://127.0.0.1:${proxy.port}`, join(dir, 'worker-2'), join(dir, 'worker-2', 'staging'));
    try {
      const client = clientFor(other);
      await client.connect();
      proxy.cut({ method: 'GET', nth: 1 });
      const first = await client.submit('clip-cut', { input: shots.remote, exports: ['json', 'clips'] });
      const broken = await client.wait(first).catch((e: unknown) => e);
      expect(broken).toMatchObject({ code: 'INPUT_UNREADABLE', message: expect.stringMatching(/^cannot download .*shots\.mp4 from http:\/\/127\.0\.0\.1:\d+: (the transfer broke off after \d+ bytes|received \d+ bytes of \d+)/) });
      expect((broken as Error).message).not.toContain('\n');
      expect(existsSync(join(serverRoot, first.id))).toBe(false);
      expect(filesUnder(join(dir, 'worker-2', 'staging'))).toEqual([]);
      proxy.cut({ method: 'PUT', nth: 2 });
      const job = await client.submit('clip-cut', { input: shots.remote, exports: ['json', 'clips'] });
      const error = await client.wait(job).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'OUTPUT_FAILED', message: expect.stringMatching(/^cannot send .* to http:\/\/127\.0\.0\.1:\d+: /) });
      expect((error as Error).message).not.toContain('\n');
      expect((error as Error).message).not.toContain(server.token);
      expect(proxy.seen()).toBe(2);
      expect(existsSync(join(serverRoot, job.id))).toBe(false);
      expect(filesUnder(join(dir, 'worker-2', 'staging'))).toEqual([]);
      await client.close();
    } finally {
      await cutWorker.stop();
      proxy.server.close();
      await other.close();
    }
  }, 120_000);

  it('a cancel reaches the job within a second, its ffmpeg stops, and nothing is left on either side', async () => {
    const client = clientFor(server);
    await client.connect();
    const job = await client.submit('clip-cut', { input: long.remote, exports: ['json', 'edl'] });
    await until('the job to run', async () => {
      const r = await record(job.id);
      return r.job.state === 'running' && r.job.progress !== undefined ? r : undefined;
    });
    const ffmpeg = await until('its ffmpeg', async () => descendants(worker.process.pid!).find((p) => p.comm === 'ffmpeg'));
    const sent = Date.now();
    await client.cancelJob(job.id);
    await until('the job to be cancelled', async () => ((await record(job.id)).job.state === 'cancelled' ? true : undefined), 5000);
    const tookMs = Date.now() - sent;
    expect(tookMs).toBeLessThan(1000);
    await until('ffmpeg to be gone', async () => (alive(ffmpeg.pid) ? undefined : true), 5000);
    expect(existsSync(join(serverRoot, job.id))).toBe(false);
    await until('the staging folder to go', async () => (filesUnder(staging).length === 0 ? true : undefined), 5000);
    await client.close();
  }, 120_000);
});
