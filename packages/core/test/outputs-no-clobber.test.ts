// No run deletes another's files: run A writes clips into a folder; run B with the same folder and
// name is refused, or - told to overwrite - fails midway, and every file of A is intact, byte for
// byte. Through the engine, with the real clip-cut and video-gen on ffmpeg-made media.
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runOperation } from '../src/engine/index.js';
import type { ClipCutParams, VideoGenParams } from '../src/protocol/index.js';
import { generateSampleVideo, type SampleVideo } from '../src/media/index.js';
import type { ClipCutProgress } from '../src/protocol/index.js';
import { drawBox } from './helpers/video-gen.js';

const root = mkdtempSync(join(tmpdir(), 'fw-no-clobber-'));
let sample: SampleVideo;

beforeAll(async () => {
  sample = await generateSampleVideo(join(root, 'talk.mp4'), { width: 160, height: 90, seconds: 6 });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Every file of `dir` with the SHA-256 of its bytes. */
function fingerprint(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).sort().map((n) => [n, createHash('sha256').update(readFileSync(join(dir, n))).digest('hex')]));
}

async function failure(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  return promise.then(() => { throw new Error('expected the run to fail'); }, (e: { code: string; message: string }) => e);
}

describe('two runs with the same output folder and name', () => {
  it('B is refused before it works, and B told to overwrite but failing midway leaves A whole', async () => {
    const out = join(root, 'cuts');
    const params = { input: sample.path, outputDir: out, name: 'take', exports: ['json', 'edl', 'clips'] as const };
    const a = await runOperation('clip-cut', { ...params, exports: [...params.exports] });
    const before = fingerprint(out);
    expect(Object.keys(before)).toEqual([...a.files.map((f) => f.slice(out.length + 1))].sort());
    expect(Object.keys(before)).toContain('take-clip-001.mp4');

    const refused = await failure(runOperation('clip-cut', { ...params, exports: [...params.exports] }));
    expect(refused).toMatchObject({ code: 'OUTPUT_EXISTS' });
    expect(refused.message).toMatch(/take\.json already exists: pass overwrite: true \(--overwrite\)/);
    expect(fingerprint(out)).toEqual(before);

    // B may overwrite, writes two clips over A's names, then is cancelled: A's files stay A's.
    const controller = new AbortController();
    const onProgress = (p: ClipCutProgress) => p.stage === 'clips' && Number(/^(\d+)\//.exec(p.message ?? '')?.[1]) >= 2 && controller.abort();
    const cancelled = await failure(runOperation('clip-cut', { ...params, exports: [...params.exports], clipMode: 'accurate', overwrite: true }, { signal: controller.signal, onProgress }));
    expect(cancelled.code).toBe('CANCELLED');
    expect(fingerprint(out)).toEqual(before);
  });

  it('with overwrite, B replaces A\'s files once it succeeded, and leaves no other file', async () => {
    const out = join(root, 'again');
    const params: ClipCutParams = { input: sample.path, outputDir: out, exports: ['json', 'clips'] };
    await runOperation('clip-cut', params);
    const names = Object.keys(fingerprint(out));
    const b = await runOperation('clip-cut', { ...params, clipMode: 'accurate', overwrite: true });
    expect(Object.keys(fingerprint(out))).toEqual(names);
    expect(JSON.parse(readFileSync(b.outputs.json!, 'utf8'))).toEqual(b);
  });

  it('video-gen picks a free name, or with overwrite replaces its own name, never touching the other file', async () => {
    const out = join(root, 'videos');
    const keyframes = [await drawBox(root, 'k1', { width: 64, height: 48, x: 4, y: 4, box: 8 }), await drawBox(root, 'k2', { width: 64, height: 48, x: 40, y: 30, box: 8 })];
    const params: VideoGenParams = { mode: 'interpolate', keyframes, frames: 5, fps: 12, interpolation: 'blend', outputDir: out };
    const first = await runOperation('video-gen', params);
    const kept = fingerprint(out);
    const second = await runOperation('video-gen', params);
    expect([first.path, second.path].map((p) => p.slice(out.length + 1))).toEqual(['interpolate.mp4', 'interpolate-2.mp4']);
    expect(fingerprint(out)['interpolate.mp4']).toBe(kept['interpolate.mp4']);
    const third = await runOperation('video-gen', { ...params, frames: 9, overwrite: true });
    expect(third.path).toBe(first.path);
    expect(Object.keys(fingerprint(out))).toEqual(['interpolate-2.mp4', 'interpolate.mp4']);
    expect(fingerprint(out)['interpolate.mp4']).not.toBe(kept['interpolate.mp4']);
  });
});
