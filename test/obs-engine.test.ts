// Which engine `framewright obs` uses: a running `framewright serve` (here a real server started
// in this process), else one it starts for itself as a child process (core's sources through
// tsx), and what it says when neither works. Real clip-cut on small ffmpeg-made videos. The
// running server is a plain one and a `serve --queue` one whose jobs a `framewright worker` runs.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '@framewright/core';
import { connectEngine, OwnEngine, type ConnectedEngine } from '@framewright/obs-plugin';
import { SERVER_KINDS, startCluster, type ServerKind, type TestCluster } from './helpers/cluster.js';
import { makeVideo, tempDir, type GeneratedVideo } from './helpers/media.js';

const SOURCES_CLI = join(import.meta.dirname, '..', 'packages', 'obs-plugin', 'test', 'framewright-sources.js');

describe('the engine of framewright obs', () => {
  const work = tempDir('fw-obs-engine-');
  const [configDir, dataDir, outputRoot] = ['config', 'data', 'out'].map((d) => join(work, d)) as [string, string, string];
  let server: Awaited<ReturnType<typeof startServer>>;
  /** A `serve --queue` server with its own config and output folders; clip-cut runs on {@link cluster}'s worker. */
  let queueServer: Awaited<ReturnType<typeof startServer>>;
  let cluster: TestCluster;
  const queueDirs = { configDir: join(work, 'queue-config'), dataDir: join(work, 'queue-data'), outputRoot: join(work, 'queue-out') };
  const running = (kind: ServerKind) => (kind === 'queue' ? { server: queueServer, ...queueDirs } : { server, configDir, dataDir, outputRoot });
  let video: GeneratedVideo;
  const engines: ConnectedEngine[] = [];

  beforeAll(async () => {
    [server, cluster, video] = await Promise.all([
      startServer({ port: 0, configDir, dataDir, outputRoot }),
      startCluster(join(work, 'cluster'), queueDirs.outputRoot, { ops: ['clip-cut'] }),
      makeVideo(work, 'two shots', { segments: [{ source: 'testsrc2', frames: 15 }, { source: 'smptehdbars', frames: 15 }], width: 96, height: 64 }),
    ]);
    queueServer = await startServer({ port: 0, ...queueDirs, queue: cluster.url });
  });
  afterAll(async () => {
    for (const engine of engines) await engine.close();
    await server?.close();
    await queueServer?.close();
    await cluster?.stop();
  });

  async function connect(env: Record<string, string>, log: string[] = []): Promise<ConnectedEngine> {
    const engine = await connectEngine({ env: { FRAMEWRIGHT_CLI: SOURCES_CLI, ...env }, cwd: work, log: (line) => log.push(line) });
    engines.push(engine);
    return engine;
  }

  it.each(SERVER_KINDS)('runs jobs on the running server named by FRAMEWRIGHT_URL, with the token from the config folder (%s server)', async (kind) => {
    const { server, configDir, outputRoot } = running(kind);
    const log: string[] = [];
    const engine = await connect({ FRAMEWRIGHT_URL: server.url, FRAMEWRIGHT_CONFIG_DIR: configDir }, log);
    expect(engine.location).toBe(server.url);
    expect(log).toEqual([`using the engine at ${server.url}`]);
    await engine.check('clip-cut', { input: video.path });
    const result = await engine.run('clip-cut', { input: video.path, outputDir: 'obs-test', exports: ['json'] });
    expect(result.clips.map((c) => c.startFrame)).toEqual([0, 15]);
    expect(result.outputs.json?.startsWith(join(outputRoot, 'obs-test'))).toBe(true);
    if (kind === 'queue') expect(await cluster.lastJob()).toMatchObject({ job: { state: 'succeeded' }, worker: cluster.worker.info.id });
  });

  it.each(SERVER_KINDS)('checks params and availability before any job: bad params fail with the JSON pointer, an operation no worker takes is unavailable (%s server)', async (kind) => {
    const { server, configDir } = running(kind);
    const engine = await connect({ FRAMEWRIGHT_URL: server.url, FRAMEWRIGHT_CONFIG_DIR: configDir });
    await expect(engine.check('clip-cut', { input: video.path, minClipSeconds: -1 } as never)).rejects.toMatchObject({ code: 'INVALID_PARAMS', pointer: '/minClipSeconds' });
    if (kind === 'queue') await expect(engine.check('image-gen', { prompt: 'a red circle' })).rejects.toMatchObject({ code: 'OPERATION_UNAVAILABLE', message: 'image-gen is not taken by this worker (--ops)' });
  });

  it("runs a job the server may not write (outside its output root) on an engine of the command's own, beside the input as asked", async () => {
    const log: string[] = [];
    const engine = await connect({ FRAMEWRIGHT_URL: server.url, FRAMEWRIGHT_CONFIG_DIR: configDir }, log);
    const beside = join(work, 'two shots clips');
    const result = await engine.run('clip-cut', { input: video.path, outputDir: beside, exports: ['json', 'clips'], clipMode: 'copy' });
    expect(result.outputs.json?.startsWith(beside)).toBe(true);
    expect(result.clips.every((c) => c.file !== undefined && existsSync(c.file))).toBe(true);
    expect(log[1]).toMatch(/^the engine at .* writes only under its output root \(.*outside the output root.*\); running such jobs on an engine of this command's own$/);
    expect(log[2]).toMatch(new RegExp(`^started an engine for this command \\(framewright serve on 127\\.0\\.0\\.1:\\d+, output root ${work.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\)$`));
  }, 60_000);

  it('starts an engine of its own when no token exists, once for every job under the same folder, and again for a folder outside it', async () => {
    const log: string[] = [];
    const engine = await connect({ FRAMEWRIGHT_CONFIG_DIR: join(work, 'no-token') }, log);
    expect(engine.location).toBe('own');
    expect(log).toEqual([]);
    await engine.check('clip-cut', { input: video.path, outputDir: join(work, 'a') });
    await engine.run('clip-cut', { input: video.path, outputDir: join(work, 'a'), exports: ['json'] });
    expect(log.filter((l) => l.startsWith('started an engine'))).toHaveLength(1);
    const other = tempDir('fw-obs-engine-other-');
    const result = await engine.run('clip-cut', { input: video.path, outputDir: other, exports: ['json'] });
    expect(result.outputs.json?.startsWith(other)).toBe(true);
    expect(log.filter((l) => l.startsWith('started an engine'))).toHaveLength(2);
  }, 60_000);

  it('says plainly when FRAMEWRIGHT_URL names a place where nothing answers, or the token is refused', async () => {
    const closed = await startServer({ port: 0, configDir, dataDir, outputRoot });
    const deadUrl = closed.url;
    await closed.close();
    await expect(connect({ FRAMEWRIGHT_URL: deadUrl, FRAMEWRIGHT_CONFIG_DIR: configDir })).rejects.toMatchObject({
      code: 'OPERATION_UNAVAILABLE',
      message: `no Framewright engine answers at ${deadUrl} (FRAMEWRIGHT_URL): start \`framewright serve\` there, or unset FRAMEWRIGHT_URL`,
    });
    await expect(connect({ FRAMEWRIGHT_URL: server.url, FRAMEWRIGHT_TOKEN: 'x'.repeat(40) })).rejects.toMatchObject({
      code: 'CONNECTION_REJECTED',
      message: expect.stringMatching(new RegExp(`^the engine at ${server.url} refused the token from FRAMEWRIGHT_TOKEN: `)),
    });
    await expect(connect({ FRAMEWRIGHT_URL: 'ftp://127.0.0.1:1' })).rejects.toMatchObject({ code: 'BAD_ARGUMENTS', message: 'FRAMEWRIGHT_URL: ftp://127.0.0.1:1 must start with http://, https://, ws:// or wss://' });
    await expect(connect({ FRAMEWRIGHT_URL: server.url, FRAMEWRIGHT_CONFIG_DIR: tempDir('fw-obs-engine-empty-config-') })).rejects.toMatchObject({ code: 'OPERATION_UNAVAILABLE', message: expect.stringContaining('FRAMEWRIGHT_URL is set but there is no token in ') });
  });

  it('reports an engine that cannot start with its reason', async () => {
    const broken = join(work, 'broken-framewright.js');
    writeFileSync(broken, "process.stderr.write('framewright: ffmpeg exploded\\n'); process.exitCode = 6;\n");
    const own = new OwnEngine({ FRAMEWRIGHT_CLI: broken }, work);
    await expect(own.check('clip-cut', { input: video.path })).rejects.toMatchObject({
      code: 'OPERATION_UNAVAILABLE',
      message: 'could not start the Framewright engine (`framewright serve`): it exited with code 6: ffmpeg exploded',
    });
    const missing = new OwnEngine({ FRAMEWRIGHT_CLI: join(work, 'nowhere.js') }, work);
    await expect(missing.check('clip-cut', { input: video.path })).rejects.toMatchObject({ code: 'OPERATION_UNAVAILABLE', message: `FRAMEWRIGHT_CLI is set to ${JSON.stringify(join(work, 'nowhere.js'))}, but no file exists there` });
  });
});
