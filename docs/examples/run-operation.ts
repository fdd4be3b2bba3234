// In-process: run clip-cut from a Node script, no server. Type-checked by `npm run typecheck`.
// Run: npx tsx docs/examples/run-operation.ts talk.mp4 cuts
import { runOperation } from '@framewright/core';

const [input = 'talk.mp4', outputDir = 'cuts'] = process.argv.slice(2);
const controller = new AbortController();
process.once('SIGINT', () => controller.abort()); // Ctrl+C kills ffmpeg and rejects with CANCELLED

const result = await runOperation(
  'clip-cut',
  { input, outputDir, exports: ['json', 'edl', 'fcpxml'] },
  {
    signal: controller.signal,
    onProgress: (p) => process.stderr.write(`${p.stage} ${Math.round(p.fraction * 100)}%\n`),
  },
);
for (const clip of result.clips) console.log(`${clip.startSeconds.toFixed(2)}s - ${clip.endSeconds.toFixed(2)}s`);
console.log(result.files.join('\n'));
