import type { FrameRate } from '../timecode.js';
import {
  assertCutList,
  DEFAULT_AUDIO_CHANNELS,
  DEFAULT_AUDIO_SAMPLE_RATE,
  fileUrl,
  mediaFileName,
  reducedRate,
  timelineLength,
  timelineOffsets,
  transitionFrames,
  type CutList,
} from './cut-list.js';
import { el, renderXmlDocument } from './xml.js';

/** 1.9 (Final Cut Pro 10.5) is the first version with `media-rep`, and one Resolve 17+ imports. */
const FCPXML_VERSION = '1.9';
const FORMAT_ID = 'r1';
const ASSET_ID = 'r2';
const DISSOLVE_ID = 'r3';
/** Final Cut Pro's built-in Cross Dissolve. */
const CROSS_DISSOLVE_UID = 'FxPlug:4731E73A-8DAC-4113-9A30-AE85B1761265';
/** Sequence `audioRate` values FCPXML allows, by sample rate. */
const SEQUENCE_AUDIO_RATES: Record<number, string> = {
  32000: '32k',
  44100: '44.1k',
  48000: '48k',
  88200: '88.2k',
  96000: '96k',
  176400: '176.4k',
  192000: '192k',
};

/**
 * Renders FCPXML 1.9 for Final Cut Pro (Resolve imports it too): a `format` whose
 * `frameDuration` is the exact rational frame length (`1001/30000s` at 29.97), one `asset` with a
 * `media-rep` pointing at the percent-encoded file URL, and a library → event → project →
 * sequence → spine holding one `asset-clip` per clip. Every time is a rational number of seconds
 * on a frame boundary (`frames × den / num`), so nothing drifts. A dissolve of the cut list is a
 * Cross Dissolve `<transition>` in the spine between its two clips, centred on their edit (the
 * clips keep their own offsets; the transition uses the media beyond their ends).
 *
 * @throws FramewrightError `INVALID_PARAMS` for an invalid cut list
 */
export function renderFcpXml(list: CutList): string {
  assertCutList(list);
  const fps = reducedRate(list.fps);
  const time = (frames: number): string => rationalSeconds(frames, fps);
  const fileName = mediaFileName(list.mediaPath);
  const tcFormat = list.dropFrame ? 'DF' : 'NDF';
  const channels = list.audioChannels ?? DEFAULT_AUDIO_CHANNELS;
  const sampleRate = list.audioSampleRate ?? DEFAULT_AUDIO_SAMPLE_RATE;
  const audio = list.hasAudio
    ? { hasAudio: 1, audioSources: 1, audioChannels: channels, audioRate: sampleRate }
    : { hasAudio: 0 };
  const resources = el(
    'resources',
    undefined,
    el('format', { id: FORMAT_ID, frameDuration: time(1), width: list.width, height: list.height }),
    el(
      'asset',
      { id: ASSET_ID, name: fileName, start: '0s', duration: time(list.frameCount), hasVideo: 1, videoSources: 1, format: FORMAT_ID, ...audio },
      el('media-rep', { kind: 'original-media', src: fileUrl(list.mediaPath) }),
    ),
    ...((list.transitions ?? []).length > 0 ? [el('effect', { id: DISSOLVE_ID, name: 'Cross Dissolve', uid: CROSS_DISSOLVE_UID })] : []),
  );
  const offsets = timelineOffsets(list.clips);
  const dissolve = transitionFrames(list);
  const transition = (i: number) =>
    el(
      'transition',
      { name: 'Cross Dissolve', offset: time((offsets[i] ?? 0) - dissolve[i]!), duration: time(2 * dissolve[i]!) },
      el('filter-video', { ref: DISSOLVE_ID, name: 'Cross Dissolve' }),
    );
  const clips = list.clips.flatMap((clip, i) => [
    ...(dissolve[i]! > 0 ? [transition(i)] : []),
    el('asset-clip', {
      ref: ASSET_ID,
      name: fileName,
      offset: time(offsets[i] ?? 0),
      start: time(clip.startFrame),
      duration: time(clip.endFrame - clip.startFrame),
      format: FORMAT_ID,
      tcFormat,
    }),
  ]);
  const sequence = el(
    'sequence',
    {
      format: FORMAT_ID,
      duration: time(timelineLength(list.clips)),
      tcStart: '0s',
      tcFormat,
      audioLayout: !list.hasAudio ? undefined : channels === 1 ? 'mono' : channels === 2 ? 'stereo' : 'surround',
      audioRate: list.hasAudio ? (SEQUENCE_AUDIO_RATES[sampleRate] ?? '48k') : undefined,
    },
    el('spine', undefined, ...clips),
  );
  const name = list.name || fileName;
  const library = el('library', undefined, el('event', { name }, el('project', { name }, sequence)));
  return renderXmlDocument(el('fcpxml', { version: FCPXML_VERSION }, resources, library), 'fcpxml');
}

/** `frames` as FCPXML seconds: `0s`, whole seconds `2s`, or an exact fraction `1001/30000s`. */
function rationalSeconds(frames: number, fps: FrameRate): string {
  const numerator = frames * fps.den;
  return numerator % fps.num === 0 ? `${numerator / fps.num}s` : `${numerator}/${fps.num}s`;
}
