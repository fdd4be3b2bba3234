// The Python scripts reach the engine over HTTP when `framewright serve` runs: the REAL server
// (built core CLI) with its bearer token from the config folder. FRAMEWRIGHT_CLI points nowhere in
// these runs, so a success can only have come over HTTP. Against a plain server and against
// `serve --queue` with a `framewright worker` process running the jobs from Redis: the scripts
// are the same.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVER_KINDS, startCluster, type TestCluster } from '../../../test/helpers/cluster.js';
import { makeVideo, type GeneratedVideo } from '../../../test/helpers/media.js';
import { baseEnv, fakeEngine, installedScripts, REPO_ROOT, runScript, scriptFile, tempDir, type Scenario } from './helpers/harness.js';

let scripts: string;
let video: GeneratedVideo;
/** Where each kind of server keeps its config (token) and outputs. */
const homes = { 'in-process': tempDir(), queue: tempDir() };
/** The queue server's Redis and worker (started with the rest; the in-process tests run meanwhile). */
let cluster: TestCluster;

beforeAll(async () => {
  [scripts, video, cluster] = await Promise.all([
    installedScripts(),
    makeVideo(tempDir(), 'server shot', { segments: [{ source: 'testsrc2', frames: 30 }, { source: 'smptehdbars', frames: 25 }], fps: '25' }),
    startCluster(join(homes.queue, 'cluster'), join(homes.queue, 'out'), { ops: ['clip-cut'] }),
  ]);
});

afterAll(() => cluster?.stop());

/** `framewright serve --port 0 --json` (the built CLI) with its config and output root in `home`; its URL once ready. */
async function serve(home: string, args: readonly string[]): Promise<{ process: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'packages/core/bin/framewright.js'), 'serve', '--port', '0', '--json', ...args], {
    env: { ...baseEnv(home), FRAMEWRIGHT_DATA_DIR: join(home, 'data'), PATH: process.env['PATH'] },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const firstLine = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`framewright serve exited with ${code}`)));
  });
  return { process: child, url: (JSON.parse(firstLine) as { url: string }).url };
}

const clipScenario = (path: string): Scenario => ({
  project: true,
  ui: 'uimanager',
  clips: [{ name: 'server shot.mp4', path }],
  timeline: { name: 'Edit 1', currentClip: 'server shot.mp4' },
});

describe.each(SERVER_KINDS)('Python scripts against framewright serve (%s)', (kind) => {
  const serverHome = homes[kind];
  let server: ChildProcess;
  let url: string;

  beforeAll(async () => {
    ({ process: server, url } = await serve(serverHome, kind === 'queue' ? ['--queue', cluster.url] : []));
  });

  afterAll(() => {
    server?.kill();
  });

  const clientEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
    ...baseEnv(tempDir()),
    FRAMEWRIGHT_CONFIG_DIR: join(serverHome, 'config'),
    FRAMEWRIGHT_URL: url,
    FRAMEWRIGHT_CLI: '/nonexistent/framewright',
    ...extra,
  });

  it('cut the clip through POST /v1/jobs and polling, with the token from the config folder', async () => {
    const run = await runScript('python3', scriptFile(scripts, 'Clip-cut current clip', 'python3'), clipScenario(video.path), clientEnv(), 110_000);
    const timeline = run.calls.find((c) => c.call === 'MediaPool.CreateTimelineFromClips');
    expect(run.messages).toEqual([expect.stringMatching(/^Cut "server shot.mp4" into 2 clips\./)]);
    expect(timeline!.args[1]).toEqual([
      { mediaPoolItem: { mediaPoolItem: 'server shot.mp4' }, startFrame: 0, endFrame: 30 },
      { mediaPoolItem: { mediaPoolItem: 'server shot.mp4' }, startFrame: 30, endFrame: 55 },
    ]);
    expect(run.calls.filter((c) => c.call === 'Timeline.AddMarker').map((m) => m.args[1])).toEqual(video.cuts);
    const files = run.calls.find((c) => c.call === 'MediaPool.ImportMedia')!.args[0] as string[];
    expect(files).toHaveLength(2);
    // The server chose the folder, under its own output root.
    for (const file of files) {
      expect(file.startsWith(join(serverHome, 'out'))).toBe(true);
      expect(existsSync(file)).toBe(true);
    }
    // Behind a queue server the job ran in the worker process.
    if (kind === 'queue') expect(await cluster.lastJob()).toMatchObject({ job: { state: 'succeeded' }, worker: cluster.worker.info.id });
  }, 120_000);

  it('shows the server refusing a wrong token, and changes nothing', async () => {
    const run = await runScript('python3', scriptFile(scripts, 'Clip-cut current clip', 'python3'), clipScenario(video.path), clientEnv({ FRAMEWRIGHT_TOKEN: 'x'.repeat(43) }));
    expect(run.messages).toEqual([expect.stringMatching(/^clip-cut failed \(UNAUTHORIZED\): .+/)]);
    expect(run.mutations).toEqual([]);
  });

  it('shows a job that failed on the server with its error code, and changes nothing', async () => {
    const notVideo = join(tempDir(), 'notes.mp4');
    writeFileSync(notVideo, 'this is text, not a video\n');
    const run = await runScript('python3', scriptFile(scripts, 'Clip-cut current clip', 'python3'), clipScenario(notVideo), clientEnv());
    expect(run.messages).toEqual([expect.stringMatching(/^clip-cut failed \([A-Z_]+\): .+/)]);
    expect(run.mutations).toEqual([]);
  });

  // Behind a queue server whose worker takes clip-cut only, image-gen is refused at submit, as a
  // plain server refuses what it cannot run (the plain server here may well run it: scripts-e2e
  // covers both outcomes), so the script says so at once instead of polling a job no one takes.
  it.runIf(kind === 'queue')('says at once that image-gen is not available when no worker runs it, and changes nothing', async () => {
    const run = await runScript('python3', scriptFile(scripts, 'Generate image', 'python3'), { project: true, ui: 'uimanager', answer: { Prompt: 'a red fox in snow', Width: 64, Height: 64, Seed: 1 } }, clientEnv(), 30_000);
    expect(run.messages).toEqual(['image-gen is not available in this Framewright engine: image-gen is not taken by this worker (--ops)']);
    expect(run.mutations).toEqual([]);
  }, 40_000);

  // The server plays no part here (only its token file does): once is enough.
  it.runIf(kind === 'in-process')('falls back to the command line when the token exists but no server listens', async () => {
    const home = tempDir();
    const engine = fakeEngine(home, { stdout: '{"error":{"code":"INPUT_UNREADABLE","message":"from the CLI"}}', exitCode: 3 });
    const run = await runScript(
      'python3',
      scriptFile(scripts, 'Clip-cut current clip', 'python3'),
      clipScenario(video.path),
      clientEnv({ FRAMEWRIGHT_URL: 'http://127.0.0.1:9', FRAMEWRIGHT_CLI: engine.path }),
    );
    expect(run.messages).toEqual(['clip-cut failed (INPUT_UNREADABLE): from the CLI']);
    expect(existsSync(engine.argvFile)).toBe(true);
  });
});
