// Prompt following of the built-in text-to-video model: 50 prompts of attribute combinations
// never seen in training (purple squares, orange circles, and held-out colour × direction pairs)
// and 50 of trained combinations, each generated once (8 frames, 32×32) and read back from its
// pixels by the analytic clip checker. Prints the share of clips with the asked object colour and
// direction of motion (object centre, first → last frame), background and shape, the mean
// frame-to-frame flicker, whether the held-out targets are met, and the model's training time.
//
//   npm run bench:video-quality                      (or: npx tsx bench/video-quality.ts --json)
//   options: --prompts N (per set, default 50)  --steps N  --guidance W  --model DIR (another model folder)
import { builtinVideoModelDir, loadBuiltinVideoModel, readBuiltinVideoModelInfo } from '../packages/core/src/builtin/video/model.js';
import { clipPromptCases, scoreClipPromptFollowing } from '../packages/core/test/helpers/video-prompt-following.js';
import { closeOnnxSessions } from '../packages/core/src/runtime/onnx-session.js';

const TARGETS = { colour: 0.85, direction: 0.7 } as const;

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
}

const prompts = Number(flag('prompts') ?? 50);
const steps = flag('steps') === undefined ? undefined : Number(flag('steps'));
const guidance = flag('guidance') === undefined ? undefined : Number(flag('guidance'));
const json = process.argv.includes('--json');
const folder = flag('model') ?? builtinVideoModelDir();
const info = await readBuiltinVideoModelInfo(folder);
const model = await loadBuiltinVideoModel(folder);
const started = performance.now();
const heldOut = await scoreClipPromptFollowing(model, clipPromptCases('held-out', prompts), { steps, guidance });
const trained = await scoreClipPromptFollowing(model, clipPromptCases('train', prompts), { steps, guidance });
const secondsPerClip = (performance.now() - started) / 1000 / (2 * prompts);
await closeOnnxSessions();
const pass = { colour: heldOut.colour >= TARGETS.colour, direction: heldOut.direction >= TARGETS.direction };
const figures = (s: typeof heldOut) => ({ colour: s.colour, direction: s.direction, background: s.background, shape: s.shape, flicker: s.flicker });
const training = info.training as { steps?: number; trainingSeconds?: number };

if (json) {
  process.stdout.write(`${JSON.stringify({ model: model.id, prompts, steps: steps ?? model.defaultSteps, guidance: guidance ?? model.defaultGuidance, secondsPerClip, heldOut: figures(heldOut), train: figures(trained), targets: TARGETS, pass, training })}\n`);
} else {
  const pct = (v: number): string => `${(100 * v).toFixed(0).padStart(4)} %`;
  console.log(`${model.id}: ${prompts} held-out + ${prompts} training-combination prompts, ${steps ?? model.defaultSteps} steps, guidance ${guidance ?? model.defaultGuidance}, ${secondsPerClip.toFixed(2)} s per 8-frame clip`);
  console.log(`trained ${training.steps ?? '?'} steps in ${training.trainingSeconds === undefined ? '?' : `${(training.trainingSeconds / 60).toFixed(1)} min`}`);
  console.log(`${'figure'.padEnd(12)} held-out  training  target (held-out)`);
  for (const k of ['colour', 'direction', 'background', 'shape'] as const) {
    const target = TARGETS[k as keyof typeof TARGETS];
    const verdict = target === undefined ? '' : `≥ ${pct(target).trim()} ${pass[k as keyof typeof pass] ? 'met' : 'MISSED'}`;
    console.log(`${k.padEnd(12)} ${pct(heldOut[k])}    ${pct(trained[k])}    ${verdict}`);
  }
  console.log(`${'flicker'.padEnd(12)} ${(100 * heldOut.flicker).toFixed(2).padStart(5)} %   ${(100 * trained.flicker).toFixed(2).padStart(5)} %   (share of background pixels changing per frame)`);
}
