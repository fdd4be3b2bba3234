import { mkdir, stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { generateSampleVideo } from '../../media/index.js';
import { CLIP_CUT_EXPORTS, isFramewrightError, type ImageGenResult } from '../../protocol/index.js';
import { booleanFlag, parseFlags, positionalArgs, stringFlag } from '../args.js';
import { runClipCut, summarize } from './clip-cut.js';
import { runImageGen, summarizeImageGen } from './image-gen.js';
import { runVideoGen, summarizeVideo } from './video-gen.js';
import { BUILTIN_IMAGE_MODEL_ID, builtinModelInstalled } from '../../ops/image-gen/models.js';
import type { Command } from './types.js';

const FLAGS = { out: { type: 'string', short: 'o' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const;

/** Default demo folder, relative to the working folder. */
export const DEMO_DIR = 'framewright-demo';

const HELP = `Usage: framewright demo [--out DIR] [--json]

Shows clip-cut end to end with nothing to download: makes a 12-second sample video with five
shots (or reuses DIR/sample.mp4), cuts it, and writes every export into DIR/output: the cut list
as JSON, CMX3600 EDL, FCP7 XML, FCPXML and OpenTimelineIO, a clip file and a thumbnail per clip.
Then draws three pictures with the built-in image model into DIR/images (256 px PNGs), and makes
two videos into DIR/videos: text-to-video with the built-in video model, and a motion-compensated
interpolation between the first two pictures. Running it again replaces what it wrote before.

Options:
  -o, --out DIR   demo folder (default ./${DEMO_DIR})
  --json          print the clip-cut result object on stdout (the other summaries go to stderr)
  -h, --help      show this help`;

/** Prompts the demo draws with the built-in model (one of each phrasing the grammar accepts). */
export const DEMO_PROMPTS = ['a red circle on a blue background', 'two small yellow squares top left on purple', 'large green triangle, bottom, white background'] as const;

/** Runs image-gen on the built-in model for {@link DEMO_PROMPTS}; returns the summary to print and the pictures. */
async function demoImages(imagesDir: string, io: Parameters<Command['run']>[1]): Promise<{ summary: string; files: string[] }> {
  const builtin = await builtinModelInstalled();
  if (!builtin.installed) return { summary: `image-gen skipped: ${builtin.reason ?? 'the built-in image model is missing'}\n`, files: [] };
  const all: ImageGenResult = { model: BUILTIN_IMAGE_MODEL_ID, images: [], warnings: [], files: [] };
  for (const [i, prompt] of DEMO_PROMPTS.entries()) {
    const result = await runImageGen({ prompt, model: BUILTIN_IMAGE_MODEL_ID, seed: i + 1, width: 256, height: 256, outputDir: imagesDir, overwrite: true }, io);
    all.images.push(...result.images);
    all.warnings.push(...result.warnings);
    all.files.push(...result.files);
  }
  return { summary: summarizeImageGen(all, imagesDir), files: all.images.map((i) => i.path) };
}

/** Prompt of the demo's text-to-video clip. */
export const DEMO_VIDEO_PROMPT = 'a red circle moves from left to right on a blue background';

/** Runs video-gen twice (text-to-video, then interpolation of two demo pictures); returns the summary to print. */
async function demoVideos(videosDir: string, keyframes: readonly string[], io: Parameters<Command['run']>[1]): Promise<string> {
  let out = '';
  try {
    const t2v = await runVideoGen({ mode: 'text-to-video', prompt: DEMO_VIDEO_PROMPT, frames: 24, fps: 12, width: 256, height: 256, seed: 1, outputDir: videosDir, overwrite: true }, io);
    out += summarizeVideo(t2v, videosDir);
  } catch (error) {
    if (!isFramewrightError(error) || error.code !== 'OPERATION_UNAVAILABLE') throw error;
    out += `text-to-video skipped: ${error.message}\n`;
  }
  if (keyframes.length >= 2) {
    const interp = await runVideoGen({ mode: 'interpolate', keyframes: keyframes.slice(0, 2), frames: 13, fps: 12, interpolation: 'motion', outputDir: videosDir, overwrite: true }, io);
    out += summarizeVideo(interp, videosDir);
  } else {
    out += 'interpolation skipped: no demo pictures to interpolate between\n';
  }
  return out;
}

/** `framewright demo`. */
export const demoCommand: Command = {
  name: 'demo',
  help: HELP,
  async run(argv, io) {
    const args = parseFlags('demo', argv, FLAGS);
    positionalArgs('demo', args, []);
    const json = booleanFlag(args, 'json');
    const dir = resolve(io.cwd, stringFlag(args, 'out') ?? DEMO_DIR);
    const sample = join(dir, 'sample.mp4');
    await mkdir(dir, { recursive: true });
    const reuse = await stat(sample).then((s) => s.isFile() && s.size > 0, () => false);
    if (reuse) {
      io.stderr.write(`framewright demo: using the sample video ${sample}\n`);
    } else {
      io.stderr.write(`framewright demo: making a sample video ${sample} ...\n`);
      const controller = new AbortController();
      const stop = io.onInterrupt(() => {
        stop();
        controller.abort();
      });
      try {
        await generateSampleVideo(sample, { signal: controller.signal });
      } finally {
        stop();
      }
    }
    const outputDir = join(dir, 'output');
    // The demo folder is the demo's own: a rerun replaces what the last run wrote there.
    // Clip files in the default mode (smart: frame-exact, re-encoding only next to the cuts).
    const result = await runClipCut({ input: sample, outputDir, exports: CLIP_CUT_EXPORTS.filter((e) => e !== 'render'), overwrite: true }, io);
    const images = await demoImages(join(dir, 'images'), io);
    const videos = await demoVideos(join(dir, 'videos'), images.files, io);
    if (json) {
      io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      io.stderr.write(images.summary + videos);
      return 0;
    }
    io.stdout.write(summarize(result, outputDir));
    io.stdout.write(`\n${images.summary}\n${videos}`);
    const edl = result.outputs.edl;
    io.stdout.write(
      `\nNext: import ${edl === undefined ? 'a cut list' : relative(io.cwd, edl) || edl} into your editor, ` +
        `or cut your own video: npx framewright clip-cut VIDEO --out cuts --export edl,fcp7,clips\n`,
    );
    return 0;
  },
};
