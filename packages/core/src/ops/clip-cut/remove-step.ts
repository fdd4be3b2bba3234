// The remove step of a clip-cut run: measures the audio while the picture is analysed, then turns
// it into the kept ranges once the frame count is known.
import { readAllStreamsLoudness, type FrameTimeline, type MediaInfo } from '../../media/index.js';
import { FramewrightError, type ClipCutParams, type ClipCutResult } from '../../protocol/index.js';
import { frameIsSpeech, readSpeechProbabilities, speechWindows } from '../../builtin/index.js';
import { isLoud, keepFrames, maskOf, REMOVE_DEFAULTS, type KeptFrames, type RemoveSettings } from './remove.js';

/** The settings of a run's removal: its `removeOptions` over {@link REMOVE_DEFAULTS}. */
export function removeSettingsOf(params: ClipCutParams): RemoveSettings {
  const o = params.removeOptions ?? {};
  return {
    silenceThreshold: o.silenceThreshold ?? REMOVE_DEFAULTS.silenceThreshold,
    speechThreshold: o.speechThreshold ?? REMOVE_DEFAULTS.speechThreshold,
    marginBeforeSeconds: o.marginBeforeSeconds ?? REMOVE_DEFAULTS.marginBeforeSeconds,
    marginAfterSeconds: o.marginAfterSeconds ?? REMOVE_DEFAULTS.marginAfterSeconds,
    minSilenceSeconds: o.minSilenceSeconds ?? REMOVE_DEFAULTS.minSilenceSeconds,
    minKeptSeconds: o.minKeptSeconds ?? REMOVE_DEFAULTS.minKeptSeconds,
  };
}

/** A removal under way: what each frame's audio is, measured; the kept frames once the frame count is known. */
export interface RemovalRun {
  /** The kept ranges of a `frameCount`-frame video. */
  kept(frameCount: number): Promise<KeptFrames[]>;
}

/**
 * Starts measuring what `params.remove` needs of `info`'s audio (loudness, speech), alongside the
 * picture. Frames past the end of the audio count as silent.
 * @throws FramewrightError `UNSUPPORTED_MEDIA` when the video has no audio
 */
export function startRemoval(info: MediaInfo, params: ClipCutParams, signal: AbortSignal): RemovalRun | undefined {
  const removals = new Set(params.remove ?? []);
  if (removals.size === 0) return undefined;
  if (info.audio === undefined) throw new FramewrightError('UNSUPPORTED_MEDIA', `remove ${[...removals].join(', ')} needs audio, and ${info.path} has none`);
  const settings = removeSettingsOf(params);
  // Every audio stream counts (auto-editor's stream=all): a frame is loud when any track is.
  const loudness = removals.has('silence') ? readAllStreamsLoudness(info.path, { fps: info.fps, signal }) : undefined;
  const speech = removals.has('non-speech') ? readSpeechProbabilities(info.path, { signal }) : undefined;
  // Awaited in kept(); a picture that fails first must not leave these rejections unhandled.
  loudness?.catch(() => undefined);
  speech?.catch(() => undefined);
  return {
    async kept(frameCount) {
      const levels = await loudness;
      const probabilities = (await speech)?.probabilities;
      const spoken = probabilities === undefined ? undefined : speechWindows(probabilities, settings.speechThreshold);
      const mask = maskOf(
        frameCount,
        (j) => (levels === undefined || isLoud(levels[j] ?? 0, settings.silenceThreshold)) && (spoken === undefined || frameIsSpeech(spoken, j, info.fps)),
      );
      return keepFrames(mask, info.fps, settings);
    },
  };
}

const round = (v: number) => Math.round(v * 1e6) / 1e6;

/** The result fields of a removal: the kept ranges with their seconds, and how long is kept and removed. */
export function removalResult(kept: readonly KeptFrames[], timeline: FrameTimeline): Pick<ClipCutResult, 'kept' | 'keptSeconds' | 'removedSeconds'> {
  const ranges = kept.map(({ startFrame, endFrame }) => ({ startFrame, endFrame, startSeconds: round(timeline.secondsOf(startFrame)), endSeconds: round(timeline.secondsOf(endFrame)) }));
  const keptSeconds = round(ranges.reduce((sum, r) => sum + (r.endSeconds - r.startSeconds), 0));
  return { kept: ranges, keptSeconds, removedSeconds: round(Math.max(0, timeline.durationSeconds - keptSeconds)) };
}
