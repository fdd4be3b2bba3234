// text-to-video from a text-to-image model: keyframes drawn by the model (the prompt, or one
// prompt per keyframe; keyframe i with seed + i, so the picture travels between seeds), spread
// evenly over the video like interpolate's, the frames between them by optical flow, and an
// optional camera move over the whole video.
import type { RgbImage } from '../../image/index.js';
import { cancelled, FramewrightError, type CameraMotion } from '../../protocol/index.js';
import { cropWindowAt, interpolatedFrames, keyframePositions, renderCrop } from './frames.js';
import { flowFrame, flowPair, type FlowPair } from './flow-interpolate.js';

/** A text-to-image model that draws text-to-video's keyframes (image-gen's generator behind a seam). */
export interface KeyframePainter {
  /** The model id, for the result's notes. */
  readonly id: string;
  /** Draws one picture of `width × height` (multiples of 8). */
  paint(prompt: string, seed: number, width: number, height: number, signal: AbortSignal): Promise<{ image: RgbImage; warnings: readonly string[] }>;
}

/** Opens the text-to-image model `model` (a pack id) as a {@link KeyframePainter}. */
export type KeyframePainterLoader = (model: string) => Promise<KeyframePainter>;

/** What {@link planKeyframeVideo} is asked for. */
export interface KeyframeVideoRequest {
  readonly prompt: string | undefined;
  readonly prompts: readonly string[] | undefined;
  readonly frames: number;
  readonly width: number;
  readonly height: number;
  readonly seed: number;
  readonly motion: CameraMotion | undefined;
  readonly signal: AbortSignal;
  readonly onKeyframe: (done: number, total: number) => void;
}

/** Frames of video per keyframe when no prompt list says how many keyframes. */
export const FRAMES_PER_KEYFRAME = 16;

/** The keyframes: one per prompt in `prompts`, else one per {@link FRAMES_PER_KEYFRAME} frames (at least 2, at most one per frame). */
export function keyframeCount(frames: number, prompts: readonly string[] | undefined): number {
  if (prompts !== undefined) return prompts.length;
  return Math.min(frames, Math.max(2, Math.ceil((frames - 1) / FRAMES_PER_KEYFRAME) + 1));
}

/** Draws the keyframes and returns the video's frames (RGB, `width × height`) and its notes. */
export async function planKeyframeVideo(painter: KeyframePainter, request: KeyframeVideoRequest): Promise<{ source: AsyncIterable<Uint8Array>; warnings: string[] }> {
  const { frames, width, height, seed, signal } = request;
  const count = keyframeCount(frames, request.prompts);
  if (count > frames) {
    throw new FramewrightError('INVALID_PARAMS', `${count} prompts need at least ${count} frames (one keyframe each), got ${frames}`, { pointer: '/frames' });
  }
  const positions = count === 1 ? [0] : keyframePositions(count, frames);
  const keyframes: RgbImage[] = [];
  const notes = new Set<string>();
  for (let i = 0; i < count; i++) {
    if (signal.aborted) throw cancelled('video-gen');
    const prompt = request.prompts?.[i] ?? request.prompt!;
    const { image, warnings } = await painter.paint(prompt, seed + i, width, height, signal);
    if (image.width !== width || image.height !== height) {
      throw new FramewrightError('INTERNAL', `${painter.id} drew a ${image.width}x${image.height} keyframe, ${width}x${height} was asked for`);
    }
    for (const w of warnings) notes.add(`keyframe ${i + 1}: ${w}`);
    keyframes.push(image);
    request.onKeyframe(i + 1, count);
  }
  const warnings = [`keyframes drawn by ${painter.id} at frames ${positions.join(', ')} (seeds ${seed}–${seed + count - 1}), the frames between by optical flow`, ...notes];
  let last: { a: RgbImage; b: RgbImage; pair: FlowPair } | undefined;
  const between = (a: RgbImage, b: RgbImage, t: number): Uint8Array => {
    if (last === undefined || last.a !== a || last.b !== b) last = { a, b, pair: flowPair(a, b) };
    return flowFrame(a, b, last.pair, t);
  };
  const motion = request.motion;
  async function* feed(): AsyncGenerator<Uint8Array> {
    const inner = count === 1 ? single(keyframes[0]!, frames) : interpolatedFrames(keyframes, positions, between);
    let i = 0;
    for await (const rgb of inner) {
      if (signal.aborted) throw cancelled('video-gen');
      yield motion === undefined ? rgb : renderCrop({ width, height, rgb }, cropWindowAt(motion, i, frames, width, height, width / height), width, height);
      i++;
    }
  }
  return { source: feed(), warnings };
}

async function* single(image: RgbImage, frames: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < frames; i++) yield image.rgb.slice();
}
