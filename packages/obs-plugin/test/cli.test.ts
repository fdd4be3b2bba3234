import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { FramewrightError } from '@framewright/core/protocol';
import { runCli, type Engine, type ObsCliIo } from '../src/index.js';
import { FakeObs } from './fake-obs.js';

const run = promisify(execFile);
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** `framewright` from core's sources: the engine a command starts for itself runs the code under test. */
const SOURCES_CLI = join(import.meta.dirname, 'framewright-sources.js');

function temp(): string {
  const d = mkdtempSync(join(tmpdir(), 'fw-obs-cli-'));
  cleanups.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

/** Captured streams, a private config folder and a Ctrl+C the test can press. */
function testIo(env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  let interrupt: (() => void) | undefined;
  const io: ObsCliIo = {
    stdout: { write: (t) => void out.push(t) },
    stderr: { write: (t) => void err.push(t) },
    env: { FRAMEWRIGHT_CONFIG_DIR: temp(), FRAMEWRIGHT_CLI: SOURCES_CLI, ...env },
    cwd: temp(),
    onInterrupt(handler) {
      interrupt = handler;
      return () => (interrupt = undefined);
    },
  };
  return { io, stdout: () => out.join(''), stderr: () => err.join(''), pressCtrlC: () => interrupt?.() };
}

async function fakeObs(password = 'pw'): Promise<FakeObs> {
  const obs = new FakeObs({ password });
  await obs.start();
  cleanups.push(() => obs.stop());
  return obs;
}

async function until(condition: () => boolean, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A 3-shot video (25 fps, cuts at frames 20 and 45) made with ffmpeg's test sources. */
async function threeShots(dir: string): Promise<string> {
  const path = join(dir, 'stream 1.mp4');
  const inputs = ['testsrc2', 'smptehdbars', 'rgbtestsrc'].flatMap((src) => ['-f', 'lavfi', '-i', `${src}=s=160x90:r=25`]);
  await run('ffmpeg', [
    '-v', 'error', '-y',
    ...inputs,
    '-filter_complex', '[0:v]trim=end_frame=20[a];[1:v]trim=end_frame=25,setpts=PTS-STARTPTS[b];[2:v]trim=end_frame=30,setpts=PTS-STARTPTS[c];[a][b][c]concat=n=3:v=1[v]',
    '-map', '[v]', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', path,
  ]);
  return path;
}

describe('framewright obs', () => {
  it('watch: cuts a finished recording with the real engine into a Framewright scene and prints it as JSON; Ctrl+C stops', async () => {
    const obs = await fakeObs();
    const t = testIo({ FRAMEWRIGHT_OBS_PASSWORD: 'pw' });
    const recording = await threeShots(temp());
    const exit = runCli(['watch', '--url', obs.url, '--json', '--export-edl'], { io: t.io });
    await until(() => t.stderr().includes('waiting for recordings'), 'watch to start');
    obs.emit('RecordStateChanged', { outputActive: false, outputState: 'OBS_WEBSOCKET_OUTPUT_STOPPED', outputPath: recording });
    await until(() => t.stdout().includes('\n'), 'the JSON line');
    t.pressCtrlC();
    expect(await exit).toBe(0);
    const line = JSON.parse(t.stdout()) as { sceneName: string; inputNames: string[]; clips: { startFrame: number; file: string }[]; outputs: { edl?: string } };
    expect(line.sceneName).toBe('Framewright: stream 1');
    expect(line.clips.map((c) => c.startFrame)).toEqual([0, 20, 45]);
    expect(obs.scenes.get('Framewright: stream 1')?.map((i) => i.sourceName)).toEqual(line.inputNames);
    expect(line.clips.every((c) => existsSync(c.file))).toBe(true);
    expect(line.outputs.edl && readFileSync(line.outputs.edl, 'utf8')).toMatch(/^TITLE:/);
    expect(line.clips[0]?.file).toContain(join('stream 1 clips', ''));
  }, 60_000);

  it('watch --remove silence: also writes the tightened recording beside the clips', async () => {
    const obs = await fakeObs();
    const t = testIo({ FRAMEWRIGHT_OBS_PASSWORD: 'pw' });
    const dir = temp();
    const recording = join(dir, 'talk 1.mkv');
    // 4 s: a tone for 1 s, 2 s of silence, a tone again: 1.2 s + 1.2 s are kept with the 0.2 s margins.
    await run('ffmpeg', [
      '-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=s=160x90:r=25:d=4',
      '-f', 'lavfi', '-i', "aevalsrc='(lt(t,1)+gte(t,3))*0.5*sin(2*PI*440*t)':s=48000:d=4",
      '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'pcm_s16le', '-shortest', recording,
    ]);
    const exit = runCli(['watch', '--url', obs.url, '--json', '--remove', 'silence'], { io: t.io });
    await until(() => t.stderr().includes('waiting for recordings'), 'watch to start');
    obs.emit('RecordStateChanged', { outputActive: false, outputState: 'OBS_WEBSOCKET_OUTPUT_STOPPED', outputPath: recording });
    await until(() => t.stdout().includes('\n'), 'the JSON line');
    t.pressCtrlC();
    expect(await exit).toBe(0);
    const line = JSON.parse(t.stdout()) as { edited: string; keptSeconds: number; kept: { startFrame: number; endFrame: number }[] };
    expect(line.kept.map((k) => [k.startFrame, k.endFrame])).toEqual([[0, 30], [70, 100]]);
    expect(line.keptSeconds).toBeCloseTo(2.4, 5);
    expect(line.edited).toBe(join(dir, 'talk 1 clips', 'talk 1-edited.mp4'));
    const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', line.edited]);
    expect(Math.abs(Number(stdout.trim()) - 2.4)).toBeLessThanOrEqual(0.04);
    expect(t.stderr()).toMatch(/wrote the tightened .*talk 1-edited\.mp4: 2\.4 s kept of 4\.0 s/);
    expect(await runCli(['watch', '--remove', 'music'], { io: testIo().io })).toBe(2);
  }, 60_000);

  it('watch: a wrong password is one line naming close code 4009, exit 8', async () => {
    const obs = await fakeObs('right');
    const t = testIo();
    expect(await runCli(['watch', '--url', obs.url, '--password', 'wrong'], { io: t.io })).toBe(8);
    expect(t.stderr()).toMatch(/^framewright obs: OBS at ws:\/\/127\.0\.0\.1:\d+ refused the password \(close code 4009\): check it in Tools > WebSocket Server Settings\n$/);
  });

  it('watch: ends with exit 8 when OBS comes back with another password, saying so', async () => {
    const first = new FakeObs({ password: 'pw' });
    await first.start();
    const t = testIo();
    const exit = runCli(['watch', '--url', first.url, '--password', 'pw'], { io: t.io });
    await until(() => t.stderr().includes('waiting for recordings'), 'watch to start');
    await first.stop();
    await until(() => t.stderr().includes('lost the connection'), 'the loss to be noticed');
    const second = new FakeObs({ password: 'changed', port: Number(new URL(first.url).port) });
    await second.start();
    cleanups.push(() => second.stop());
    expect(await exit).toBe(8);
    expect(t.stderr()).toMatch(/stopped reconnecting: OBS at .* refused the password/);
  });

  it('generate: says the engine lacks the operation, exit 7, without contacting OBS', async () => {
    const obs = await fakeObs();
    const t = testIo();
    const engine: Engine = {
      check: () => Promise.reject(new FramewrightError('OPERATION_UNAVAILABLE', 'image-gen is not in this build yet: the built-in model has not shipped')),
      run: () => Promise.reject(new Error('must not run')),
    };
    expect(await runCli(['generate', 'image', '--prompt', 'a red fox', '--url', obs.url, '--password', 'pw'], { io: t.io, engine })).toBe(7);
    expect(t.stderr()).toBe('framewright obs: image-gen is not in this build yet: the built-in model has not shipped\n');
    expect(obs.requests).toEqual([]);
  });

  it('generate: puts each generated image into the named scene as an image source', async () => {
    const obs = await fakeObs();
    obs.scenes.set('Stinger', []);
    const t = testIo();
    const dir = temp();
    const engine: Engine = {
      check: () => Promise.resolve(),
      run: (async (op: string, params: { outputDir: string; prompt: string }) => {
        expect(op).toBe('image-gen');
        const path = join(params.outputDir, 'fox-0.png');
        await run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=s=64x64', '-frames:v', '1', path]);
        return { model: 'test', images: [{ path, width: 64, height: 64, seed: 1 }], warnings: [], files: [path] };
      }) as never,
    };
    const code = await runCli(['generate', 'image', '--prompt', 'a red fox', '--scene', 'Stinger', '--out', dir, '--url', obs.url, '--password', 'pw', '--json'], { io: t.io, engine });
    expect(t.stderr()).toContain('added image_source "Framewright fox-0" to scene "Stinger"');
    expect(code).toBe(0);
    expect(obs.inputs.get('Framewright fox-0')).toEqual({ kind: 'image_source', settings: { file: join(dir, 'fox-0.png') } });
    expect(obs.scenes.get('Stinger')?.map((i) => i.sourceName)).toEqual(['Framewright fox-0']);
  });

  it('generate: a scene that does not exist fails with exit 9 before anything is generated, naming the scenes there are', async () => {
    const obs = await fakeObs();
    obs.scenes.set('Live', []);
    const t = testIo();
    let runs = 0;
    const engine: Engine = {
      check: () => Promise.resolve(),
      run: (async () => {
        runs++;
        return { path: '/tmp/x.mp4', frames: 1, fps: 25, width: 16, height: 16, durationSeconds: 0.04, warnings: [], files: [] };
      }) as never,
    };
    expect(await runCli(['generate', 'video', '--prompt', 'waves', '--scene', 'Nope', '--url', obs.url, '--password', 'pw'], { io: t.io, engine })).toBe(9);
    expect(t.stderr()).toContain('OBS has no scene named "Nope": its scenes are "Live", "Scene"');
    expect(runs).toBe(0);
  });

  it('generate: a video without --width/--height is made at the canvas size', async () => {
    const obs = await fakeObs();
    const t = testIo();
    const asked: unknown[] = [];
    const engine: Engine = {
      check: () => Promise.resolve(),
      run: (async (_op: string, params: unknown) => {
        asked.push(params);
        return { path: '/tmp/x.mp4', frames: 1, fps: 25, width: 1280, height: 720, durationSeconds: 0.04, warnings: [], files: ['/tmp/x.mp4'] };
      }) as never,
    };
    expect(await runCli(['generate', 'video', '--prompt', 'waves', '--url', obs.url, '--password', 'pw'], { io: t.io, engine })).toBe(0);
    expect(asked).toEqual([expect.objectContaining({ width: 1280, height: 720 })]);
  });

  it('setup: shows the plan and writes nothing; --apply writes, backs up and saves the connection for watch', async () => {
    const obsDir = temp();
    writeFileSync(join(obsDir, 'global.ini'), '[General]\nFirstRun=true\n');
    const t = testIo();
    expect(await runCli(['setup', '--config-dir', obsDir, '--port', '4477', '--password', 'secret-1'], { io: t.io })).toBe(0);
    expect(t.stdout()).toContain('Would change');
    expect(t.stdout()).toContain('Tools > WebSocket Server Settings');
    expect(t.stdout()).toContain('View > Docks > Custom Browser Docks');
    expect(readFileSync(join(obsDir, 'global.ini'), 'utf8')).toBe('[General]\nFirstRun=true\n');

    const applied = testIo({ FRAMEWRIGHT_CONFIG_DIR: t.io.env['FRAMEWRIGHT_CONFIG_DIR'] as string });
    expect(await runCli(['setup', '--apply', '--config-dir', obsDir, '--port', '4477', '--password', 'secret-1'], { io: applied.io })).toBe(0);
    expect(readFileSync(join(obsDir, 'global.ini'), 'utf8')).toContain('ServerPassword=secret-1');
    expect(applied.stdout()).toMatch(/Backed up to .*global\.ini\.framewright-backup-/);
    const saved = JSON.parse(readFileSync(join(t.io.env['FRAMEWRIGHT_CONFIG_DIR'] as string, 'obs.json'), 'utf8')) as unknown;
    expect(saved).toEqual({ url: 'ws://127.0.0.1:4477', password: 'secret-1' });
    const token = readFileSync(join(t.io.env['FRAMEWRIGHT_CONFIG_DIR'] as string, 'token'), 'utf8').trim();
    expect(applied.stdout()).toContain(`Dock URL: http://127.0.0.1:7878/dock/#token=${encodeURIComponent(token)}`);
  });

  it('setup: the password the dry run prints is the one --apply writes', async () => {
    const obsDir = temp();
    writeFileSync(join(obsDir, 'global.ini'), '[General]\nFirstRun=true\n');
    const dry = testIo();
    expect(await runCli(['setup', '--config-dir', obsDir], { io: dry.io })).toBe(0);
    const printed = /obs-websocket password to use: (\S+)/.exec(dry.stdout())?.[1];
    expect(printed).toMatch(/^[\w-]{16}$/);
    expect(readFileSync(join(obsDir, 'global.ini'), 'utf8')).toBe('[General]\nFirstRun=true\n');
    const again = testIo({ FRAMEWRIGHT_CONFIG_DIR: dry.io.env['FRAMEWRIGHT_CONFIG_DIR'] as string });
    expect(await runCli(['setup', '--config-dir', obsDir], { io: again.io })).toBe(0);
    expect(again.stdout()).toContain(`obs-websocket password to use: ${printed}`);
    const applied = testIo({ FRAMEWRIGHT_CONFIG_DIR: dry.io.env['FRAMEWRIGHT_CONFIG_DIR'] as string });
    expect(await runCli(['setup', '--apply', '--config-dir', obsDir], { io: applied.io })).toBe(0);
    expect(readFileSync(join(obsDir, 'global.ini'), 'utf8')).toContain(`ServerPassword=${printed}`);
  });

  it('rejects unknown commands and flags with usage exit 2', async () => {
    const t = testIo();
    expect(await runCli(['record'], { io: t.io })).toBe(2);
    expect(await runCli(['watch', '--frobnicate'], { io: t.io })).toBe(2);
    expect(await runCli(['setup', '--port', '99999'], { io: t.io })).toBe(2);
    expect(await runCli(['generat', 'image'], { io: t.io })).toBe(2);
    expect(await runCli(['generate', 'image', '--sene', 'Live'], { io: t.io })).toBe(2);
    expect(t.stderr().split('\n').filter(Boolean)).toEqual([
      'framewright obs: unknown command "record": expected watch, generate or setup',
      expect.stringMatching(/^framewright obs: obs watch: Unknown option '--frobnicate'.*\(see `framewright obs watch --help`\)$/),
      'framewright obs: --port must be a whole number from 1 to 65535, not "99999"',
      'framewright obs: unknown command "generat": did you mean generate? expected watch, generate or setup',
      expect.stringMatching(/^framewright obs: obs generate: Unknown option '--sene'.*\(did you mean --scene\? see `framewright obs generate --help`\)$/),
    ]);
  });
});
