import { assertCutList, fileUrl, mediaFileName, transitionFrames, type CutList, type CutRange } from './cut-list.js';

/** The JSON shape of an OTIO `RationalTime.1`. */
interface RationalTime {
  OTIO_SCHEMA: 'RationalTime.1';
  rate: number;
  value: number;
}

/** The JSON shape of an OTIO `TimeRange.1`. */
interface TimeRange {
  OTIO_SCHEMA: 'TimeRange.1';
  start_time: RationalTime;
  duration: RationalTime;
}

const MEDIA_KEY = 'DEFAULT_MEDIA';

/**
 * Renders OpenTimelineIO JSON (`.otio`): a `Timeline.1` whose `Stack.1` holds a video
 * `Track.1` and, when the source has audio, an audio one; each holds one `Clip.2` per clip with
 * an `ExternalReference.1` (percent-encoded `file://` URL, the media's available range) under
 * `DEFAULT_MEDIA`. Times are `RationalTime.1` values in frames at `rate = num/den`. A dissolve of
 * the cut list is an `SMPTE_Dissolve` `Transition.1` between its two clips on the video track, with
 * equal `in_offset` and `out_offset`.
 *
 * @throws FramewrightError `INVALID_PARAMS` for an invalid cut list
 */
export function renderOtio(list: CutList): string {
  assertCutList(list);
  const rate = list.fps.num / list.fps.den;
  const time = (value: number): RationalTime => ({ OTIO_SCHEMA: 'RationalTime.1', rate, value });
  const range = (start: number, duration: number): TimeRange => ({
    OTIO_SCHEMA: 'TimeRange.1',
    start_time: time(start),
    duration: time(duration),
  });
  const fileName = mediaFileName(list.mediaPath);
  const targetUrl = fileUrl(list.mediaPath);
  const clip = (cut: CutRange): object => ({
    OTIO_SCHEMA: 'Clip.2',
    metadata: {},
    name: fileName,
    source_range: range(cut.startFrame, cut.endFrame - cut.startFrame),
    effects: [],
    markers: [],
    enabled: true,
    media_references: {
      [MEDIA_KEY]: {
        OTIO_SCHEMA: 'ExternalReference.1',
        metadata: {},
        name: fileName,
        available_range: range(0, list.frameCount),
        available_image_bounds: null,
        target_url: targetUrl,
      },
    },
    active_media_reference_key: MEDIA_KEY,
  });
  const dissolve = transitionFrames(list);
  const transition = (frames: number): object => ({
    OTIO_SCHEMA: 'Transition.1',
    metadata: {},
    name: 'Cross Dissolve',
    transition_type: 'SMPTE_Dissolve',
    in_offset: time(frames),
    out_offset: time(frames),
  });
  const track = (kind: 'Video' | 'Audio', name: string): object => ({
    OTIO_SCHEMA: 'Track.1',
    metadata: {},
    name,
    source_range: null,
    effects: [],
    markers: [],
    enabled: true,
    children: list.clips.flatMap((cut, i) => [...(kind === 'Video' && dissolve[i]! > 0 ? [transition(dissolve[i]!)] : []), clip(cut)]),
    kind,
  });
  const timeline = {
    OTIO_SCHEMA: 'Timeline.1',
    metadata: { framewright: { fps: { num: list.fps.num, den: list.fps.den }, dropFrame: list.dropFrame } },
    name: list.name || fileName,
    global_start_time: time(0),
    tracks: {
      OTIO_SCHEMA: 'Stack.1',
      metadata: {},
      name: 'tracks',
      source_range: null,
      effects: [],
      markers: [],
      enabled: true,
      children: [track('Video', 'V1'), ...(list.hasAudio ? [track('Audio', 'A1')] : [])],
    },
  };
  return `${JSON.stringify(timeline, null, 2)}\n`;
}
