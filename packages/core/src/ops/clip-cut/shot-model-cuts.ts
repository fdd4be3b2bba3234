// Cut candidates from a shot-detection model's per-frame cut probabilities, read the way
// TransNetV2's predictions_to_scenes reads them: frames above the threshold are transition frames,
// and a run of them is one transition. Where the model also has a transition head (TransNetV2's
// `many_hot`), a long run of frames above the threshold there is a gradual transition.
import type { TransitionCandidate } from './detect.js';
import type { ShotModelScores } from './shot-model.js';

/** A cut the model proposes, in the shape detect.ts merges with the other detectors' candidates. */
export interface ModelCandidate {
  /** First frame of the new clip. */
  readonly frame: number;
  /** Peak probability over the threshold (1 = at the threshold). */
  readonly score: number;
  readonly detector: 'model';
}

/**
 * One candidate per run of frames whose cut probability is above `threshold`: the new clip starts
 * after the run's most likely frame (the model marks the last frame of the outgoing shot), which
 * for a dissolve is its middle. A peak on the last frame is no cut (nothing follows it).
 */
export function modelCandidates(scores: ShotModelScores, threshold: number, frameCount: number): ModelCandidate[] {
  const out: ModelCandidate[] = [];
  for (const run of runsAbove(scores.cut, threshold)) {
    const frame = run.peak + 1;
    if (frame > 0 && frame < frameCount) out.push({ frame, score: scores.cut[run.peak]! / threshold, detector: 'model' });
  }
  return out;
}

/**
 * Runs of frames a transition head marks this long or longer are gradual transitions; shorter
 * ones are the frames either side of a hard cut, which the head marks too.
 */
export const MODEL_GRADUAL_FRAMES = 6;

/**
 * One gradual transition per run of at least {@link MODEL_GRADUAL_FRAMES} frames whose transition
 * probability is above `threshold` (none when the model has no transition head). The run's frames
 * are the transition's; its cut goes in the middle, as for the built-in dissolve detector. The
 * model does not say whether a transition is a dissolve or a fade, so it is a `dissolve`: with the
 * `fade` detector on, fades are found and named by it, and win where they overlap.
 */
export function modelTransitions(scores: ShotModelScores, threshold: number, frameCount: number): TransitionCandidate[] {
  if (scores.transition === undefined) return [];
  const out: TransitionCandidate[] = [];
  for (const run of runsAbove(scores.transition, threshold)) {
    const startFrame = Math.max(1, run.start);
    const endFrame = Math.min(frameCount, run.end + 1);
    if (endFrame - startFrame < MODEL_GRADUAL_FRAMES || endFrame >= frameCount) continue;
    out.push({ kind: 'dissolve', startFrame, endFrame, score: scores.transition[run.peak]! / threshold, detector: 'model' });
  }
  return out;
}

/** The runs of `values` above `threshold`: first and last index (inclusive) and where each peaks. */
function* runsAbove(values: Float32Array, threshold: number): Generator<{ start: number; end: number; peak: number }> {
  let i = 0;
  while (i < values.length) {
    if (!(values[i]! > threshold)) {
      i++;
      continue;
    }
    let peak = i;
    let end = i;
    while (end + 1 < values.length && values[end + 1]! > threshold) {
      end++;
      if (values[end]! > values[peak]!) peak = end;
    }
    yield { start: i, end, peak };
    i = end + 1;
  }
}
