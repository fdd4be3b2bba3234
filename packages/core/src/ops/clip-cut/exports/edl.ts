import { FramewrightError } from '../../../protocol/index.js';
import { framesToTimecode, isDropFrameRate, timecodeToFrames, type FrameRate } from '../timecode.js';
import { assertCutList, assertTimecodeRate, mediaFileName, timelineOffsets, type CutList, type CutRange } from './cut-list.js';

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

function singleLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').trim();
}
