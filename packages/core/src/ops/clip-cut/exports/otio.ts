import { FramewrightError } from '../../../protocol/index.js';
import { assertCutList, fileUrl, mediaFileName, type CutList, type CutRange } from './cut-list.js';

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
 * `DEFAULT_MEDIA`. Times are `RationalTime.1` values in frames at `rate = num/den`.
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
  const track = (kind: 'Video' | 'Audio', name: string): object => ({
    OTIO_SCHEMA: 'Track.1',
    metadata: {},
    name,
    source_range: null,
    effects: [],
    markers: [],
    enabled: true,
    children: list.clips.map(clip),
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

/**
 * Reads the source ranges of the clips on the first video track of an OTIO timeline (the first
 * audio track when there is no video), in track order. Gaps and transitions are skipped; a clip's
 * frames count at the rate of its `source_range.start_time`.
 *
 * @throws FramewrightError `INVALID_PARAMS` when the text is not JSON, not a `Timeline`, or a clip
 * lacks a valid `source_range`
 */
export function parseOtio(text: string): CutRange[] {
  const fail = (message: string): never => {
    throw new FramewrightError('INVALID_PARAMS', `OTIO: ${message}`);
  };
  let timeline: unknown;
  try {
    timeline = JSON.parse(text);
  } catch (error) {
    fail(`not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!isSchema(timeline, 'Timeline')) return fail('root object is not an OTIO Timeline');
  const stack = timeline.tracks;
  if (!isSchema(stack, 'Stack') || !Array.isArray(stack.children)) return fail('timeline has no Stack of tracks');
  const tracks = stack.children.filter((child): child is Record<string, unknown> => isSchema(child, 'Track'));
  const track = tracks.find((t) => t.kind === 'Video') ?? tracks.find((t) => t.kind === 'Audio');
  if (!track || !Array.isArray(track.children)) return [];
  return track.children
    .filter((item): item is Record<string, unknown> => isSchema(item, 'Clip') && item.enabled !== false)
    .map((clip, i) => {
      const range = clip.source_range;
      if (!isSchema(range, 'TimeRange')) return fail(`clip ${i + 1} has no source_range`);
      const start = rationalTime(range.start_time, `clip ${i + 1} start_time`, fail);
      const duration = rationalTime(range.duration, `clip ${i + 1} duration`, fail);
      const startFrame = Math.round(start.value);
      const endFrame = startFrame + Math.round((duration.value * start.rate) / duration.rate);
      if (startFrame < 0 || endFrame <= startFrame) fail(`clip ${i + 1} covers frames ${startFrame} to ${endFrame}`);
      return { startFrame, endFrame };
    });
}

function isSchema(value: unknown, schema: string): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const tag = (value as Record<string, unknown>).OTIO_SCHEMA;
  return typeof tag === 'string' && tag.startsWith(`${schema}.`);
}

function rationalTime(value: unknown, what: string, fail: (message: string) => never): { rate: number; value: number } {
  if (!isSchema(value, 'RationalTime')) return fail(`${what} is not a RationalTime`);
  const { rate, value: frames } = value;
  if (typeof rate !== 'number' || !(rate > 0) || typeof frames !== 'number' || !Number.isFinite(frames)) {
    return fail(`${what} needs a positive rate and a finite value`);
  }
  return { rate, value: frames };
}
