// The real built `framewright` bin in a child process: what a user's shell and outside scripts
// see (exit codes, one-line stderr, --json on stdout, signals).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import WebSocket from 'ws';
import { beforeAll, describe, expect, it } from 'vitest';
import { FramewrightClient, WebSocketTransport, type WebSocketConstructor } from '@framewright/core/client';
import { ensureBuilt, runBin, spawnBin } from './helpers/cli.js';
import { makeVideo, tempDir, type GeneratedVideo } from './helpers/media.js';

let dir: string;
let video: GeneratedVideo;

beforeAll(async () => {
  dir = tempDir('fw-cli-bin-');
  [video] = await Promise.all([
    makeVideo(dir, 'two', { segments: [{ source: 'testsrc2', frames: 30 }, { source: 'smptehdbars', frames: 20 }], fps: '25' }),
    ensureBuilt(),
  ]);
}, 240_000);

describe('framewright (built bin)', () => {
  it('prints its version', async () => {
    expect(await runBin(['--version'], { cwd: dir })).toMatchObject({ code: 0, stdout: '0.1.0\n', stderr: '' });
  });

  it('clip-cut --json prints the result object and nothing on stderr when it is not a terminal', async () => {
    const out = join(dir, 'cut');
    const { code, stdout, stderr } = await runBin(['clip-cut', video.path, '--out', out, '--export', 'json,edl,fcp7,fcpxml,otio,clips', '--json'], { cwd: dir });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as { fps: number; frameCount: number; clips: { startFrame: number; endFrame: number }[]; files: string[] };
    expect(result).toMatchObject({ fps: 25, frameCount: 50 });
    expect(result.clips.map((c) => [c.startFrame, c.endFrame])).toEqual([
      [0, 30],
      [30, 50],
    ]);
    expect([...result.files].sort()).toEqual(readdirSync(out).map((f) => join(out, f)).sort());
    for (const ext of ['.json', '.edl', '.xml', '.fcpxml', '.otio', '-clip-002.mp4']) expect(result.files.some((f) => f.endsWith(ext)), ext).toBe(true);
  });

  it('fails with one line and no stack trace, exit 3, unless FRAMEWRIGHT_DEBUG=1', async () => {
    const missing = join(dir, 'missing.mp4');
    const plain = await runBin(['clip-cut', missing, '--json'], { cwd: dir });
    expect(plain.code).toBe(3);
    expect(plain.stderr).toBe(`framewright: input not found: ${missing}\n`);
    expect(JSON.parse(plain.stdout)).toEqual({ error: { code: 'INPUT_NOT_FOUND', message: `input not found: ${missing}` } });
    const debug = await runBin(['clip-cut', missing], { cwd: dir, env: { FRAMEWRIGHT_DEBUG: '1' } });
    expect(debug.code).toBe(3);
    expect(debug.stderr).toMatch(/\n\s+at /);
  });

  it('exits 2 on an unknown flag, naming it', async () => {
    const { code, stderr, stdout } = await runBin(['clip-cut', video.path, '--exports', 'edl'], { cwd: dir });
    expect(code).toBe(2);
    expect(stderr).toMatch(/^framewright: clip-cut: unknown flag --exports/);
    expect(stdout).toBe('');
  });

  it('clip-cut stops on Ctrl+C (SIGINT) with exit 130 and leaves no partial files', async () => {
    const long = await makeVideo(dir, 'long', { segments: [{ source: 'testsrc2', frames: 300 }, { source: 'mandelbrot', frames: 300 }], fps: '25' });
    const out = join(dir, 'interrupted');
    const child = spawnBin(['clip-cut', long.path, '--out', out, '--export', 'clips,edl', '--clip-mode', 'accurate', '--json'], { cwd: dir });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    // The output folder appears once the run has started (the Ctrl+C handler is in place by then).
    while (!existsSync(out) && child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toBe('framewright: clip-cut was cancelled\n');
    expect(JSON.parse(stdout)).toMatchObject({ error: { code: 'CANCELLED' } });
    const left = existsSync(out) ? readdirSync(out) : [];
    expect(left.filter((f) => f.includes('.partial'))).toEqual([]);
  });

  it('doctor finds ffmpeg and ffprobe with absolute paths and versions', async () => {
    const { code, stdout } = await runBin(['doctor', '--json'], { cwd: dir, env: { FRAMEWRIGHT_CONFIG_DIR: join(dir, 'cfg') } });
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as { ok: boolean; tools: Record<string, { path: string; version: string }>; paths: { name: string; path: string }[]; backends: { tfjs: { chosen?: string } } };
    expect(report.ok).toBe(true);
    for (const tool of ['ffmpeg', 'ffprobe']) {
      expect(isAbsolute(report.tools[tool]!.path)).toBe(true);
      expect(report.tools[tool]!.version).toMatch(/\d/);
    }
    expect(report.paths.find((p) => p.name === 'bearer token')?.path).toBe(join(dir, 'cfg', 'token'));
    expect(report.backends.tfjs.chosen).toBe('wasm');
  });

  it('doctor exits 6 and says what it tried when ffmpeg is missing', async () => {
    const { code, stdout } = await runBin(['doctor'], { cwd: dir, env: { FFMPEG_PATH: join(dir, 'no-ffmpeg') } });
    expect(code).toBe(6);
    expect(stdout).toMatch(/MISSING.*FFMPEG_PATH/);
  });

  it('serve prints where the token file is (not the token), serves SDK clients and stops on SIGTERM', async () => {
    const env = { FRAMEWRIGHT_CONFIG_DIR: join(dir, 'serve-cfg'), FRAMEWRIGHT_DATA_DIR: join(dir, 'serve-data'), FRAMEWRIGHT_OUTPUT_ROOT: join(dir, 'serve-out') };
    const child = spawnBin(['serve', '--port', '0', '--json', '--allow-origin', 'http://panel.test'], { cwd: dir, env });
    let stdout = '';
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    const ready = await new Promise<{ wsUrl: string; tokenFile: string; outputRoot: string }>((resolveReady, reject) => {
      child.stdout!.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (stdout.includes('\n')) resolveReady(JSON.parse(stdout.split('\n')[0]!) as { wsUrl: string; tokenFile: string; outputRoot: string });
      });
      void exited.then((code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
    });
    try {
      expect(ready.tokenFile).toBe(join(dir, 'serve-cfg', 'token'));
      expect(ready.outputRoot).toBe(join(dir, 'serve-out'));
      expect(statSync(ready.tokenFile).mode & 0o777).toBe(0o600);
      const token = readFileSync(ready.tokenFile, 'utf8').trim();
      expect(stdout).not.toContain(token);
      const client = new FramewrightClient(() => new WebSocketTransport(ready.wsUrl, { token, WebSocket: WebSocket as unknown as WebSocketConstructor }));
      await client.connect();
      const result = await client.run('clip-cut', { input: video.path, outputDir: 'via-serve', exports: ['edl'] });
      expect(result.outputs.edl?.startsWith(join(dir, 'serve-out', 'via-serve'))).toBe(true);
      await client.close();
      const opens = (origin: string) =>
        new Promise<boolean>((done) => {
          const ws = new WebSocket(ready.wsUrl, ['framewright.v1', `bearer.${token}`], { origin });
          ws.on('open', () => (ws.close(), done(true)));
          ws.on('error', () => done(false));
        });
      expect(await opens('http://panel.test')).toBe(true);
      expect(await opens('http://evil.test')).toBe(false);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(stderr).toMatch(/SIGTERM: stopping/);
  });
});
