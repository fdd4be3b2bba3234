// video-gen's text-to-video generator on the built-in video model (builtin/), and the retiming
// by optical flow that fits its fixed-length clip to the requested frame count.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { builtinVideoModelDir, loadBuiltinVideoModel } from '../../builtin/index.js';
import type { RawRgbImage } from '../../media/index.js';
import { FramewrightError } from '../../protocol/errors.js';
import { flowFrame, flowPair, type FlowPair } from './flow-interpolate.js';
import { type GeneratedVideo, TEXT_TO_VIDEO_UNAVAILABLE, type VideoGenerationRequest, type VideoGenerator } from './generator.js';

/**
 * A clip retimed to `n` frames: frame i sits at `i·(clip.length − 1)/(n − 1)` of the clip, and
 * between two of its frames it is made by optical flow, so every frame is its own picture of
 * the object on its way (no frame held for several, no cross-fade ghosts).
 */
export function retimeClip(clip: readonly RawRgbImage[], n: number): RawRgbImage[] {
  if (!Number.isInteger(n) || n < 1) throw new FramewrightError('INVALID_PARAMS', `frames must be a positive integer, got ${n}`);
  if (clip.length === 0) throw new FramewrightError('INTERNAL', 'cannot retime an empty clip');
  const pairs = new Map<number, FlowPair>();
  return Array.from({ length: n }, (_, i) => {
    const at = n === 1 ? 0 : (i * (clip.length - 1)) / (n - 1);
    const k = Math.min(clip.length - 2, Math.floor(at));
    const t = at - k;
    if (k < 0 || t < 1e-6) return clip[Math.round(at)]!;
    if (t > 1 - 1e-6) return clip[k + 1]!;
    const a = clip[k]!;
    const b = clip[k + 1]!;
    let pair = pairs.get(k);
    if (pair === undefined) pairs.set(k, (pair = flowPair(a, b)));
    return { width: a.width, height: a.height, rgb: flowFrame(a, b, pair, t) };
  });
}

/**
 * video-gen's text-to-video model backed by the built-in clip model (loaded on first use). It
 * draws one 8-frame clip (the model's native frame count) and retimes it to the requested count
 * with {@link retimeClip}: the frames between the model's are made by optical flow, and the
 * object crosses the frame once, whatever the number of frames. The model's warnings (prompt
 * words it does not know, parts it ignores) come back with the frames. It is available while
 * the model's files are there, checked each time it is asked.
 * @param dir - model folder; default {@link builtinVideoModelDir}
 */
export function builtinTextToVideo(dir?: string): VideoGenerator {
  return {
    name: 'framewright-motion-32',
    async availability() {
      if (dir === undefined) {
        try {
          builtinVideoModelDir();
        } catch {
          return { available: false, reason: TEXT_TO_VIDEO_UNAVAILABLE };
        }
        return { available: true };
      }
      return existsSync(join(dir, 'model.json'))
        ? { available: true }
        : { available: false, reason: `text-to-video needs the built-in video model, which is not in ${dir}` };
    },
    async generate(request: VideoGenerationRequest): Promise<GeneratedVideo> {
      const model = await loadBuiltinVideoModel(dir);
      const { frames, warnings } = await model.generate({ prompt: request.prompt, seed: request.seed }, request.onStep, request.signal);
      return { frames: retimeClip(frames, request.frames), warnings };
    },
  };
}
