// Variable-frame-rate test media made with ffmpeg, with the true time of every cut. Nothing here
// is committed: each test writes what it needs into a temp folder.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ffmpegPath = () => process.env['FFMPEG_PATH'] ?? 'ffmpeg';
const ffprobePath = () => process.env['FFPROBE_PATH'] ?? 'ffprobe';

/** One shot at its own frame rate. */
export interface RateShot {
  /** A lavfi video source without size or rate, e.g. `testsrc2`, `smptebars`, `mandelbrot`. */
  source: string;
  /** Frames a second of this shot. */
  fps: number;
  /** Frames in this shot. */
  frames: number;
}

/** A generated variable-rate video and its ground truth. */
export interface VfrVideo {
  path: string;
  /** Frames in decode order where a new shot starts (excluding 0). */
  cutFrames: number[];
  /** Seconds where a new shot starts. */
  cutSeconds: number[];
  /** The length of every frame in seconds, in decode order. */
  frameSeconds: number[];
  /** Seconds from the first frame to the end of the last one. */
  durationSeconds: number;
}

// 90 kHz, as phones and MPEG write: 1/24, 1/60 and 1/15 s are all whole ticks.
const TIME_BASE = 90000;

/**
 * Shots at different rates laid end to end (a 24 fps shot, then a 60 fps one, …), H.264 with
 * B-frames in MP4 at a 1/90000 time base, keyframes forced at the cuts so stream copies start on
 * them, optionally with a tone as audio. Every frame keeps its shot's timestamp: nothing is
 * duplicated or dropped to make a constant rate.
 */
export async function makeRateShots(path: string, shots: RateShot[], options: { audio?: boolean; width?: number; height?: number } = {}): Promise<VfrVideo> {
  const size = `${options.width ?? 160}x${options.height ?? 90}`;
  const args = ['-hide_banner', '-loglevel', 'error', '-y'];
  const chains: string[] = [];
  shots.forEach((shot, i) => {
    args.push('-f', 'lavfi', '-t', ((shot.frames + 1) / shot.fps).toFixed(4), '-i', `${shot.source}=s=${size}:r=${shot.fps}`);
    chains.push(`[${i}:v]trim=end_frame=${shot.frames},setpts=PTS-STARTPTS,settb=1/${TIME_BASE},format=yuv420p[v${i}]`);
  });
  const frameSeconds = shots.flatMap((s) => Array.from({ length: s.frames }, () => 1 / s.fps));
  const cutFrames: number[] = [];
  const cutSeconds: number[] = [];
  let frames = 0;
  let seconds = 0;
  for (const shot of shots.slice(0, -1)) {
    frames += shot.frames;
    seconds += shot.frames / shot.fps;
    cutFrames.push(frames);
    cutSeconds.push(seconds);
  }
  const durationSeconds = shots.reduce((sum, s) => sum + s.frames / s.fps, 0);
  let graph = `${chains.join(';')};${shots.map((_, i) => `[v${i}]`).join('')}concat=n=${shots.length}:v=1:a=0[v]`;
  if (options.audio === true) {
    args.push('-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${durationSeconds.toFixed(4)}`);
    graph += `;[${shots.length}:a]anull[a]`;
  }
  args.push('-filter_complex', graph, '-map', '[v]');
  if (options.audio === true) args.push('-map', '[a]', '-c:a', 'aac', '-b:a', '64k');
  args.push(
    '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p',
    '-force_key_frames', cutSeconds.map((s) => s.toFixed(6)).join(',') || '0',
    '-vsync', 'passthrough', '-video_track_timescale', String(TIME_BASE), path,
  );
  await run(ffmpegPath(), args, { maxBuffer: 1 << 24 });
  return { path, cutFrames, cutSeconds, frameSeconds, durationSeconds };
}

/** What {@link makeDroppedFrames} makes. */
export interface DroppedFramesOptions {
  seconds: number;
  cutSecond: number;
  /** The first frame (at 60 fps) of the stall, and how many frames in a row it loses. */
  stallAt: number;
  stallFrames: number;
  /** Frames (at 60 fps) also missing. */
  drop?: number[];
  /** A keyframe every this many frames kept, and none at the cut (default: x264's choice). */
  keyint?: number;
}

/**
 * A 60 fps recording with two shots (the second from `cutSecond`) whose encoder fell behind, as
 * OBS does under load: after the first half second every fifth frame is missing, and a stall
 * loses `stallFrames` frames in a row. The frames kept keep their 60 fps timestamps.
 */
export async function makeDroppedFrames(path: string, options: DroppedFramesOptions): Promise<VfrVideo> {
  const rate = 60;
  const total = Math.round(options.seconds * rate);
  const cut = Math.round(options.cutSecond * rate);
  const drop = options.drop ?? [];
  const kept = (n: number) => (n < 30 || n % 5 < 4) && !(n >= options.stallAt && n < options.stallAt + options.stallFrames) && !drop.includes(n);
  if (!kept(cut)) throw new Error('the first frame of the second shot must be kept');
  const select = `(lt(n,30)+lt(mod(n,5),4))*not(between(n,${options.stallAt},${options.stallAt + options.stallFrames - 1}))${drop.map((n) => `*not(eq(n,${n}))`).join('')}`;
  const graph = [
    `[0:v]trim=end_frame=${cut},setpts=PTS-STARTPTS[a]`,
    `[1:v]trim=end_frame=${total - cut},setpts=PTS-STARTPTS[b]`,
    `[a][b]concat=n=2:v=1:a=0,settb=1/${TIME_BASE},select='${select}',format=yuv420p[v]`,
  ].join(';');
  await run(ffmpegPath(), [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-t', String(options.cutSecond + 0.1), '-i', `testsrc2=s=160x90:r=${rate}`,
    '-f', 'lavfi', '-t', String(options.seconds - options.cutSecond + 0.1), '-i', `smptebars=s=160x90:r=${rate}`,
    '-filter_complex', graph, '-map', '[v]',
    '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p',
    ...(options.keyint === undefined ? [] : ['-g', String(options.keyint), '-sc_threshold', '0']),
    '-vsync', 'passthrough', '-video_track_timescale', String(TIME_BASE), path,
  ], { maxBuffer: 1 << 24 });
  const keptFrames = Array.from({ length: total }, (_, n) => n).filter(kept);
  // A frame lasts until the next one kept; the last one a 60th of a second.
  const frameSeconds = keptFrames.map((n, i) => ((keptFrames[i + 1] ?? n + 1) - n) / rate);
  return {
    path,
    cutFrames: [keptFrames.indexOf(cut)],
    cutSeconds: [cut / rate],
    frameSeconds,
    durationSeconds: (keptFrames[keptFrames.length - 1]! + 1) / rate,
  };
}

/**
 * A video whose frame times follow a curve (`setpts` with a non-linear expression): every frame
 * lasts a little longer than the one before, as in a speed ramp.
 */
export async function makeSpeedRamp(path: string, frames: number): Promise<void> {
  await run(ffmpegPath(), [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', `testsrc2=s=160x90:r=30`,
    // The fine time base first, or setpts would round every time to a 30th of a second.
    '-vf', `trim=end_frame=${frames},settb=1/${TIME_BASE},setpts='(N/30+N*N/3000)/TB',format=yuv420p`,
    // The encoder would count in the source's 30ths too, unless told the fine time base.
    '-c:v', 'libx264', '-preset', 'veryfast', '-vsync', 'passthrough', '-enc_time_base:v', `1/${TIME_BASE}`,
    '-video_track_timescale', String(TIME_BASE), path,
  ], { maxBuffer: 1 << 24 });
}

/** Every decoded frame's timestamp in stream ticks, and the stream's time base, as ffprobe reports them. */
export async function probeFrameTimes(path: string): Promise<{ timeBase: { num: number; den: number }; pts: number[] }> {
  const { stdout } = await run(ffprobePath(), [
    '-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=time_base:frame=pts', '-of', 'json', path,
  ], { maxBuffer: 1 << 26 });
  const data = JSON.parse(stdout) as { streams: { time_base: string }[]; frames: { pts: number }[] };
  const [num, den] = data.streams[0]!.time_base.split('/').map(Number);
  return { timeBase: { num: num!, den: den! }, pts: data.frames.map((f) => f.pts) };
}
