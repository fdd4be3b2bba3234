// `framewright clip-cut` end to end in-process (main() with captured streams, real ffmpeg): the
// --json contract outside checks rely on, and bad input that must fail with one line, its own
// exit code, and nothing written.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../packages/core/src/cli/main.js';
import { captureIo } from './helpers/cli.js';
import { makeVideo, tempDir, type GeneratedVideo } from './helpers/media.js';

let dir: string;
let video: GeneratedVideo;

beforeAll(async () => {
  dir = tempDir('fw-cli-cut-');
  video = await makeVideo(dir, 'three shots', {
    segments: [
      { source: 'testsrc2', frames: 40 },
      { source: 'smptehdbars', frames: 30 },
      { source: 'mandelbrot', frames: 35 },
    ],
    fps: '25',
  });
});

async function clipCut(args: string[], options: { tty?: boolean } = {}) {
  const io = captureIo(dir, options);
  const code = await main(['clip-cut', ...args], io);
  return { code, out: io.out, err: io.err };
}

/** Files under `path` (recursively); a folder that does not exist has none. */
function filesIn(path: string): string[] {
  return existsSync(path) ? readdirSync(path, { recursive: true, encoding: 'utf8' }).filter((f) => statSync(join(path, f)).isFile()) : [];
}

describe('clip-cut --json', () => {
  it('prints exactly the result object: fps, frameCount, clips with exclusive endFrame, every file written', async () => {
    const out = join(dir, 'json-contract');
    const { code, out: stdout, err } = await clipCut([video.path, '--out', out, '--export', 'json,edl,fcp7,fcpxml,otio,clips', '--json']);
    expect(err).toBe('');
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as {
      fps: number;
      frameCount: number;
      clips: { startFrame: number; endFrame: number; startSeconds: number; endSeconds: number }[];
      files: string[];
    };
    expect(result.fps).toBe(25);
    expect(result.frameCount).toBe(video.frameCount);
    expect(result.clips.map((c) => [c.startFrame, c.endFrame])).toEqual([
      [0, 40],
      [40, 70],
      [70, 105],
    ]);
    expect(result.clips[1]).toMatchObject({ startSeconds: 1.6, endSeconds: 2.8 });
    const written = filesIn(out).map((f) => join(out, f)).sort();
    expect([...result.files].sort()).toEqual(written);
    expect(written.filter((f) => f.endsWith('.mp4'))).toHaveLength(3);
    for (const ext of ['.json', '.edl', '.xml', '.fcpxml', '.otio']) expect(written.some((f) => f.endsWith(ext)), ext).toBe(true);
  });

  it('prints a human summary without --json, and draws progress only on a terminal', async () => {
    const plain = await clipCut([video.path, '--out', join(dir, 'summary'), '--export', 'edl']);
    expect(plain.code).toBe(0);
    expect(plain.out).toMatch(/^3 clips in three shots\.mp4 \(105 frames at 25 fps/);
    expect(plain.out).toContain('three shots.edl');
    expect(plain.err).toBe('');
    const tty = await clipCut([video.path, '--out', join(dir, 'tty'), '--export', 'edl'], { tty: true });
    expect(tty.code).toBe(0);
    expect(tty.err).toMatch(/\r\x1b\[2K(probe|analyse|export)/);
  });
});

describe('clip-cut bad input: one line, its exit code, nothing written', () => {
  const cases: [string, () => string, number, RegExp][] = [
    ['a missing file', () => join(dir, 'nope.mp4'), 3, /not found|does not exist/i],
    ['a text file named .mp4', () => (writeFileSync(join(dir, 'notes.mp4'), 'these are my notes, not a video\n'), join(dir, 'notes.mp4')), 4, /notes\.mp4/],
    ['a zero-length file', () => (writeFileSync(join(dir, 'empty.mp4'), ''), join(dir, 'empty.mp4')), 4, /empty\.mp4/],
    [
      'a truncated MP4',
      () => {
        const path = join(dir, 'truncated.mp4');
        copyFileSync(video.path, path);
        truncateSync(path, Math.floor(statSync(path).size / 3));
        return path;
      },
      4,
      /truncated\.mp4/,
    ],
    ['a folder instead of a file', () => (mkdirSync(join(dir, 'folder.mp4'), { recursive: true }), join(dir, 'folder.mp4')), 3, /folder\.mp4/],
  ];

  it.each(cases)('%s', async (_what, makeInput, exitCode, message) => {
    const out = join(dir, `out-${exitCode}-${Math.random().toString(36).slice(2)}`);
    const { code, out: stdout, err } = await clipCut(['--out', out, '--export', 'json,edl,clips,thumbnails', '--json', '--', makeInput()]);
    expect(err).toMatch(/^framewright: /);
    expect(err.trimEnd().split('\n')).toHaveLength(1);
    expect(err).toMatch(message);
    expect(code).toBe(exitCode);
    expect(JSON.parse(stdout)).toMatchObject({ error: { code: expect.any(String), message: err.slice('framewright: '.length).trimEnd() } });
    expect(existsSync(out)).toBe(false);
  });

  it.each([
    ['an out-of-range threshold', ['--threshold', 'hash=1.5'], /--threshold hash must be <= 1/],
    ['a wrong type', ['--analysis-width', 'wide'], /--analysis-width must be an integer, got "wide"/],
    ['an unknown flag', ['--min-clip', '2'], /unknown flag --min-clip/],
  ])('rejects %s on a real video with exit 2 and creates no --out folder', async (_what, flags, message) => {
    const out = join(dir, `invalid-${flags[0]}`);
    const { code, err } = await clipCut([video.path, '--out', out, '--export', 'json,clips', ...flags]);
    expect(code).toBe(2);
    expect(err.trimEnd()).toMatch(message);
    expect(err.trimEnd().split('\n')).toHaveLength(1);
    expect(existsSync(out)).toBe(false);
  });

  it('leaves an existing --out folder exactly as it was', async () => {
    const out = join(dir, 'existing-out');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'keep.txt'), 'mine');
    const { code } = await clipCut([join(dir, 'missing.mp4'), '--out', out, '--export', 'json,clips']);
    expect(code).toBe(3);
    expect(filesIn(out)).toEqual(['keep.txt']);
    expect(readFileSync(join(out, 'keep.txt'), 'utf8')).toBe('mine');
  });
});

describe('clip-cut into a folder that holds an earlier run', () => {
  it('refuses with exit 5 and a one-line message naming the file, and replaces the files with --overwrite', async () => {
    const out = join(dir, 'rerun');
    expect((await clipCut([video.path, '--out', out, '--export', 'json,clips'])).code).toBe(0);
    const first = Object.fromEntries(filesIn(out).map((f) => [f, readFileSync(join(out, f))]));
    const again = await clipCut([video.path, '--out', out, '--export', 'json,clips']);
    expect(again.code).toBe(5);
    expect(again.err).toBe(`framewright: ${join(out, 'three shots.json')} already exists: pass overwrite: true (--overwrite) to replace it, or choose another name or output folder\n`);
    expect(Object.fromEntries(filesIn(out).map((f) => [f, readFileSync(join(out, f))]))).toEqual(first);
    const replaced = await clipCut([video.path, '--out', out, '--export', 'json,clips', '--overwrite']);
    expect(replaced.code).toBe(0);
    expect(filesIn(out).sort()).toEqual(Object.keys(first).sort());
  });
});

describe('clip-cut odd file names', () => {
  it.each([
    ['spaces and unicode', 'mes vidéos/clip 日本 ✂.mp4'],
    ['a leading dash', '-take1.mp4'],
  ])('cuts a file whose name has %s', async (_what, name) => {
    const path = join(dir, name);
    mkdirSync(join(path, '..'), { recursive: true });
    copyFileSync(video.path, path);
    const out = join(dir, `odd ${name.length}`);
    const { code, out: stdout, err } = await clipCut(['--out', out, '--export', 'json,clips', '--json', '--', path]);
    expect(err).toBe('');
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as { clips: unknown[]; files: string[] };
    expect(result.clips).toHaveLength(3);
    for (const f of result.files) expect(existsSync(f)).toBe(true);
  });

  it('takes a relative leading-dash name after --', async () => {
    copyFileSync(video.path, join(dir, '-rel.mp4'));
    const { code, err } = await clipCut(['--out', join(dir, 'rel'), '--', '-rel.mp4']);
    expect(err).toBe('');
    expect(code).toBe(0);
  });
});
