import { framesToTimecode } from '../timecode.js';
import { assertCutList, assertTimecodeRate, mediaFileName, timelineOffsets, type CutList } from './cut-list.js';

/**
 * Reel name of every event. CMX3600 reels hold at most 8 characters, too few for a file name, so
 * editors write the conventional `AX` (auxiliary source) and name the file in a
 * `* FROM CLIP NAME:` comment, which Premiere and Resolve use to relink.
 */
const REEL = 'AX';
const TITLE_MAX = 70;

/**
 * Renders a CMX3600 EDL: one cut event per clip, source in/out from the clip's frames (out points
 * exclusive), record times laid end to end from 00:00:00:00, `FCM` stating drop-frame or not,
 * channels `V`, or `A/V` / `AA/V` when the source has mono / multi-channel audio.
 *
 * @throws FramewrightError `INVALID_PARAMS` for an invalid cut list or a rate timecode cannot express
 * @example
 * ```ts
 * const edl = renderEdl(list);
 * // TITLE: my cut
 * // FCM: NON-DROP FRAME
 * //
 * // 001  AX       V     C        00:00:00:00 00:00:02:00 00:00:00:00 00:00:02:00
 * // * FROM CLIP NAME: source.mp4
 * ```
 */
export function renderEdl(list: CutList): string {
  assertCutList(list);
  assertTimecodeRate(list.fps, 'EDL');
  const tc = (frame: number): string => framesToTimecode(frame, list.fps, list.dropFrame);
  const channel = !list.hasAudio ? 'V' : list.audioChannels === 1 ? 'A/V' : 'AA/V';
  const clipName = singleLine(mediaFileName(list.mediaPath));
  const lines = [
    `TITLE: ${singleLine(list.name).slice(0, TITLE_MAX) || clipName}`,
    `FCM: ${list.dropFrame ? 'DROP FRAME' : 'NON-DROP FRAME'}`,
  ];
  const offsets = timelineOffsets(list.clips);
  list.clips.forEach((clip, i) => {
    const record = offsets[i] ?? 0;
    const length = clip.endFrame - clip.startFrame;
    const event = String(i + 1).padStart(3, '0');
    const times = [tc(clip.startFrame), tc(clip.endFrame), tc(record), tc(record + length)].join(' ');
    lines.push('', `${event}  ${REEL.padEnd(8)} ${channel.padEnd(5)} ${'C'.padEnd(8)} ${times}`);
    lines.push(`* FROM CLIP NAME: ${clipName}`, `* SOURCE FILE: ${singleLine(list.mediaPath)}`);
  });
  return `${lines.join('\n')}\n`;
}

function singleLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').trim();
}
