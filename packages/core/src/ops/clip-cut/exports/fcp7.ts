import { framesToTimecode, isNtscRate, timecodeBase } from '../timecode.js';
import {
  assertCutList,
  assertTimecodeRate,
  DEFAULT_AUDIO_CHANNELS,
  DEFAULT_AUDIO_SAMPLE_RATE,
  fileUrl,
  mediaFileName,
  timelineLength,
  timelineOffsets,
  type CutList,
  type CutRange,
} from './cut-list.js';
import { el, renderXmlDocument, type XmlNode } from './xml.js';

const FILE_ID = 'file-1';

/**
 * Renders Final Cut Pro 7 XML (xmeml version 5), the interchange Premiere Pro and DaVinci Resolve
 * both import: one sequence whose video track holds a clipitem per clip, and, when the source has
 * audio, one audio track per source channel with linked clipitems. Every clipitem references the
 * same `<file>` (defined in full once, by id afterwards), whose `pathurl` is a percent-encoded
 * `file://localhost/` URL. Times are frames at the sequence rate (`timebase` + `ntsc`).
 *
 * @throws FramewrightError `INVALID_PARAMS` for an invalid cut list or a rate xmeml cannot express
 */
export function renderFcp7Xml(list: CutList): string {
  assertCutList(list);
  assertTimecodeRate(list.fps, 'FCP7 XML');
  const rate = (): XmlNode => el('rate', undefined, el('timebase', undefined, timecodeBase(list.fps)), el('ntsc', undefined, isNtscRate(list.fps) ? 'TRUE' : 'FALSE'));
  const timecode = (): XmlNode =>
    el(
      'timecode',
      undefined,
      rate(),
      el('string', undefined, framesToTimecode(0, list.fps, list.dropFrame)),
      el('frame', undefined, 0),
      el('displayformat', undefined, list.dropFrame ? 'DF' : 'NDF'),
    );
  const videoCharacteristics = (): XmlNode =>
    el(
      'samplecharacteristics',
      undefined,
      rate(),
      el('width', undefined, list.width),
      el('height', undefined, list.height),
      el('anamorphic', undefined, 'FALSE'),
      el('pixelaspectratio', undefined, 'square'),
      el('fielddominance', undefined, 'none'),
    );
  const sampleRate = list.audioSampleRate ?? DEFAULT_AUDIO_SAMPLE_RATE;
  const audioCharacteristics = (): XmlNode =>
    el('samplecharacteristics', undefined, el('depth', undefined, 16), el('samplerate', undefined, sampleRate));
  const channels = list.hasAudio ? (list.audioChannels ?? DEFAULT_AUDIO_CHANNELS) : 0;
  const fileName = mediaFileName(list.mediaPath);

  const fullFile = el(
    'file',
    { id: FILE_ID },
    el('name', undefined, fileName),
    el('pathurl', undefined, fileUrl(list.mediaPath, { localhost: true })),
    rate(),
    el('duration', undefined, list.frameCount),
    timecode(),
    el(
      'media',
      undefined,
      el('video', undefined, videoCharacteristics()),
      ...(channels > 0 ? [el('audio', undefined, audioCharacteristics(), el('channelcount', undefined, channels))] : []),
    ),
  );
  let fileWritten = false;
  const fileRef = (): XmlNode => {
    if (fileWritten) return el('file', { id: FILE_ID });
    fileWritten = true;
    return fullFile;
  };

  const offsets = timelineOffsets(list.clips);
  const videoId = (i: number): string => `clipitem-v-${i + 1}`;
  const audioId = (i: number, channel: number): string => `clipitem-a${channel}-${i + 1}`;
  const links = (i: number): XmlNode[] => [
    el('link', undefined, el('linkclipref', undefined, videoId(i)), el('mediatype', undefined, 'video'), el('trackindex', undefined, 1), el('clipindex', undefined, i + 1)),
    ...Array.from({ length: channels }, (_, c) =>
      el(
        'link',
        undefined,
        el('linkclipref', undefined, audioId(i, c + 1)),
        el('mediatype', undefined, 'audio'),
        el('trackindex', undefined, c + 1),
        el('clipindex', undefined, i + 1),
        el('groupindex', undefined, 1),
      ),
    ),
  ];
  const clipitem = (id: string, clip: CutRange, i: number, extra: XmlNode[]): XmlNode => {
    const start = offsets[i] ?? 0;
    return el(
      'clipitem',
      { id },
      el('name', undefined, fileName),
      el('enabled', undefined, 'TRUE'),
      el('duration', undefined, list.frameCount),
      rate(),
      el('start', undefined, start),
      el('end', undefined, start + clip.endFrame - clip.startFrame),
      el('in', undefined, clip.startFrame),
      el('out', undefined, clip.endFrame),
      fileRef(),
      ...extra,
      ...(channels > 0 ? links(i) : []),
    );
  };

  const videoTrack = el('track', undefined, ...list.clips.map((clip, i) => clipitem(videoId(i), clip, i, [])));
  const audioTracks = Array.from({ length: channels }, (_, c) =>
    el(
      'track',
      undefined,
      ...list.clips.map((clip, i) =>
        clipitem(audioId(i, c + 1), clip, i, [
          el('sourcetrack', undefined, el('mediatype', undefined, 'audio'), el('trackindex', undefined, c + 1)),
        ]),
      ),
      el('outputchannelindex', undefined, c + 1),
    ),
  );
  const media = el(
    'media',
    undefined,
    el('video', undefined, el('format', undefined, videoCharacteristics()), videoTrack),
    ...(channels > 0
      ? [el('audio', undefined, el('numOutputChannels', undefined, channels), el('format', undefined, audioCharacteristics()), ...audioTracks)]
      : []),
  );
  const sequence = el(
    'sequence',
    { id: 'sequence-1' },
    el('name', undefined, list.name || fileName),
    el('duration', undefined, timelineLength(list.clips)),
    rate(),
    timecode(),
    media,
  );
  return renderXmlDocument(el('xmeml', { version: 5 }, sequence), 'xmeml');
}
