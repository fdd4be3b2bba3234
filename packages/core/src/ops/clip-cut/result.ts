// The clip-cut result: frames in decode order, seconds from the frames' timestamps, timecodes at
// the rate editors count. A variable-rate video's frames are not frames of any one rate, so its
// timecodes and cut lists round each cut's seconds to its most common rate, and say so.
import type { FrameTimeline, MediaInfo, Silence } from '../../media/index.js';
import type { ClipCutResult } from '../../protocol/index.js';
import type { Detection } from './detect.js';
import { rangesAtRate, type CutList, type CutRange, type CutTransition } from './exports/cut-list.js';
import type { CutListFormat } from './outputs.js';
import { framesToTimecode, isDropFrameRate, isTimecodeRate, nominalFrameRate, timecodeRateFor, type FrameRate } from './timecode.js';

const round = (v: number) => Math.round(v * 1000) / 1000;
/** A rate as people write it: `60`, `29.97`, `38.4`. */
const rateText = (fps: FrameRate | number) => String(Number((typeof fps === 'number' ? fps : fps.num / fps.den).toFixed(3)));

/** What a variable-rate video's frames span, for the result and its warning. */
function variableRate(timeline: FrameTimeline): NonNullable<ClipCutResult['variableFrameRate']> {
  let shortest = Number.POSITIVE_INFINITY;
  let longest = 0;
  for (const length of timeline.frameLengths()) {
    shortest = Math.min(shortest, length);
    longest = Math.max(longest, length);
  }
  return { averageFps: round(timeline.frameCount / timeline.durationSeconds), minFps: round(1 / longest), maxFps: round(1 / shortest) };
}

/**
 * Builds the result from the detected cuts and transitions (outputs and files are filled in as they are written).
 * Constant-rate video counts timecode at its own rate; variable-rate video at its most common
 * frame rate ({@link nominalFrameRate}), with `variableFrameRate` and a warning saying so.
 */
export function buildResult(info: MediaInfo, timeline: FrameTimeline, detection: Detection, silences: Silence[] | undefined): ClipCutResult {
  const { cuts, transitions } = detection;
  const frameCount = timeline.frameCount;
  const fps = timeline.variable ? nominalFrameRate(timeline.frameLengths()) : info.fps;
  const dropFrame = isDropFrameRate(fps);
  const seconds = (frame: number) => timeline.secondsOf(frame);
  const tc = (frame: number) => framesToTimecode(frame, fps, dropFrame);
  const starts = [0, ...cuts.map((c) => c.frame)];
  const ranges: CutRange[] = starts.map((startFrame, index) => ({ startFrame, endFrame: starts[index + 1] ?? frameCount }));
  // Where each clip lies in timecode frames: its own frames at a constant rate, else its seconds rounded.
  const labels = timeline.variable ? rangesAtRate(ranges.map((r) => ({ startSeconds: seconds(r.startFrame), endSeconds: seconds(r.endFrame) })), fps) : ranges;
  const warnings: string[] = [];
  let variableFrameRate: ClipCutResult['variableFrameRate'];
  if (timeline.variable) {
    variableFrameRate = variableRate(timeline);
    warnings.push(
      `variable frame rate (${rateText(variableFrameRate.minFps)} to ${rateText(variableFrameRate.maxFps)} fps, average ${rateText(variableFrameRate.averageFps)}): ` +
        `cut seconds come from frame timestamps; timecodes count at ${rateText(fps)} fps, rounded to the nearest frame`,
    );
  } else if (timeline.problem !== undefined) {
    warnings.push(`frame timestamps not usable (${timeline.problem}): times assume a constant ${rateText(fps)} fps`);
  }
  return {
    input: info.path,
    width: info.width,
    height: info.height,
    fps: fps.num / fps.den,
    fpsRational: { num: fps.num, den: fps.den },
    dropFrame,
    ...(variableFrameRate === undefined ? {} : { variableFrameRate }),
    frameCount,
    durationSeconds: seconds(frameCount),
    cuts: cuts.map((c, i) => ({ frame: c.frame, seconds: seconds(c.frame), timecode: tc(labels[i + 1]!.startFrame), score: round(c.score), detectors: c.detectors })),
    clips: ranges.map(({ startFrame, endFrame }, index) => ({
      index,
      startFrame,
      endFrame,
      frames: endFrame - startFrame,
      startSeconds: seconds(startFrame),
      endSeconds: seconds(endFrame),
      startTimecode: tc(labels[index]!.startFrame),
      endTimecode: tc(labels[index]!.endFrame),
      score: index === 0 ? 0 : round(cuts[index - 1]!.score),
    })),
    transitions: transitions.map((t) => ({
      kind: t.kind,
      startFrame: t.startFrame,
      endFrame: t.endFrame,
      startSeconds: seconds(t.startFrame),
      endSeconds: seconds(t.endFrame),
      ...(t.cutFrame === undefined ? {} : { cutFrame: t.cutFrame }),
      score: round(t.score),
    })),
    ...(silences === undefined ? {} : { silences }),
    outputs: {},
    files: [],
    ...(warnings.length === 0 ? {} : { warnings }),
  };
}

const FORMAT_NAMES: Record<CutListFormat, string> = { edl: 'EDL', fcp7: 'FCP7 XML', fcpxml: 'FCPXML', otio: 'OTIO' };

/**
 * The dissolves of a cut list made from `result`: one centred on each cut a dissolve or a
 * fade-through makes, as long as the shorter side of the transition, and short enough for the two
 * clips and the media around them (a fade-out or fade-in next to a hard cut stays a cut). Frames
 * are counted at the list's rate.
 */
function listTransitions(list: CutList, result: ClipCutResult): CutTransition[] {
  const out: CutTransition[] = [];
  for (const t of result.transitions ?? []) {
    if (t.cutFrame === undefined || t.kind === 'fade-in' || t.kind === 'fade-out') continue;
    const clip = result.clips.findIndex((c) => c.index > 0 && c.startFrame === t.cutFrame);
    const incoming = list.clips[clip];
    const outgoing = list.clips[clip - 1];
    if (incoming === undefined || outgoing === undefined) continue;
    const cutSeconds = result.clips[clip]!.startSeconds;
    const side = Math.min(cutSeconds - t.startSeconds, t.endSeconds - cutSeconds);
    const wanted = Math.round((side * list.fps.num) / list.fps.den);
    const frames = Math.min(
      wanted,
      Math.floor((outgoing.endFrame - outgoing.startFrame) / 2),
      Math.floor((incoming.endFrame - incoming.startFrame) / 2),
      incoming.startFrame,
      list.frameCount - outgoing.endFrame,
    );
    if (frames >= 1) out.push({ clip, frames });
  }
  return out;
}

/**
 * The cut list `format` is written from, and how it was converted when it had to be. `list` counts
 * the video's own frames; a variable-rate video is re-timed at the result's rate (every format: none
 * can place a frame of variable length), and EDL and FCP7 XML, which count timecode, re-time a
 * constant rate they cannot count ({@link timecodeRateFor}). Dissolves and fade-throughs of the
 * result become dissolves of the list.
 */
export function cutListFor(format: CutListFormat, list: CutList, result: ClipCutResult): { list: CutList; warning?: string } {
  const converted = convertedList(format, list, result);
  const transitions = listTransitions(converted.list, result);
  return transitions.length === 0 ? converted : { ...converted, list: { ...converted.list, transitions } };
}

function convertedList(format: CutListFormat, list: CutList, result: ClipCutResult): { list: CutList; warning?: string } {
  const name = FORMAT_NAMES[format];
  const counts = format === 'edl' || format === 'fcp7' ? 'timecode uses' : 'times use';
  const retimed = (fps: FrameRate): CutList => {
    const clips = rangesAtRate(result.clips, fps);
    const end = Math.round((result.durationSeconds * fps.num) / fps.den);
    return { ...list, fps, dropFrame: isDropFrameRate(fps) && result.dropFrame, clips, frameCount: Math.max(end, clips[clips.length - 1]?.endFrame ?? 0) };
  };
  if (result.variableFrameRate !== undefined) {
    const fps = { num: result.fpsRational.num, den: result.fpsRational.den };
    return { list: retimed(fps), warning: `variable frame rate: ${name} ${counts} ${rateText(fps)} fps; cut times rounded to the nearest frame` };
  }
  if ((format !== 'edl' && format !== 'fcp7') || isTimecodeRate(list.fps)) return { list };
  const fps = timecodeRateFor(list.fps);
  // A whole multiple of the video's rate puts every frame on a timecode frame: nothing is rounded.
  const exact = (fps.num * list.fps.den) % (fps.den * list.fps.num) === 0;
  return {
    list: retimed(fps),
    warning: `${name} timecode uses ${rateText(fps)} fps for this ${rateText(list.fps)} fps video${exact ? '' : '; cut times rounded to the nearest frame'}`,
  };
}
