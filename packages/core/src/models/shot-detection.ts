// The `shot-detection` model family: learned shot-boundary detectors that clip-cut runs as its
// `model` detector. Its first (and so far only) member has TransNetV2's public interface.
//
// NOTES — TransNetV2's interface, as its own inference code defines it (soCzech/TransNetV2, MIT;
// inference/transnetv2.py, inference-pytorch/transnetv2_pytorch.py, training/input_processing.py):
// - Input: a window of 100 consecutive frames, each resized to 48 wide × 27 high (the whole
//   picture, aspect ratio not kept), RGB (not BGR), laid out [batch, 100, 27, 48, 3]. predict_raw
//   casts the uint8 frames to float32 without scaling, so the TensorFlow model takes 0-255 floats;
//   the PyTorch port takes the uint8 tensor itself and divides by 255 inside.
// - Outputs: two heads of logits, [batch, 100, 1] each; the caller applies the sigmoid. The first
//   (`single_frame_pred` after the sigmoid) is the per-frame cut probability: one frame per
//   transition, trained on a one-hot target at the transition boundary, which for a hard cut is the
//   LAST frame of the outgoing shot (hard_cut = frame index <= boundary), so a peak at frame t
//   means the new shot starts at t + 1. The second (the `many_hot` entry of the model's output
//   dictionary, `all_frames_pred` after the sigmoid) marks every frame of a gradual transition.
// - Windowing (predict_frames): the video is padded with 25 copies of its first frame in front and
//   25 + (50 - n mod 50, or 0 when n is a multiple of 50) copies of its last frame behind; windows
//   of 100 start every 50 frames, and only the middle 50 outputs of each (indices 25-74) are kept,
//   so every frame is predicted with at least 25 frames of context on each side.
// - Scenes (predictions_to_scenes): frames with probability above 0.5 are transition frames.
// There is no official ONNX export; exporters name the tensors as they like (tf2onnx from the
// saved model takes the signature's names unless --rename-inputs/--rename-outputs are given,
// torch.onnx.export takes input_names/output_names), and some apply the sigmoid inside. So a pack's
// manifest may name its tensors and say whether its outputs are logits (`shotDetection`); the
// defaults are the names TransNetV2's own code uses. docs/models.md says how to export and pack.
import { Type, type Static } from '@sinclair/typebox';
import { FramewrightError } from '../protocol/errors.js';
import type { OnnxValueSpec } from '../runtime/onnx-session.js';

/** TransNetV2's window: frames per model call, frames advanced between calls, context kept on each side. */
export const SHOT_MODEL_WINDOW = Object.freeze({ frames: 100, step: 50, context: 25 });
/** TransNetV2's frame size: 48 × 27 RGB. */
export const SHOT_MODEL_FRAME = Object.freeze({ width: 48, height: 27, channels: 3 });

/** Tensor names TransNetV2's own code uses; a pack's manifest may name others. */
export const SHOT_MODEL_DEFAULT_NAMES = Object.freeze({ input: 'frames', cutOutput: 'single_frame_pred', transitionOutput: 'many_hot' });

/** `shotDetection` in a pack's manifest: how its ONNX export names and scales things. */
export const ShotDetectionSettingsSchema = Type.Object(
  {
    interface: Type.Literal('transnetv2', { description: "The model's interface: TransNetV2's (100 frames of 48x27 RGB in, per-frame cut and transition scores out)" }),
    input: Type.Optional(Type.String({ minLength: 1, description: 'Name of the [batch, 100, 27, 48, 3] frames input (default frames)' })),
    cutOutput: Type.Optional(Type.String({ minLength: 1, description: 'Name of the per-frame cut output, [batch, 100, 1] or [batch, 100] (default single_frame_pred)' })),
    transitionOutput: Type.Optional(Type.String({ minLength: 1, description: 'Name of the per-frame transition (many-hot) output; when left out, many_hot is used if the model has it' })),
    outputs: Type.Optional(Type.Union([Type.Literal('logits'), Type.Literal('probabilities')], { description: 'logits (default: the sigmoid is applied here, as TransNetV2 does) or probabilities (the export applies it)' })),
    inputRange: Type.Optional(Type.Union([Type.Literal('0-255'), Type.Literal('0-1')], { description: "Pixel values a float32 input expects: 0-255 (default, TransNetV2's) or 0-1" })),
  },
  { additionalProperties: false, description: 'shot-detection packs: the interface of the model file and the names of its tensors' },
);
/** `shotDetection` in a pack's manifest. */
export type ShotDetectionSettings = Static<typeof ShotDetectionSettingsSchema>;

/** How to feed and read one shot-detection model, found by {@link shotModelIo}. */
export interface ShotModelIo {
  /** Input name. */
  readonly input: string;
  /** Element type of the input: float32 (TensorFlow export) or uint8 (PyTorch export). */
  readonly inputType: 'float32' | 'uint8';
  /** Multiplier from 0-255 bytes to the float input (1 or 1/255). */
  readonly inputScale: number;
  /** Cut output name. */
  readonly cutOutput: string;
  /** Transition output name, when the model has one. */
  readonly transitionOutput?: string;
  /** Outputs are logits (apply the sigmoid). */
  readonly logits: boolean;
}

const shapeText = (v: OnnxValueSpec) => `${v.name} ${v.type} [${v.dims.map((d) => (d === '' ? '?' : d)).join(', ')}]`;
const fits = (dim: number | string | undefined, size: number) => typeof dim === 'string' || dim === size;

function checkOutput(what: string, output: OnnxValueSpec): void {
  const [batch, frames, last] = output.dims;
  const rankOk = output.dims.length === 2 || (output.dims.length === 3 && fits(last, 1));
  if (output.type !== 'float32' || !rankOk || !fits(batch, 1) || !fits(frames, SHOT_MODEL_WINDOW.frames)) {
    throw new FramewrightError('MODEL_INVALID', `${what}: output ${shapeText(output)} is not a per-frame score; a TransNetV2-style model outputs float32 [batch, 100, 1]`);
  }
}

/**
 * Checks that a model has TransNetV2's interface under the names `settings` gives (or the
 * defaults), and says how to feed it.
 * @param model - the inputs and outputs ONNX Runtime reports (an OnnxSession)
 * @param what - names the model in errors (its path)
 * @throws FramewrightError `MODEL_INVALID` naming the tensor that is wrong: a missing name (listing
 *   the model's), an extra input, a wrong element type or shape
 */
export function shotModelIo(model: { readonly inputs: readonly OnnxValueSpec[]; readonly outputs: readonly OnnxValueSpec[] }, settings: ShotDetectionSettings | undefined, what: string): ShotModelIo {
  const names = { ...SHOT_MODEL_DEFAULT_NAMES, ...settings };
  const input = model.inputs.find((i) => i.name === names.input);
  if (input === undefined) {
    throw new FramewrightError('MODEL_INVALID', `${what} has no input named ${names.input} (it has ${model.inputs.map(shapeText).join(', ') || 'none'}); name it in the manifest's shotDetection.input`);
  }
  if (model.inputs.length > 1) {
    throw new FramewrightError('MODEL_INVALID', `${what} has inputs ${model.inputs.map((i) => i.name).join(', ')}; a TransNetV2-style model takes only the frames`);
  }
  const [batch, frames, height, width, channels] = input.dims;
  const { width: w, height: h, channels: c } = SHOT_MODEL_FRAME;
  const typeOk = input.type === 'float32' || input.type === 'uint8';
  if (!typeOk || input.dims.length !== 5 || !fits(batch, 1) || !fits(frames, SHOT_MODEL_WINDOW.frames) || !fits(height, h) || !fits(width, w) || !fits(channels, c)) {
    throw new FramewrightError('MODEL_INVALID', `${what}: input ${shapeText(input)} is not TransNetV2's; it takes float32 or uint8 [batch, 100, 27, 48, 3] (100 frames of 48x27 RGB)`);
  }
  const cut = model.outputs.find((o) => o.name === names.cutOutput);
  const outputList = model.outputs.map((o) => o.name).join(', ');
  if (cut === undefined) {
    throw new FramewrightError('MODEL_INVALID', `${what} has no output named ${names.cutOutput} (it has ${outputList}); name the cut output in the manifest's shotDetection.cutOutput`);
  }
  checkOutput(what, cut);
  // A transition output named in the manifest must be there; the default name is used when present.
  const transition = model.outputs.find((o) => o.name === names.transitionOutput);
  if (transition === undefined && settings?.transitionOutput !== undefined) {
    throw new FramewrightError('MODEL_INVALID', `${what} has no output named ${settings.transitionOutput} (it has ${outputList}), which the manifest's shotDetection.transitionOutput names`);
  }
  if (transition !== undefined) checkOutput(what, transition);
  const floatInput = input.type === 'float32';
  return {
    input: input.name,
    inputType: floatInput ? 'float32' : 'uint8',
    inputScale: floatInput && settings?.inputRange === '0-1' ? 1 / 255 : 1,
    cutOutput: cut.name,
    ...(transition === undefined ? {} : { transitionOutput: transition.name }),
    logits: (settings?.outputs ?? 'logits') === 'logits',
  };
}
