// Thumbnails where ffmpeg writes nothing: a seek past the last frame that decodes used to end in
// `ENOENT rename` of the temporary name. Now a clip falls back to its first frame, and a frame that
// cannot be shown fails as UNSUPPORTED_MEDIA naming the thumbnail.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeThumbnail } from '../src/media/index.js';
import { clipCutOperation } from '../src/ops/clip-cut/index.js';
import { FramewrightError } from '../src/protocol/index.js';

const run = promisify(execFile);
const ffmpeg = process.env['FFMPEG_PATH'] ?? 'ffmpeg';
const FPS = { num: 25, den: 1 };
let root: string;
/** 50 frames of one shot and 25 of another at 25 fps; the last frame is held for 4 s (a screen recording's end). */
let held: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'fw-thumbs-'));
  const cfr = join(root, 'cfr.mp4');
  held = join(root, 'held.mp4');
  const shots = 'testsrc2=s=160x90:r=25,trim=end_frame=50,setpts=PTS-STARTPTS[a];smptehdbars=s=160x90:r=25,trim=end_frame=25,setpts=PTS-STARTPTS[b];[a][b]concat=n=2:v=1:a=0';
  await run(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', shots, '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', cfr]);
  // The last packet lasts 4 s: the stream is 6.96 s long, so its average rate is 10.8 fps, not 25.
  await run(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-y', '-i', cfr, '-c', 'copy', '-bsf:v', "setts=duration='if(eq(N,74),4/TB,DURATION)'", held]);
});
afterAll(() => rm(root, { recursive: true, force: true }));

const isJpeg = async (path: string) => (await readFile(path)).subarray(0, 2).equals(Buffer.from([0xff, 0xd8]));

describe('writeThumbnail', () => {
  it('fails as UNSUPPORTED_MEDIA naming the thumbnail when no frame decodes there, leaving nothing', async () => {
    const dir = await mkdtemp(join(root, 'past-'));
    const error = await writeThumbnail(held, join(dir, 'talk-clip-003.jpg'), { frame: 80, fps: FPS }).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(FramewrightError);
    expect(error).toMatchObject({ code: 'UNSUPPORTED_MEDIA' });
    expect((error as Error).message).toMatch(/^no thumbnail for talk-clip-003\.jpg: no frame of .*held\.mp4 decodes at 3\.199 s \(frame 80\)$/);
    expect(await readdir(dir)).toEqual([]);
  });

  it('shows orFrame when none decodes at frame', async () => {
    const dir = await mkdtemp(join(root, 'or-'));
    const path = join(dir, 'fallback.jpg');
    await writeThumbnail(held, path, { frame: 80, orFrame: 10, fps: FPS });
    expect(await isJpeg(path)).toBe(true);
    expect(await readdir(dir)).toEqual(['fallback.jpg']);
  });
});

describe('clip-cut thumbnails', () => {
  it('are written for every clip of a video whose last frame is held (on a 10.8 fps clock the middle of clip 2 lies past its last frame)', async () => {
    const outputDir = await mkdtemp(join(root, 'clips-'));
    const result = await clipCutOperation.run({ input: held, exports: ['thumbnails'] }, { signal: new AbortController().signal, onProgress: () => {}, outputDir });
    expect(result.clips.map((c) => [c.startFrame, c.endFrame])).toEqual([[0, 50], [50, 75]]);
    expect(result.outputs.thumbnails).toHaveLength(2);
    for (const thumb of result.outputs.thumbnails!) expect(await isJpeg(thumb)).toBe(true);
    expect((await readdir(outputDir)).sort()).toEqual(['held-clip-001.jpg', 'held-clip-002.jpg']);
  });
});
