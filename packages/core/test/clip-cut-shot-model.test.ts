// clip-cut's `model` detector with a tiny random-weight replica of TransNetV2's interface (built by
// the test, see helpers/shot-model-replica.ts): the windowing, padding and frame alignment of the
// runner against a direct computation, the detector alone and combined in clip-cut, and the
// refusal of packs that do not have the interface.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resizeRgb } from '../src/image/index.js';
import { main } from '../src/cli/main.js';
import { verifyModelPack, writeShotDetectionManifest } from '../src/models/index.js';
import { clipCutOperation } from '../src/ops/clip-cut/index.js';
import { MODEL_GRADUAL_FRAMES, modelCandidates, modelTransitions } from '../src/ops/clip-cut/shot-model-cuts.js';
import { openShotModel } from '../src/ops/clip-cut/shot-model.js';
import { Rng } from '../src/transformer/index.js';
import type { ClipCutParams } from '../src/protocol/index.js';
import { captureIo } from './helpers/captured-io.js';
import { makeLongGop, type LongGopVideo } from './helpers/long-gop-media.js';
import { buildShotModelReplica, replicaReference, writeShotModelPack, type Replica } from './helpers/shot-model-replica.js';

const root = mkdtempSync(join(tmpdir(), 'fw-shot-model-'));
const FRAME = 48 * 27 * 3;
let replica: Replica;
let pack: string;
let video: LongGopVideo;

// Shot lengths put cuts on the edges of the runner's windows: frame 49 is the last kept output
// of window 0, 99 of window 1, 150 the first of window 3; 237 frames is no multiple of 50.
const SHOTS = [
  { source: 'testsrc2', frames: 50 },
  { source: 'smptehdbars', frames: 50 },
  { source: 'mandelbrot=maxiter=100', frames: 51 },
  { source: 'rgbtestsrc', frames: 49 },
  { source: 'yuvtestsrc', frames: 37 },
];

beforeAll(async () => {
  replica = buildShotModelReplica();
  pack = writeShotModelPack(join(root, 'packs', 'tiny'), replica.bytes);
  video = await makeLongGop(join(root, 'shots.mp4'), SHOTS, { gop: 50, width: 160, height: 90 });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Shots of random texture (one per cut list entry), each frame with a little noise, at 48×27. */
function syntheticFrames(count: number, cuts: readonly number[], seed = 3): Uint8Array[] {
  const rng = new Rng(seed);
  const bases: Uint8Array[] = [];
  const frames: Uint8Array[] = [];
  for (let t = 0; t < count; t++) {
    const shot = cuts.filter((c) => c <= t).length;
    while (bases.length <= shot) bases.push(Uint8Array.from({ length: FRAME }, () => Math.floor(rng.float() * 256)));
    frames.push(bases[shot]!.map((v) => Math.min(255, Math.max(0, v + Math.floor(rng.float() * 7) - 3))));
  }
  return frames;
}

async function runOver(frames: readonly Uint8Array[], width = 48, height = 27, dir = pack) {
  const runner = (await openShotModel(dir)).runner();
  for (const f of frames) await runner.push(f, width, height);
  return { scores: await runner.finish(), runner };
}

function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

function run(params: ClipCutParams) {
  return clipCutOperation.run(params, { signal: new AbortController().signal, onProgress: () => {}, outputDir: mkdtempSync(join(root, 'out-')) });
}

async function failure(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  const error = (await promise.then(() => undefined, (e: unknown) => e)) as { code: string; message: string } | undefined;
  expect(error, 'expected a rejection').toBeDefined();
  expect(error!.message).not.toContain('\n');
  return error!;
}

describe('shot-detection runner (TransNetV2 windows)', () => {
  it('gives every frame the score a direct computation over the padded video gives, cuts on the last frame of the outgoing shot', async () => {
    const cuts = [50, 100, 151, 200];
    const frames = syntheticFrames(237, cuts);
    const { scores, runner } = await runOver(frames);
    const reference = replicaReference(frames, replica.weights);
    expect(maxDifference(scores.cut, reference.cut)).toBeLessThan(1e-5);
    expect(maxDifference(scores.transition!, reference.transition)).toBeLessThan(1e-5);
    // Windows start every 50 frames: ceil(237 / 50) of them.
    expect(runner.windows).toBe(5);
    const above = [...scores.cut].flatMap((p, i) => (p > 0.5 ? [i] : []));
    expect(above).toEqual(cuts.map((c) => c - 1));
    expect(modelCandidates(scores, 0.5, frames.length).map((c) => c.frame)).toEqual(cuts);
  });

  it('handles videos shorter than a window, of exact multiples of 50, and one frame past them', async () => {
    for (const n of [1, 2, 30, 50, 74, 75, 76, 100, 101, 149]) {
      const frames = syntheticFrames(n, n > 20 ? [Math.floor(n / 2)] : []);
      const { scores, runner } = await runOver(frames);
      const reference = replicaReference(frames, replica.weights);
      expect(maxDifference(scores.cut, reference.cut), `${n} frames`).toBeLessThan(1e-5);
      expect(maxDifference(scores.transition!, reference.transition), `${n} frames`).toBeLessThan(1e-5);
      expect(runner.windows, `${n} frames`).toBe(Math.ceil(n / 50));
    }
  });

  it('resizes frames of another size to 48x27', async () => {
    const small = syntheticFrames(120, [60]);
    // Frames twice the size, each pixel repeated 2x2: area resizing gives the small frames back.
    const big = small.map((f) => {
      const out = new Uint8Array(96 * 54 * 3);
      for (let y = 0; y < 54; y++) for (let x = 0; x < 96; x++) for (let c = 0; c < 3; c++) out[(y * 96 + x) * 3 + c] = f[((y >> 1) * 48 + (x >> 1)) * 3 + c]!;
      return out;
    });
    expect(resizeRgb({ width: 96, height: 54, rgb: big[0]! }, 48, 27).rgb).toEqual(small[0]);
    const { scores } = await runOver(big, 96, 54);
    expect(maxDifference(scores.cut, replicaReference(small, replica.weights).cut)).toBeLessThan(1e-5);
  });

  it('runs a uint8 export (the PyTorch interface) to the same scores', async () => {
    const uint8Pack = writeShotModelPack(join(root, 'packs', 'uint8'), buildShotModelReplica({ inputType: 'uint8' }).bytes, { id: 'tiny-uint8' });
    const frames = syntheticFrames(130, [40, 90]);
    const { scores } = await runOver(frames, 48, 27, uint8Pack);
    expect(maxDifference(scores.cut, replicaReference(frames, replica.weights).cut)).toBeLessThan(1e-5);
  });

  it('holds the same memory for any length: a ring of 100 frames and two input tensors', async () => {
    const frames = syntheticFrames(150, [75]);
    const short = await runOver(frames.slice(0, 150));
    const model = await openShotModel(pack);
    const runner = model.runner();
    const count = 6000;
    const before = process.memoryUsage().arrayBuffers;
    const started = performance.now();
    for (let t = 0; t < count; t++) await runner.push(frames[t % frames.length]!, 48, 27);
    const scores = await runner.finish();
    const seconds = (performance.now() - started) / 1000;
    const grown = process.memoryUsage().arrayBuffers - before;
    expect(scores.cut.length).toBe(count);
    expect(runner.heldBytes).toBe(short.runner.heldBytes);
    expect(runner.heldBytes).toBe(100 * FRAME + 2 * 100 * FRAME * 4);
    // The output is 2 floats a frame (48 KB here); everything else is reused.
    expect(grown).toBeLessThan(8 << 20);
    console.log(`shot-model runner, replica on CPU at 48x27: ${count} frames in ${seconds.toFixed(2)} s = ${(count / seconds).toFixed(0)} frames/s; array buffers grew ${(grown / 1024).toFixed(0)} KB`);
  });

  it('turns runs of frames above the threshold into one cut after the most likely frame', () => {
    const cut = Float32Array.from([0.1, 0.7, 0.9, 0.6, 0.1, 0.55, 0.2, 0.3, 0.95]);
    expect(modelCandidates({ cut }, 0.5, cut.length)).toEqual([
      { frame: 3, score: expect.closeTo(0.9 / 0.5, 6), detector: 'model' },
      { frame: 6, score: expect.closeTo(0.55 / 0.5, 6), detector: 'model' },
    ]);
    expect(modelCandidates({ cut }, 0.8, cut.length).map((c) => c.frame)).toEqual([3]);
  });

  it('turns long runs of the transition head above the threshold into dissolves, and the short runs around hard cuts into nothing', () => {
    const transition = new Float32Array(60);
    transition.fill(0.9, 10, 13); // 3 frames: the head marking a hard cut
    transition.fill(0.8, 20, 20 + MODEL_GRADUAL_FRAMES); // just long enough
    transition[22] = 0.95;
    transition.fill(0.7, 40, 58); // 18 frames
    const cut = new Float32Array(60);
    expect(modelTransitions({ cut }, 0.5, 60)).toEqual([]);
    expect(modelTransitions({ cut, transition }, 0.5, 60)).toEqual([
      { kind: 'dissolve', startFrame: 20, endFrame: 26, score: expect.closeTo(1.9, 6), detector: 'model' },
      { kind: 'dissolve', startFrame: 40, endFrame: 58, score: expect.closeTo(1.4, 6), detector: 'model' },
    ]);
    // A run that reaches the last frame has no incoming shot.
    transition.fill(0.7, 50, 60);
    expect(modelTransitions({ cut, transition }, 0.5, 60).map((t) => t.startFrame)).toEqual([20]);
  });

  it('finds a dissolve through the runner from the transition head, and keeps the hard cut a cut', async () => {
    // A replica whose transition head rises for the small steady change of a dissolve: texture A,
    // a 12-frame dissolve to B from frame 30, then a hard cut to C at frame 72.
    const sensitive = buildShotModelReplica({ transitionBias: 3 });
    const dir = writeShotModelPack(join(root, 'test-packs', 'sensitive'), sensitive.bytes);
    const [a, b, c] = syntheticFrames(3, [1, 2]);
    const mix = (x: Uint8Array, y: Uint8Array, w: number) => x.map((v, i) => Math.round(v * (1 - w) + y[i]! * w));
    const frames = Array.from({ length: 100 }, (_, t) => (t < 30 ? a! : t < 42 ? mix(a!, b!, (t - 29) / 13) : t < 72 ? b! : c!));
    const { scores } = await runOver(frames, 48, 27, dir);
    const transitions = modelTransitions(scores, 0.5, frames.length);
    expect(transitions).toHaveLength(1);
    const [dissolve] = transitions;
    console.log(`transition head: dissolve frames 30-42 found as ${dissolve!.startFrame}-${dissolve!.endFrame}; hard cut at 72: ${modelCandidates(scores, 0.5, frames.length).map((m) => m.frame).join(', ')}`);
    expect(Math.abs(dissolve!.startFrame - 30)).toBeLessThanOrEqual(3);
    expect(Math.abs(dissolve!.endFrame - 42)).toBeLessThanOrEqual(3);
    expect(modelCandidates(scores, 0.5, frames.length).map((m) => m.frame)).toContain(72);
  });
});

describe('clip-cut with a shot-detection pack', () => {
  it('finds the cuts of a generated video with the model detector alone, at the right frames', async () => {
    const result = await run({ input: video.path, detectors: ['model'], model: pack });
    expect(result.frameCount).toBe(237);
    expect(result.cuts.map((c) => c.frame)).toEqual(video.cuts);
    expect(result.cuts.every((c) => c.detectors.length === 1 && c.detectors[0] === 'model' && c.score > 1)).toBe(true);
  });

  it('combines with the content detector: the same cuts, each found by both, none twice', async () => {
    const result = await run({ input: video.path, detectors: ['content', 'model'], model: pack });
    expect(result.cuts.map((c) => c.frame)).toEqual(video.cuts);
    for (const cut of result.cuts) expect([...cut.detectors].sort()).toEqual(['content', 'model']);
  });

  it('uses the installed pack when none is named, and lists it among the available models', async () => {
    const previous = process.env['FRAMEWRIGHT_MODELS_DIR'];
    process.env['FRAMEWRIGHT_MODELS_DIR'] = join(root, 'packs');
    try {
      expect(await clipCutOperation.availability()).toMatchObject({ available: true, models: ['tiny-transnet', 'tiny-uint8'] });
      const result = await run({ input: video.path, detectors: ['model'] });
      expect(result.cuts.map((c) => c.frame)).toEqual(video.cuts);
    } finally {
      if (previous === undefined) delete process.env['FRAMEWRIGHT_MODELS_DIR'];
      else process.env['FRAMEWRIGHT_MODELS_DIR'] = previous;
    }
  });

  it('reads the tensor names and output kind a manifest gives', async () => {
    const named = buildShotModelReplica({ inputName: 'input', cutName: 'logits', transitionName: 'transitions' });
    const dir = writeShotModelPack(join(root, 'named'), named.bytes, { id: 'named', shotDetection: { interface: 'transnetv2', input: 'input', cutOutput: 'logits', transitionOutput: 'transitions' } });
    const result = await run({ input: video.path, detectors: ['model'], model: dir });
    expect(result.cuts.map((c) => c.frame)).toEqual(video.cuts);
    // Declared as probabilities, the logits are taken as they are: every frame with a logit over 0.5 counts.
    const asProbabilities = writeShotModelPack(join(root, 'probabilities'), replica.bytes, { id: 'probs', shotDetection: { interface: 'transnetv2', outputs: 'probabilities' } });
    const frames = syntheticFrames(100, [50]);
    const { scores } = await runOver(frames, 48, 27, asProbabilities);
    const logit = (p: number) => Math.log(p / (1 - p));
    expect(logit(replicaReference(frames, replica.weights).cut[49]!)).toBeCloseTo(scores.cut[49]!, 3);
  });
});

describe('packs without the interface are refused in one line', () => {
  const refused = async (name: string, bytes: Uint8Array, extra: Parameters<typeof writeShotModelPack>[2] = {}) => {
    const dir = writeShotModelPack(join(root, 'bad', name), bytes, { id: name, ...extra });
    return failure(run({ input: video.path, detectors: ['model'], model: dir }));
  };

  it('names a wrong input shape', async () => {
    expect(await refused('window-50', buildShotModelReplica({ windowFrames: 50 }).bytes)).toMatchObject({
      code: 'MODEL_INVALID',
      message: expect.stringMatching(/input frames float32 \[batch, 50, 27, 48, 3\] is not TransNetV2's; it takes float32 or uint8 \[batch, 100, 27, 48, 3\]/),
    });
    expect((await refused('width-64', buildShotModelReplica({ frameWidth: 64 }).bytes)).message).toMatch(/\[batch, 100, 27, 64, 3\] is not TransNetV2's/);
  });

  it('names wrong tensor names, listing the ones the model has', async () => {
    expect(await refused('names', buildShotModelReplica({ inputName: 'input' }).bytes)).toMatchObject({
      code: 'MODEL_INVALID',
      message: expect.stringMatching(/has no input named frames \(it has input float32 \[batch, 100, 27, 48, 3\]\); name it in the manifest's shotDetection\.input/),
    });
    expect((await refused('cut-name', buildShotModelReplica({ cutName: 'logits' }).bytes)).message).toMatch(/has no output named single_frame_pred \(it has logits, many_hot\)/);
    expect((await refused('transition-name', replica.bytes, { shotDetection: { interface: 'transnetv2', transitionOutput: 'all_frames_pred' } })).message).toMatch(
      /has no output named all_frames_pred \(it has single_frame_pred, many_hot\), which the manifest's shotDetection\.transitionOutput names/,
    );
  });

  it('reports a model that fails on a window as MODEL_INVALID, not as bad params', async () => {
    expect(await refused('fails-when-run', buildShotModelReplica({ failsWhenRun: true }).bytes)).toMatchObject({
      code: 'MODEL_INVALID',
      message: expect.stringMatching(/^shot-detection model fails-when-run failed on window 0: /),
    });
  });

  it('refuses a pack of another family, a changed model file, and a pack that is not there', async () => {
    expect(await refused('other-family', replica.bytes, { family: 'frame-interpolation' })).toMatchObject({ code: 'MODEL_INVALID', message: expect.stringContaining('is a frame-interpolation pack, not a shot-detection one') });
    const changed = writeShotModelPack(join(root, 'bad', 'changed'), replica.bytes, { id: 'changed' });
    writeFileSync(join(changed, 'model.onnx'), buildShotModelReplica({ seed: 99 }).bytes);
    expect(await failure(run({ input: video.path, detectors: ['model'], model: changed }))).toMatchObject({ code: 'MODEL_INVALID', message: expect.stringMatching(/does not match its SHA-256|has \d+ bytes, the manifest says/) });
    const env = process.env['FRAMEWRIGHT_MODELS_DIR'];
    process.env['FRAMEWRIGHT_MODELS_DIR'] = join(root, 'no-packs-here');
    try {
      expect(await failure(run({ input: video.path, detectors: ['model'], model: 'nope' }))).toMatchObject({ code: 'MODEL_NOT_FOUND', message: expect.stringContaining('unknown model "nope"; installed packs: none') });
      expect(await failure(run({ input: video.path, detectors: ['model'] }))).toMatchObject({ code: 'MODEL_NOT_FOUND', message: expect.stringContaining('needs a shot-detection model pack and none is installed') });
      // At submit already, before a job is queued.
      expect(await failure(clipCutOperation.check!({ input: video.path, detectors: ['content', 'model'], model: 'nope' }))).toMatchObject({ code: 'MODEL_NOT_FOUND' });
    } finally {
      if (env === undefined) delete process.env['FRAMEWRIGHT_MODELS_DIR'];
      else process.env['FRAMEWRIGHT_MODELS_DIR'] = env;
    }
  });

  it('models verify checks the interface of a shot-detection pack', async () => {
    expect((await verifyModelPack(pack)).ok).toBe(true);
    const dir = writeShotModelPack(join(root, 'bad', 'verify-50'), buildShotModelReplica({ windowFrames: 50 }).bytes, { id: 'verify-50' });
    const report = await verifyModelPack(dir);
    expect(report.ok).toBe(false);
    expect(report.files[0]).toMatchObject({ path: 'model.onnx', status: 'signature-mismatch', detail: expect.stringContaining("[batch, 50, 27, 48, 3] is not TransNetV2's") });
  });
});

describe('making a shot-detection pack from an export', () => {
  it('models init --family shot-detection writes a manifest with the names the export chose', async () => {
    // An export that kept none of TransNetV2's names, its outputs in TransNetV2's order.
    const dir = join(root, 'init', 'renamed');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'transnetv2.onnx'), buildShotModelReplica({ inputName: 'input_1', cutName: 'output_1', transitionName: 'output_2' }).bytes);
    const io = captureIo(root);
    expect(await main(['models', 'init', dir, '--id', 'transnetv2', '--licence', 'MIT', '--family', 'shot-detection'], io)).toBe(0);
    expect(io.out).toContain('framewright-model.json (1 files)');
    const manifest = JSON.parse(readFileSync(join(dir, 'framewright-model.json'), 'utf8'));
    expect(manifest).toMatchObject({ id: 'transnetv2', family: 'shot-detection', task: 'shot-detection', shotDetection: { interface: 'transnetv2', input: 'input_1', cutOutput: 'output_1', transitionOutput: 'output_2' } });
    expect(manifest.files[0]).toMatchObject({ path: 'transnetv2.onnx', role: 'model', inputs: [{ name: 'input_1', type: 'float32', shape: ['batch', 100, 27, 48, 3] }] });
    expect((await verifyModelPack(dir)).ok).toBe(true);
    const result = await run({ input: video.path, detectors: ['model'], model: dir });
    expect(result.cuts.map((c) => c.frame)).toEqual(video.cuts);
  });

  it('framewright clip-cut --detectors model --model FOLDER runs the pack', async () => {
    const io = captureIo(root);
    const out = mkdtempSync(join(root, 'cli-'));
    expect(await main(['clip-cut', video.path, '--detectors', 'content,model', '--model', './packs/tiny', '--threshold', 'model=0.6', '--out', out, '--json'], io)).toBe(0);
    const result = JSON.parse(io.out) as { cuts: Array<{ frame: number; detectors: string[] }> };
    expect(result.cuts.map((c) => c.frame)).toEqual(video.cuts);
    expect(result.cuts.every((c) => c.detectors.includes('model'))).toBe(true);
  });

  it('refuses a folder whose model lacks the interface, and writes nothing', async () => {
    const dir = join(root, 'init', 'wrong');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'model.onnx'), buildShotModelReplica({ windowFrames: 64 }).bytes);
    const error = await failure(writeShotDetectionManifest(dir, { id: 'wrong', licence: { name: 'MIT' } }));
    expect(error).toMatchObject({ code: 'MODEL_INVALID', message: expect.stringContaining("[batch, 64, 27, 48, 3] is not TransNetV2's") });
    expect(existsSync(join(dir, 'framewright-model.json'))).toBe(false);
    writeFileSync(join(dir, 'second.onnx'), replica.bytes);
    expect((await failure(writeShotDetectionManifest(dir, { id: 'wrong', licence: { name: 'MIT' } }))).message).toMatch(/must hold exactly one \.onnx file for a shot-detection pack; it holds model\.onnx, second\.onnx/);
  });
});
