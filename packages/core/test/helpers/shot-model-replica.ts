// A tiny random-weight replica of TransNetV2's ONNX interface (see src/models/shot-detection.ts):
// input `frames` [batch, 100, 27, 48, 3] float32 (0-255) or uint8, outputs `single_frame_pred` and
// `many_hot`, logits of [batch, 100, 1]. Its answer is known exactly: the cut logit of frame t rises
// with the mean absolute difference between frames t and t+1 (a time convolution with randomly
// perturbed weights, abs, mean), and the transition logit is a random 5-tap smoothing of that. It
// looks only at neighbouring frames, so what it says about a frame does not depend on where the
// frame sits in its window: a runner that windows, pads or aligns wrongly gives other numbers
// than {@link replicaReference}, and a cut at frame N comes out at N-1 (the outgoing shot's last
// frame), not N±25.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MODEL_MANIFEST_NAME, SHOT_MODEL_FRAME, type ShotDetectionSettings } from '../../src/models/index.js';
import { encodeOnnxModel, OnnxGraphBuilder } from '../../src/onnx/index.js';
import { Rng } from '../../src/transformer/index.js';

/** ONNX TensorProto.DataType of uint8 (the graph builder writes only the types the exporter needs). */
const ONNX_UINT8 = 2;

/** The replica's weights, for {@link replicaReference}. */
export interface ReplicaWeights {
  /** Time-convolution weights per channel: [c][0] for frame t, [c][1] for frame t+1. */
  readonly diff: ReadonlyArray<readonly [number, number]>;
  /** The cut logit is `cutScale · (m − cutBias)`, m the mean |convolution|. */
  readonly cutScale: number;
  readonly cutBias: number;
  /** Transition logit: `transitionScale · (Σ taps[k]·m[t−2+k] − transitionBias)`. */
  readonly taps: readonly number[];
  readonly transitionScale: number;
  readonly transitionBias: number;
}

/** How to build a replica, and how to get it wrong for the refusal tests. */
export interface ReplicaOptions {
  readonly seed?: number;
  /** Input element type (float32: the TensorFlow export; uint8: the PyTorch export). */
  readonly inputType?: 'float32' | 'uint8';
  readonly inputName?: string;
  readonly cutName?: string;
  readonly transitionName?: string;
  /** Frames per window the input declares (100 for the real interface). */
  readonly windowFrames?: number | string;
  /** Frame width the input declares (48 for the real interface). */
  readonly frameWidth?: number;
  /** The transition head's bias (default about 8: only the frames around a hard cut rise above 0.5). */
  readonly transitionBias?: number;
  /** Has the interface but fails when run on frames brighter than 9: it looks up the brightest value in a table of 10. */
  readonly failsWhenRun?: boolean;
}

/** The replica's bytes and weights. */
export interface Replica {
  readonly bytes: Uint8Array;
  readonly weights: ReplicaWeights;
}

/** Builds a replica model. */
export function buildShotModelReplica(options: ReplicaOptions = {}): Replica {
  const rng = new Rng(options.seed ?? 11);
  const small = (scale: number) => (rng.float() * 2 - 1) * scale;
  const weights: ReplicaWeights = {
    diff: [0, 1, 2].map(() => [-1 / 3 + small(0.01), 1 / 3 + small(0.01)] as const),
    cutScale: 0.5 + small(0.05),
    cutBias: 12 + small(1),
    taps: [0.1, 0.2, 0.4, 0.2, 0.1].map((t) => t + small(0.02)),
    transitionScale: 0.4 + small(0.05),
    transitionBias: options.transitionBias ?? 8 + small(1),
  };
  const { height, channels } = SHOT_MODEL_FRAME;
  const width = options.frameWidth ?? SHOT_MODEL_FRAME.width;
  const window = options.windowFrames ?? 100;
  const g = new OnnxGraphBuilder('transnetv2-replica');
  const inputName = options.inputName ?? 'frames';
  const input = g.input(inputName, 'float32', ['batch', window, height, width, channels]);
  const x = options.inputType === 'uint8' ? g.node('Cast', [input], { to: 1 }) : input;
  // [B, T, H, W, C] → [B, C, T, H, W]; a (2, 1, 1) convolution over time mixes frame t and t+1.
  const planar = g.node('Transpose', [x], { perm: [0, 4, 1, 2, 3] });
  const kernel = Float32Array.from(weights.diff.flatMap((w) => [w[0], w[1]]));
  const diff = g.node('Conv', [planar, g.initializer('diff.weight', kernel, [1, channels, 2, 1, 1])]);
  const m = g.node('ReduceMean', [g.node('Abs', [diff])], { axes: [1, 3, 4], keepdims: 0 }); // [B, T-1]
  const padded = g.node('Pad', [m, g.constInt64([0, 0, 0, 1])]); // [B, T]: the last frame has no next
  let cutLogit = g.node('Mul', [g.node('Sub', [padded, g.constFloat([weights.cutBias], [])]), g.constFloat([weights.cutScale], [])]);
  if (options.failsWhenRun === true) {
    const brightest = g.node('Cast', [g.node('ReduceMax', [x], { keepdims: 0 })], { to: 7 });
    cutLogit = g.node('Add', [cutLogit, g.node('Gather', [g.constFloat(new Array<number>(10).fill(0)), brightest])]);
  }
  g.output(g.node('Unsqueeze', [cutLogit, g.constInt64([2])]), options.cutName ?? 'single_frame_pred', ['batch', window, 1]);
  const smoothed = g.node('Conv', [g.node('Unsqueeze', [padded, g.constInt64([1])]), g.initializer('taps.weight', Float32Array.from(weights.taps), [1, 1, 5])], { pads: [2, 2] });
  const transitionLogit = g.node('Mul', [g.node('Sub', [smoothed, g.constFloat([weights.transitionBias], [])]), g.constFloat([weights.transitionScale], [])]);
  g.output(g.node('Transpose', [transitionLogit], { perm: [0, 2, 1] }), options.transitionName ?? 'many_hot', ['batch', window, 1]);
  const model = g.toModel({ docString: 'random-weight replica of the TransNetV2 interface (tests only)' });
  if (options.inputType === 'uint8') model.graph.input[0]!.type.tensorType.elemType = ONNX_UINT8;
  return { bytes: encodeOnnxModel(model), weights };
}

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

/**
 * What the replica says about each frame of a whole video (48×27 RGB frames), computed directly
 * over the sequence with TransNetV2's padding (copies of the first and last frame), without
 * windows.
 */
export function replicaReference(frames: readonly Uint8Array[], weights: ReplicaWeights): { cut: Float64Array; transition: Float64Array } {
  const n = frames.length;
  const difference = (a: Uint8Array, b: Uint8Array) => {
    let sum = 0;
    for (let p = 0; p < a.length; p += 3) {
      let v = 0;
      for (let c = 0; c < 3; c++) v += weights.diff[c]![0] * a[p + c]! + weights.diff[c]![1] * b[p + c]!;
      sum += Math.abs(v);
    }
    return sum / (a.length / 3);
  };
  // m(t) compares frame t with frame t+1; past either end the padding repeats the first or last
  // frame, which the perturbed weights do not map to exactly 0.
  const m = Float64Array.from({ length: n }, (_, t) => difference(frames[t]!, frames[Math.min(n - 1, t + 1)]!));
  const before = n === 0 ? 0 : difference(frames[0]!, frames[0]!);
  const after = n === 0 ? 0 : difference(frames[n - 1]!, frames[n - 1]!);
  const at = (t: number) => (t < 0 ? before : t >= n ? after : m[t]!);
  const cut = m.map((v) => sigmoid(weights.cutScale * (v - weights.cutBias)));
  const transition = m.map((_, t) => {
    let s = 0;
    for (let k = 0; k < 5; k++) s += weights.taps[k]! * at(t - 2 + k);
    return sigmoid(weights.transitionScale * (s - weights.transitionBias));
  });
  return { cut, transition };
}

/** Writes a shot-detection pack (model.onnx and its manifest) into `dir` and returns `dir`. */
export function writeShotModelPack(dir: string, bytes: Uint8Array, options: { id?: string; shotDetection?: ShotDetectionSettings; family?: string } = {}): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'model.onnx'), bytes);
  const manifest = {
    manifestVersion: 1,
    id: options.id ?? 'tiny-transnet',
    name: 'TransNetV2 interface replica (random weights)',
    family: options.family ?? 'shot-detection',
    task: options.family === undefined || options.family === 'shot-detection' ? 'shot-detection' : options.family,
    licence: { name: 'MIT' },
    files: [{ path: 'model.onnx', role: 'model', size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') }],
    ...(options.shotDetection === undefined ? {} : { shotDetection: options.shotDetection }),
  };
  writeFileSync(join(dir, MODEL_MANIFEST_NAME), JSON.stringify(manifest, null, 2));
  return dir;
}
