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
  transitionFrames,
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
 * `file://localhost/` URL. Times are frames at the sequence rate (`timebase` + `ntsc`). A dissolve
 * of the cut list is a centred Cross Dissolve `<transitionitem>` between its two video clipitems,
 * whose edges next to it are then -1 and whose source ranges run on under it (the audio is cut).
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
  // Half the frames of the dissolve at each clip's start (0: a cut), on the video track only.
  const dissolve = transitionFrames(list);
  const clipitem = (id: string, clip: CutRange, i: number, extra: XmlNode[], withTransitions: boolean): XmlNode => {
    const start = offsets[i] ?? 0;
    const before = withTransitions ? dissolve[i]! : 0;
    const after = withTransitions ? (dissolve[i + 1] ?? 0) : 0;
    // Next to a transition the timeline edge is the transition's (-1), and the source range runs
    // on into the media the transition uses.
    return el(
      'clipitem',
      { id },
      el('name', undefined, fileName),
      el('enabled', undefined, 'TRUE'),
      el('duration', undefined, list.frameCount),
      rate(),
      el('start', undefined, before > 0 ? -1 : start),
      el('end', undefined, after > 0 ? -1 : start + clip.endFrame - clip.startFrame),
      el('in', undefined, clip.startFrame - before),
      el('out', undefined, clip.endFrame + after),
      fileRef(),
      ...extra,
      ...(channels > 0 ? links(i) : []),
    );
  };
  // A Cross Dissolve centred on the edit: it shows the source's own frames there.
  const transitionitem = (i: number): XmlNode =>
    el(
      'transitionitem',
      undefined,
      rate(),
      el('start', undefined, (offsets[i] ?? 0) - dissolve[i]!),
      el('end', undefined, (offsets[i] ?? 0) + dissolve[i]!),
      el('alignment', undefined, 'center'),
      el(
        'effect',
        undefined,
        el('name', undefined, 'Cross Dissolve'),
        el('effectid', undefined, 'Cross Dissolve'),
        el('effectcategory', undefined, 'Dissolve'),
        el('effecttype', undefined, 'transition'),
        el('mediatype', undefined, 'video'),
      ),
    );

  const videoTrack = el('track', undefined, ...list.clips.flatMap((clip, i) => [...(dissolve[i]! > 0 ? [transitionitem(i)] : []), clipitem(videoId(i), clip, i, [], true)]));
  const audioTracks = Array.from({ length: channels }, (_, c) =>
    el(
      'track',
      undefined,
      ...list.clips.map((clip, i) =>
        clipitem(audioId(i, c + 1), clip, i, [
          el('sourcetrack', undefined, el('mediatype', undefined, 'audio'), el('trackindex', undefined, c + 1)),
        ], false),
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
