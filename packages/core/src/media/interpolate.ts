// Motion-compensated frame interpolation with ffmpeg's minterpolate, as a filter chain for
// encodeVideo: the keyframes are fed at 1 frame per second and minterpolate estimates block
// motion between neighbours to synthesise the frames in between.
import type { Rational } from './probe.js';

/** What {@link motionInterpolationFilter} returns: the chain and the rate to feed keyframes at. */
export interface MotionInterpolation {
  /** Filter chain for {@link EncodeVideoOptions.filter}. */
  readonly filter: string;
  /** Keyframes are fed at this rate. */
  readonly inputRate: Rational;
  /** Frames the chain yields: every keyframe plus the in-betweens. */
  readonly frames: number;
}

// minterpolate holds a few frames before it emits anything and gives nothing for a 2-frame
// input; two clones at each end feed it, and trim keeps exactly keyframe 0 … keyframe n-1.
const PAD = 2;

/**
 * The chain that turns `keyframeCount` keyframes into a sequence with `inBetween` motion-
 * compensated frames between each pair (overlapped-block motion compensation, bidirectional
 * search, variable-size blocks; no scene-change detection, so even unlike keyframes blend).
 *
 * @example
 * ```ts
 * const motion = motionInterpolationFilter(2, 3); // 5 frames: key, 3 in-betweens, key
 * await encodeVideo(keyframes(), { ...options, filter: motion.filter, inputRate: motion.inputRate, frames: motion.frames });
 * ```
 */
export function motionInterpolationFilter(keyframeCount: number, inBetween: number): MotionInterpolation {
  const perSecond = inBetween + 1;
  const frames = (keyframeCount - 1) * perSecond + 1;
  const first = PAD * perSecond;
  const filter = [
    `tpad=start=${PAD}:stop=${PAD}:start_mode=clone:stop_mode=clone`,
    `minterpolate=fps=${perSecond}:mi_mode=mci:mc_mode=aobmc:me_mode=bidir:vsbmc=1:scd=none`,
    `trim=start_frame=${first}:end_frame=${first + frames}`,
  ].join(',');
  return { filter, inputRate: { num: 1, den: 1 }, frames };
}
