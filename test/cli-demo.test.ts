// `npx framewright demo`, the README's main job, through the real built bin in a fresh folder:
// it makes a sample video, cuts it and writes every export; a second run reuses the video.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { ensureBuilt, runBin } from './helpers/cli.js';
import { countFrames, tempDir } from './helpers/media.js';

beforeAll(() => ensureBuilt(), 240_000);

it('makes a sample video, cuts it at its five shots and writes every export; a second run reuses the video', async () => {
  const cwd = tempDir('fw-demo-');
  const first = await runBin(['demo'], { cwd });
  expect(first.stderr).toMatch(/making a sample video/);
  expect(first.code).toBe(0);
  const folder = join(cwd, 'framewright-demo');
  const sample = join(folder, 'sample.mp4');
  expect(first.stdout).toMatch(/^5 clips in sample\.mp4 \(300 frames at 25 fps/);
  for (const name of ['sample.json', 'sample.edl', 'sample.xml', 'sample.fcpxml', 'sample.otio', 'sample-clip-001.mp4', 'sample-clip-005.mp4', 'sample-clip-005.jpg']) {
    expect(existsSync(join(folder, 'output', name)), name).toBe(true);
    expect(first.stdout).toContain(name);
  }
  for (const name of ['text-to-video.mp4', 'interpolate.mp4']) {
    expect(existsSync(join(folder, 'videos', name)), name).toBe(true);
    expect(first.stdout).toContain(name);
  }
  const made = statSync(sample).mtimeMs;

  const second = await runBin(['demo', '--json'], { cwd });
  expect(second.code).toBe(0);
  expect(second.stderr).toMatch(/using the sample video/);
  expect(statSync(sample).mtimeMs).toBe(made);
  const result = JSON.parse(second.stdout) as { clips: { startFrame: number; frames: number; file: string }[]; outputs: Record<string, unknown> };
  expect(result.clips.map((c) => c.startFrame)).toEqual([0, 75, 120, 195, 240]);
  // The clip files hold exactly the frames the cut list says (the default, smart, clip mode).
  for (const clip of result.clips) expect(await countFrames(clip.file), clip.file).toBe(clip.frames);
  expect(Object.keys(result.outputs).sort()).toEqual(['clips', 'edl', 'fcp7', 'fcpxml', 'json', 'otio', 'thumbnails']);
  // A rerun replaces what the demo wrote before: the same names, no second copies.
  expect(readdirSync(join(folder, 'videos')).sort()).toEqual(['interpolate.mp4', 'text-to-video.mp4']);
}, 120_000);
