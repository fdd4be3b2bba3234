// Cut candidates from a shot-detection model's per-frame cut probabilities, read the way
// TransNetV2's predictions_to_scenes reads them: frames above the threshold are transition frames,
// and a run of them is one transition.
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
  const { cut } = scores;
  const out: ModelCandidate[] = [];
  let i = 0;
  while (i < cut.length) {
    if (!(cut[i]! > threshold)) {
      i++;
      continue;
    }
    let peak = i;
    let end = i;
    while (end + 1 < cut.length && cut[end + 1]! > threshold) {
      end++;
      if (cut[end]! > cut[peak]!) peak = end;
    }
    const frame = peak + 1;
    if (frame > 0 && frame < frameCount) out.push({ frame, score: cut[peak]! / threshold, detector: 'model' });
    i = end + 1;
  }
  return out;
}
