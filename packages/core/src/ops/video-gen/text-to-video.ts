// video-gen's text-to-video generator on the built-in video model (builtin/), and the frame
// resampling that fits its fixed-length clip to the requested frame count.
import { builtinVideoModelDir, loadBuiltinVideoModel } from '../../builtin/index.js';
import type { RawRgbImage } from '../../media/index.js';
import { FramewrightError } from '../../protocol/errors.js';
import type { VideoGenerationRequest, VideoGenerator } from './generator.js';

/**
 * Frame `i` of `n` taken from a clip of `clip.length` frames: nearest in time (first to first,
 * last to last). Nearest rather than blended, so every output frame is a clean picture of the
 * object — a cross-fade of a moving object would show two ghosts.
 */
export function resampleFrames<T>(clip: readonly T[], n: number): T[] {
  if (!Number.isInteger(n) || n < 1) throw new FramewrightError('INVALID_PARAMS', `frames must be a positive integer, got ${n}`);
  if (clip.length === 0) throw new FramewrightError('INTERNAL', 'cannot resample an empty clip');
  return Array.from({ length: n }, (_, i) => clip[n === 1 ? 0 : Math.round((i * (clip.length - 1)) / (n - 1))]!);
}

/**
 * video-gen's text-to-video model backed by the built-in clip model (loaded on first use). It
 * draws one 8-frame clip and stretches it to the requested count with {@link resampleFrames}:
 * the object crosses the frame once, whatever the number of frames.
 * @param dir - model folder; default {@link builtinVideoModelDir}
 */
export function builtinTextToVideo(dir?: string): VideoGenerator {
  return {
    name: 'framewright-motion-32',
    async generate(request: VideoGenerationRequest): Promise<RawRgbImage[]> {
      const model = await loadBuiltinVideoModel(dir);
      const { frames } = await model.generate({ prompt: request.prompt, seed: request.seed }, request.onStep, request.signal);
      return resampleFrames(frames, request.frames);
    },
  };
}

/**
 * {@link builtinTextToVideo} when the shipped model's files are present, else undefined (video-gen
 * then reports text-to-video unavailable instead of failing at run time).
 */
export function shippedTextToVideo(): VideoGenerator | undefined {
  try {
    return builtinTextToVideo(builtinVideoModelDir());
  } catch {
    return undefined;
  }
}
