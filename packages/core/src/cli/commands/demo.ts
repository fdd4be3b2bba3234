import { mkdir, stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { generateSampleVideo } from '../../media/index.js';
import { CLIP_CUT_EXPORTS } from '../../protocol/index.js';
import { booleanFlag, parseFlags, positionalArgs, stringFlag } from '../args.js';
import { runClipCut, summarize } from './clip-cut.js';
import type { Command } from './types.js';

const FLAGS = { out: { type: 'string', short: 'o' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const;

/** Default demo folder, relative to the working folder. */
export const DEMO_DIR = 'framewright-demo';

const HELP = `Usage: framewright demo [--out DIR] [--json]

Shows clip-cut end to end with nothing to download: makes a 12-second sample video with five
shots (or reuses DIR/sample.mp4), cuts it, and writes every export into DIR/output: the cut list
as JSON, CMX3600 EDL, FCP7 XML, FCPXML and OpenTimelineIO, a clip file and a thumbnail per clip.

Options:
  -o, --out DIR   demo folder (default ./${DEMO_DIR})
  --json          print the clip-cut result object on stdout
  -h, --help      show this help`;

/** `framewright demo`. */
export const demoCommand: Command = {
  name: 'demo',
  summary: 'make a sample video, cut it and write every export (the quickest way to see it work)',
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
    const result = await runClipCut({ input: sample, outputDir, exports: [...CLIP_CUT_EXPORTS], clipMode: 'accurate' }, io);
    if (json) {
      io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      return 0;
    }
    io.stdout.write(summarize(result, outputDir));
    const edl = result.outputs.edl;
    io.stdout.write(
      `\nNext: import ${edl === undefined ? 'a cut list' : relative(io.cwd, edl) || edl} into your editor, ` +
        `or cut your own video: npx framewright clip-cut VIDEO --out cuts --export edl,fcp7,clips\n`,
    );
    return 0;
  },
};
