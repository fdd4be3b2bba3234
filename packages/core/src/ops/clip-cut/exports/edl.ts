import { framesToTimecode } from '../timecode.js';
import { assertCutList, assertTimecodeRate, mediaFileName, timelineOffsets, transitionFrames, type CutList } from './cut-list.js';

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
 * channels `V`, or `A/V` / `AA/V` when the source has mono / multi-channel audio. A dissolve of
 * the cut list is a CMX dissolve event: a zero-length line of the outgoing source at the edit,
 * then the incoming source with `D` and the dissolve's length. CMX dissolves start at the edit
 * (they cannot be centred on it), so the length runs after it; where the two clips follow each
 * other in the source the picture is the source's all the same.
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
  // Half the frames of the dissolve into each clip (0: a cut).
  const dissolve = transitionFrames(list);
  const line = (event: string, edit: string, srcIn: number, srcOut: number, recIn: number, recOut: number) =>
    `${event}  ${REEL.padEnd(8)} ${channel.padEnd(5)} ${edit.padEnd(8)} ${[tc(srcIn), tc(srcOut), tc(recIn), tc(recOut)].join(' ')}`;
  list.clips.forEach((clip, i) => {
    const record = offsets[i] ?? 0;
    const length = clip.endFrame - clip.startFrame;
    const event = String(i + 1).padStart(3, '0');
    lines.push('');
    const into = dissolve[i]!;
    if (into > 0) {
      // CMX dissolves start at the edit: the outgoing source runs on under it for its length.
      const from = list.clips[i - 1]!.endFrame;
      const frames = Math.min(2 * into, list.frameCount - from, length);
      lines.push(line(event, 'C', from, from, record, record));
      lines.push(line(event, `D    ${String(frames).padStart(3, '0')}`, clip.startFrame, clip.endFrame, record, record + length));
      lines.push(`* FROM CLIP NAME: ${clipName}`, `* TO CLIP NAME: ${clipName}`, `* SOURCE FILE: ${singleLine(list.mediaPath)}`);
    } else {
      lines.push(line(event, 'C', clip.startFrame, clip.endFrame, record, record + length));
      lines.push(`* FROM CLIP NAME: ${clipName}`, `* SOURCE FILE: ${singleLine(list.mediaPath)}`);
    }
  });
  return `${lines.join('\n')}\n`;
}

function singleLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').trim();
}
