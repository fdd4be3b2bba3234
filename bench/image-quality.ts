// Prompt following of the built-in text-to-image model: 100 prompts of attribute combinations
// never seen in training (purple squares, orange circles) and 100 of trained combinations, each
// generated once and read back from its pixels by the analytic checker. Prints the share of
// pictures with the asked background colour, object colour, position and shape (plus size and
// object count), and whether the held-out targets are met. Then the honest measures: the same
// attributes on prompts written by hand independently of the caption generator (paraphrases,
// other word orders, omitted attributes), the object's IoU against the ideal render on both kinds
// of prompt, and the checker's chance baseline for shape (shapeless blobs of the asked colour and
// place: what "shape" reads when there is no shape).
//
//   npm run bench:image-quality                      (or: npx tsx bench/image-quality.ts --json)
//   options: --prompts N (per set, default 100)  --steps N  --model DIR (another model folder)
import { loadBuiltinImageModel } from '../packages/core/src/builtin/image/model.js';
import {
  SCORED_ATTRIBUTES,
  checkerShapeBaseline,
  independentPromptCases,
  promptFollowingCases,
  scoreIoU,
  scorePromptFollowing,
} from '../packages/core/test/helpers/image-prompt-following.js';
import { closeOnnxSessions } from '../packages/core/src/runtime/onnx-session.js';

const TARGETS = { background: 0.95, colour: 0.9, position: 0.9, shape: 0.6 } as const;

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
}

const prompts = Number(flag('prompts') ?? 100);
const steps = flag('steps') === undefined ? undefined : Number(flag('steps'));
const json = process.argv.includes('--json');
const model = await loadBuiltinImageModel(flag('model'));
const started = performance.now();
const heldOut = await scorePromptFollowing(model, promptFollowingCases('held-out', prompts), steps);
const trained = await scorePromptFollowing(model, promptFollowingCases('train', prompts), steps);
const msPerImage = (performance.now() - started) / (2 * prompts);
const independent = independentPromptCases();
const handWritten = await scorePromptFollowing(model, independent, steps);
const iou = { handWritten: await scoreIoU(model, independent), generator: await scoreIoU(model, promptFollowingCases('train', prompts)) };
const baseline = checkerShapeBaseline(300);
const pass = Object.fromEntries(Object.entries(TARGETS).map(([k, t]) => [k, heldOut.accuracy[k as keyof typeof TARGETS] >= t]));
await closeOnnxSessions();

if (json) {
  process.stdout.write(`${JSON.stringify({ model: model.id, prompts, steps: steps ?? model.defaultSteps, msPerImage, heldOut: heldOut.accuracy, train: trained.accuracy, handWritten: handWritten.accuracy, iou: { handWritten: { mean: iou.handWritten.mean, atLeast08: iou.handWritten.atLeast08 }, generator: { mean: iou.generator.mean, atLeast08: iou.generator.atLeast08 } }, checkerShapeBaseline: baseline, targets: TARGETS, pass })}\n`);
} else {
  const pct = (v: number): string => `${(100 * v).toFixed(0).padStart(4)} %`;
  console.log(`${model.id}: ${prompts} held-out + ${prompts} training-combination prompts, ${steps ?? model.defaultSteps} steps, ${msPerImage.toFixed(1)} ms per image`);
  console.log(`${'attribute'.padEnd(12)} held-out  training  hand-written (${independent.length})  target (held-out)`);
  for (const k of SCORED_ATTRIBUTES) {
    const target = TARGETS[k as keyof typeof TARGETS];
    const verdict = target === undefined ? '' : `≥ ${pct(target).trim()} ${pass[k] === true ? 'met' : 'MISSED'}`;
    console.log(`${k.padEnd(12)} ${pct(heldOut.accuracy[k])}    ${pct(trained.accuracy[k])}    ${pct(handWritten.accuracy[k])}            ${verdict}`);
  }
  console.log(`object IoU against the ideal render: hand-written prompts mean ${iou.handWritten.mean.toFixed(3)} (${pct(iou.handWritten.atLeast08).trim()} ≥ 0.8), generator prompts mean ${iou.generator.mean.toFixed(3)} (${pct(iou.generator.atLeast08).trim()} ≥ 0.8)`);
  console.log(`checker chance baseline for shape (300 shapeless blobs): ${pct(baseline.accuracy).trim()} right; read as ${JSON.stringify(baseline.named)}`);
  const misses = heldOut.results.filter((r) => r.read.shape !== r.case.scene.shape).slice(0, 5);
  for (const m of misses) console.log(`  shape miss: "${m.case.prompt}" → ${m.read.shape ?? 'nothing'}`);
}
if (Object.values(pass).includes(false)) process.exitCode = 1;
