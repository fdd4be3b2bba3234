// Readers that bring the engine's cut lists (CMX3600 EDL, FCP7 XML, FCPXML, OTIO) back to source
// frames, so the tests can check every export round-trips. The engine only writes these formats;
// the readers follow the layouts editors write as well as ours, and fail on malformed input.
import { FramewrightError } from '../../src/protocol/index.js';
import { assertTimecodeRate, type CutRange } from '../../src/ops/clip-cut/exports/cut-list.js';
import { isDropFrameRate, timecodeToFrames, type FrameRate } from '../../src/ops/clip-cut/timecode.js';
import { childElement, childElements, findElement, parseXml, type XmlElement } from './xml-reader.js';

/**
 * Reads the source ranges of a CMX3600 EDL's events, in event order. `FCM:` lines in the file
 * decide drop-frame from where they appear; `dropFrame` applies until the first one. When the EDL
 * has events with video, audio-only events are ignored (they repeat the same cuts); `BL` (black)
 * events and empty ranges are skipped; dissolves, wipes and keys count as their incoming source.
 *
 * @throws FramewrightError `INVALID_PARAMS` naming the line of a malformed event or timecode
 */
export function parseEdl(text: string, fps: FrameRate, dropFrame: boolean): CutRange[] {
  assertTimecodeRate(fps, 'EDL');
  let drop = dropFrame;
  const video: CutRange[] = [];
  const audioOnly: CutRange[] = [];
  text.split(/\r\n|\r|\n/).forEach((raw, index) => {
    const line = raw.trim();
    const fail = (message: string): never => {
      throw new FramewrightError('INVALID_PARAMS', `EDL line ${index + 1}: ${message}`);
    };
    const fcm = /^FCM:\s*(.*)$/i.exec(line);
    if (fcm) {
      const mode = (fcm[1] ?? '').trim().toUpperCase();
      if (mode === 'DROP FRAME') {
        if (!isDropFrameRate(fps)) fail(`FCM: DROP FRAME, but ${fps.num}/${fps.den} fps has no drop-frame timecode`);
        drop = true;
      }
      else if (mode === 'NON-DROP FRAME' || mode === 'NON DROP FRAME') drop = false;
      else fail(`unknown FCM ${JSON.stringify(fcm[1])}`);
      return;
    }
    if (!/^\d+\s/.test(line)) return;
    const tokens = line.split(/\s+/);
    const times = tokens.slice(-4);
    const [, reel, channel, transition] = tokens;
    if (tokens.length < 8 || reel === undefined || channel === undefined || transition === undefined) {
      return fail(`expected "EVENT REEL CHANNEL TRANSITION SRC-IN SRC-OUT REC-IN REC-OUT", got ${JSON.stringify(line)}`);
    }
    if (!/^(C|D|W\d+|K[BO]?)$/i.test(transition)) fail(`unknown transition ${JSON.stringify(transition)}`);
    const frames = times.map((tc) => {
      try {
        return timecodeToFrames(tc, fps, drop);
      } catch (error) {
        return fail(error instanceof Error ? error.message : String(error));
      }
    });
    const [srcIn = 0, srcOut = 0] = frames;
    if (reel.toUpperCase() === 'BL' || srcOut <= srcIn) return;
    const target = /V|^B$/i.test(channel) ? video : audioOnly;
    target.push({ startFrame: srcIn, endFrame: srcOut });
  });
  return video.length > 0 ? video : audioOnly;
}

/**
 * Reads the source ranges (`in`/`out` frames) of the clipitems on the first video track of the
 * first sequence of an FCP7 XML (xmeml) document, in timeline order; a sequence without video
 * gives its first audio track's clipitems instead. Disabled clipitems are skipped; next to a
 * centred `<transitionitem>` a clip's range ends (or starts) at the transition's middle.
 *
 * @throws FramewrightError `INVALID_PARAMS` when the XML is not well-formed or lacks a sequence
 */
export function parseFcp7Xml(text: string): CutRange[] {
  const root = parseXml(text, 'FCP7 XML');
  const fail = (message: string): never => {
    throw new FramewrightError('INVALID_PARAMS', `FCP7 XML: ${message}`);
  };
  if (root.name !== 'xmeml') fail(`root element is <${root.name}>, expected <xmeml>`);
  const sequence = findElement(root, 'sequence') ?? fail('no <sequence>');
  const media = childElement(sequence, 'media') ?? fail('sequence has no <media>');
  // Clipitems and the transitionitems between them, in track order.
  const trackItems = (kind: 'video' | 'audio'): XmlElement[] => {
    const section = childElement(media, kind);
    const tracks = section ? childElements(section, 'track') : [];
    return tracks.map((track) => track.children.filter((c) => c.name === 'clipitem' || c.name === 'transitionitem')).find((items) => items.some((c) => c.name === 'clipitem')) ?? [];
  };
  const items = trackItems('video');
  const clipitems = items.length > 0 ? items : trackItems('audio');
  const frameOf = (item: XmlElement, field: string): number => {
    const raw = childElement(item, field)?.text.trim() ?? '';
    if (!/^-?\d+$/.test(raw)) fail(`clipitem ${item.attrs.id ?? ''} has no whole-frame <${field}>`);
    return Number(raw);
  };
  // A centred transition's edit is its middle; a clipitem's edge next to it is -1, and its source
  // range runs on under the transition.
  const edit = (t: XmlElement | undefined) => {
    if (t?.name !== 'transitionitem') return fail('a clipitem edge of -1 has no transitionitem next to it');
    const start = frameOf(t, 'start');
    const end = frameOf(t, 'end');
    const cut = Math.floor((start + end) / 2);
    return { start, end, cut };
  };
  return clipitems
    .map((item, i) => ({ item, i }))
    .filter(({ item }) => item.name === 'clipitem' && childElement(item, 'enabled')?.text.trim().toUpperCase() !== 'FALSE')
    .map(({ item, i }) => {
      let start = frameOf(item, 'start');
      let startFrame = frameOf(item, 'in');
      let endFrame = frameOf(item, 'out');
      if (start === -1) {
        const t = edit(clipitems[i - 1]);
        start = t.cut;
        startFrame += t.cut - t.start;
      }
      if (frameOf(item, 'end') === -1) endFrame -= edit(clipitems[i + 1]).end - edit(clipitems[i + 1]).cut;
      return { start, range: { startFrame, endFrame } };
    })
    .sort((a, b) => a.start - b.start)
    .map(({ range }) => {
      if (range.startFrame < 0 || range.endFrame <= range.startFrame) fail(`clipitem has in ${range.startFrame} and out ${range.endFrame}`);
      return range;
    });
}

/**
 * Reads the source ranges of the `asset-clip`s in the spine of the first sequence of an FCPXML
 * document, in spine order. Frames are counted at the sequence's format rate (from its
 * `frameDuration`), relative to the start of the referenced asset.
 *
 * @throws FramewrightError `INVALID_PARAMS` when the XML is not well-formed, lacks a sequence or
 * format, or a time is not a rational number of seconds
 */
export function parseFcpXml(text: string): CutRange[] {
  const root = parseXml(text, 'FCPXML');
  const fail = (message: string): never => {
    throw new FramewrightError('INVALID_PARAMS', `FCPXML: ${message}`);
  };
  if (root.name !== 'fcpxml') fail(`root element is <${root.name}>, expected <fcpxml>`);
  const resources = childElement(root, 'resources') ?? fail('no <resources>');
  const byId = new Map(resources.children.filter((r) => r.attrs.id !== undefined).map((r) => [r.attrs.id as string, r]));
  const sequence = findElement(root, 'sequence') ?? fail('no <sequence>');
  const spine = childElement(sequence, 'spine') ?? fail('sequence has no <spine>');
  const rateOf = (formatId: string | undefined): FrameRate => {
    const format = formatId === undefined ? undefined : byId.get(formatId);
    const duration = format?.attrs.frameDuration ?? fail(`format ${formatId ?? '(none)'} with a frameDuration not found`);
    const [num, den] = parseRational(duration, fail);
    if (num <= 0) fail(`frameDuration ${duration} is not positive`);
    return { num: den, den: num };
  };
  const sequenceRate = rateOf(sequence.attrs.format);
  const framesAt = (value: string | undefined, fps: FrameRate, what: string): number => {
    const [num, den] = parseRational(value ?? fail(`asset-clip has no ${what}`), fail);
    return Math.round((num * fps.num) / (den * fps.den));
  };
  return spine.children
    .filter((child: XmlElement) => child.name === 'asset-clip' && child.attrs.enabled !== '0')
    .map((clip) => {
      const asset = byId.get(clip.attrs.ref ?? '') ?? fail(`asset-clip refers to missing asset ${JSON.stringify(clip.attrs.ref)}`);
      const fps = clip.attrs.format !== undefined ? rateOf(clip.attrs.format) : sequenceRate;
      const origin = framesAt(asset.attrs.start ?? '0s', fps, 'asset start');
      const startFrame = framesAt(clip.attrs.start ?? asset.attrs.start ?? '0s', fps, 'start') - origin;
      const endFrame = startFrame + framesAt(clip.attrs.duration, fps, 'duration');
      if (startFrame < 0 || endFrame <= startFrame) fail(`asset-clip covers frames ${startFrame} to ${endFrame}`);
      return { startFrame, endFrame };
    });
}

function parseRational(value: string, fail: (message: string) => never): [number, number] {
  const match = /^(\d+)(?:\/(\d+))?s$/.exec(value.trim());
  if (!match) return fail(`time ${JSON.stringify(value)} is not a rational number of seconds`);
  const den = Number(match[2] ?? '1');
  if (den === 0) fail(`time ${value} divides by zero`);
  return [Number(match[1]), den];
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
