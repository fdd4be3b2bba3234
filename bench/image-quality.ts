// Prompt following of the built-in text-to-image model: 100 prompts of attribute combinations
// never seen in training (purple squares, orange circles) and 100 of trained combinations, each
// generated once and read back from its pixels by the analytic checker. Prints the share of
// pictures with the asked background colour, object colour, position and shape (plus size and
// object count), and whether the held-out targets are met.
//
//   npm run bench:image-quality                      (or: npx tsx bench/image-quality.ts --json)
//   options: --prompts N (per set, default 100)  --steps N  --model DIR (another model folder)
import { loadBuiltinImageModel } from '../packages/core/src/builtin/image/model.js';
import { SCORED_ATTRIBUTES, promptFollowingCases, scorePromptFollowing } from '../packages/core/test/helpers/image-prompt-following.js';
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
const pass = Object.fromEntries(Object.entries(TARGETS).map(([k, t]) => [k, heldOut.accuracy[k as keyof typeof TARGETS] >= t]));
await closeOnnxSessions();

if (json) {
  process.stdout.write(`${JSON.stringify({ model: model.id, prompts, steps: steps ?? model.defaultSteps, msPerImage, heldOut: heldOut.accuracy, train: trained.accuracy, targets: TARGETS, pass })}\n`);
} else {
  const pct = (v: number): string => `${(100 * v).toFixed(0).padStart(4)} %`;
  console.log(`${model.id}: ${prompts} held-out + ${prompts} training-combination prompts, ${steps ?? model.defaultSteps} steps, ${msPerImage.toFixed(1)} ms per image`);
  console.log(`${'attribute'.padEnd(12)} held-out  training  target (held-out)`);
  for (const k of SCORED_ATTRIBUTES) {
    const target = TARGETS[k as keyof typeof TARGETS];
    const verdict = target === undefined ? '' : `≥ ${pct(target).trim()} ${pass[k] === true ? 'met' : 'MISSED'}`;
    console.log(`${k.padEnd(12)} ${pct(heldOut.accuracy[k])}    ${pct(trained.accuracy[k])}    ${verdict}`);
  }
  const misses = heldOut.results.filter((r) => r.read.shape !== r.case.scene.shape).slice(0, 5);
  for (const m of misses) console.log(`  shape miss: "${m.case.prompt}" → ${m.read.shape ?? 'nothing'}`);
}
if (Object.values(pass).includes(false)) process.exitCode = 1;
