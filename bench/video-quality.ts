// Prompt following of the built-in text-to-video model: 50 prompts of attribute combinations
// never seen in training (purple squares, orange circles, and held-out colour × direction pairs)
// and 50 of trained combinations, each generated once (the model's native 8 frames of 32×32,
// before video-gen retimes them by optical flow) and read back from its pixels by the analytic
// clip checker. Three sets of figures, labelled:
//   model       the model's own: no sampling aid (what the network predicts, sampled)
//   with aids   the same prompts and seeds with the colour-pinning sampling aid (pinColours):
//               colour and background are then the prompt's by construction
//   chance      the checker's chance level: 4 clean clips drawn at random per prompt, ignoring it
// Each gives the share of clips with the asked object colour, direction of motion (object
// centre, first → last frame), background and shape, and the mean frame-to-frame flicker. The
// held-out targets are checked on the model's own figures.
//
//   npm run bench:video-quality                      (or: npx tsx bench/video-quality.ts --json)
//   options: --prompts N (per set, default 50)  --steps N  --guidance W  --model DIR (another model folder)
import { builtinVideoModelDir, loadBuiltinVideoModel, readBuiltinVideoModelInfo } from '../packages/core/src/builtin/video/model.js';
import { type ClipPromptScore, clipPromptCases, scoreChanceClips, scoreClipPromptFollowing } from '../packages/core/test/helpers/video-prompt-following.js';
import { closeOnnxSessions } from '../packages/core/src/runtime/onnx-session.js';

const TARGETS = { colour: 0.85, direction: 0.7 } as const;
const FIGURES = ['colour', 'direction', 'background', 'shape'] as const;

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
const cases = { heldOut: clipPromptCases('held-out', prompts), train: clipPromptCases('train', prompts) };
const started = performance.now();
const own = { heldOut: await scoreClipPromptFollowing(model, cases.heldOut, { steps, guidance }), train: await scoreClipPromptFollowing(model, cases.train, { steps, guidance }) };
const secondsPerClip = (performance.now() - started) / 1000 / (2 * prompts);
const aided = { heldOut: await scoreClipPromptFollowing(model, cases.heldOut, { steps, guidance, pinColours: true }), train: await scoreClipPromptFollowing(model, cases.train, { steps, guidance, pinColours: true }) };
const chance = { heldOut: scoreChanceClips(cases.heldOut), train: scoreChanceClips(cases.train) };
await closeOnnxSessions();
const pass = { colour: own.heldOut.colour >= TARGETS.colour, direction: own.heldOut.direction >= TARGETS.direction };
const figures = (s: ClipPromptScore) => ({ colour: s.colour, direction: s.direction, background: s.background, shape: s.shape, flicker: s.flicker });
const pair = (p: { heldOut: ClipPromptScore; train: ClipPromptScore }) => ({ heldOut: figures(p.heldOut), train: figures(p.train) });
const training = info.training as { steps?: number; trainingSeconds?: number };

if (json) {
  process.stdout.write(`${JSON.stringify({ model: model.id, nativeFrames: info.frames, prompts, steps: steps ?? model.defaultSteps, guidance: guidance ?? model.defaultGuidance, secondsPerClip, own: pair(own), withAids: { aids: ['pinColours'], ...pair(aided) }, chance: pair(chance), targets: TARGETS, pass, training })}\n`);
} else {
  const pct = (v: number): string => `${(100 * v).toFixed(0).padStart(4)} %`;
  console.log(`${model.id}: ${prompts} held-out + ${prompts} training-combination prompts, ${steps ?? model.defaultSteps} steps, guidance ${guidance ?? model.defaultGuidance}, ${secondsPerClip.toFixed(2)} s per clip of ${info.frames} native frames`);
  console.log(`trained ${training.steps ?? '?'} steps in ${training.trainingSeconds === undefined ? '?' : `${(training.trainingSeconds / 60).toFixed(1)} min`}`);
  console.log(`${''.padEnd(12)} model's own (no aids)   with aids (pinColours)   chance (checker)     target`);
  console.log(`${'figure'.padEnd(12)} held-out  training      held-out  training      held-out  training   (model, held-out)`);
  for (const k of FIGURES) {
    const target = TARGETS[k as keyof typeof TARGETS];
    const verdict = target === undefined ? '' : `≥ ${pct(target).trim()} ${pass[k as keyof typeof pass] ? 'met' : 'MISSED'}`;
    console.log(`${k.padEnd(12)} ${pct(own.heldOut[k])}    ${pct(own.train[k])}        ${pct(aided.heldOut[k])}    ${pct(aided.train[k])}        ${pct(chance.heldOut[k])}    ${pct(chance.train[k])}     ${verdict}`);
  }
  const flick = (v: number): string => `${(100 * v).toFixed(2).padStart(5)} %`;
  console.log(`${'flicker'.padEnd(12)} ${flick(own.heldOut.flicker)}   ${flick(own.train.flicker)}       ${flick(aided.heldOut.flicker)}   ${flick(aided.train.flicker)}       (share of background pixels changing per frame)`);
  console.log('with aids: the colours the prompt names are pinned in the palette, so colour and background there are the prompt\'s by construction');
}
