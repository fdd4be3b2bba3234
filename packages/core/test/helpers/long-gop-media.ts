// Test media for clip files: shots with known cuts encoded the way cameras and OBS do (long GOPs
// with B-frames, keyframes not at the cuts), audio made of short beeps at known times so a clip's
// audio offset can be measured, and helpers that decode what a clip file holds. Nothing is
// committed: each test writes what it needs into a temp folder.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { probe, readFrames } from '../../src/media/index.js';

const run = promisify(execFile);
const ffmpegPath = () => process.env['FFMPEG_PATH'] ?? 'ffmpeg';
const ffprobePath = () => process.env['FFPROBE_PATH'] ?? 'ffprobe';

/** One shot: a lavfi source (without size or rate) and its length in frames. */
export interface Shot {
  readonly source: string;
  readonly frames: number;
}

/** A beep starts every second at BEEP_PHASE seconds past the second, and lasts BEEP_SECONDS. */
export const BEEP_PHASE = 0.5;
const BEEP_SECONDS = 0.02;
const SAMPLE_RATE = 48000;

/** What {@link makeLongGop} made. */
export interface LongGopVideo {
  readonly path: string;
  /** Frames where a new shot starts (without 0). */
  readonly cuts: number[];
  readonly frameCount: number;
  readonly fps: number;
}

/**
 * Shots laid end to end at `fps`, encoded with `codec` (`h264`: libx264 with `bframes` B-frames;
 * `mpeg4`: MPEG-4 part 2) with a keyframe exactly every `gop` frames and nowhere else (no scene-cut
 * keyframes), and AAC audio of beeps at {@link BEEP_PHASE} past every second.
 */
export async function makeLongGop(
  path: string,
  shots: readonly Shot[],
  options: { fps?: number; gop?: number; bframes?: number; codec?: 'h264' | 'mpeg4'; width?: number; height?: number } = {},
): Promise<LongGopVideo> {
  const fps = options.fps ?? 25;
  const gop = options.gop ?? 250;
  const size = `${options.width ?? 160}x${options.height ?? 90}`;
  const frameCount = shots.reduce((a, s) => a + s.frames, 0);
  const seconds = frameCount / fps;
  const args = ['-hide_banner', '-loglevel', 'error', '-y'];
  const chains: string[] = [];
  shots.forEach((shot, i) => {
    const sep = shot.source.includes('=') ? ':' : '=';
    args.push('-f', 'lavfi', '-t', ((shot.frames + 1) / fps).toFixed(4), '-i', `${shot.source}${sep}s=${size}:r=${fps}`);
    chains.push(`[${i}:v]trim=end_frame=${shot.frames},setpts=PTS-STARTPTS,format=yuv420p[v${i}]`);
  });
  const beep = `0.8*sin(2*PI*1000*t)*between(t-floor(t),${BEEP_PHASE},${BEEP_PHASE + BEEP_SECONDS})`;
  args.push('-f', 'lavfi', '-i', `aevalsrc=exprs='${beep}':s=${SAMPLE_RATE}:d=${seconds.toFixed(4)}`);
  const graph = `${chains.join(';')};${shots.map((_, i) => `[v${i}]`).join('')}concat=n=${shots.length}:v=1:a=0[v]`;
  args.push('-filter_complex', graph, '-map', '[v]', '-map', `${shots.length}:a`, '-frames:v', String(frameCount));
  if ((options.codec ?? 'h264') === 'h264') {
    args.push('-c:v', 'libx264', '-preset', 'veryfast', '-bf', String(options.bframes ?? 3), '-x264-params', `keyint=${gop}:min-keyint=${gop}:scenecut=0`);
  } else {
    args.push('-c:v', 'mpeg4', '-q:v', '3', '-bf', String(options.bframes ?? 2), '-g', String(gop), '-sc_threshold', '1000000000');
  }
  args.push('-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '96k', path);
  await run(ffmpegPath(), args, { maxBuffer: 1 << 24 });
  const cuts: number[] = [];
  shots.slice(0, -1).reduce((at, s) => (cuts.push(at + s.frames), at + s.frames), 0);
  return { path, cuts, frameCount, fps };
}

/** Re-encodes `input` (variable-rate too: every frame keeps its timestamp) with a keyframe every `gop` frames and B-frames. */
export async function reencodeLongGop(input: string, output: string, gop: number): Promise<void> {
  await run(ffmpegPath(), [
    '-hide_banner', '-loglevel', 'error', '-y', '-i', input,
    '-c:v', 'libx264', '-preset', 'veryfast', '-bf', '3', '-x264-params', `keyint=${gop}:min-keyint=${gop}:scenecut=0`,
    '-vsync', 'passthrough', '-enc_time_base:v', '1/90000', '-video_track_timescale', '90000', '-c:a', 'copy', output,
  ], { maxBuffer: 1 << 24 });
}

/** The frames a keyframe is on (presentation order), from the packet flags. */
export async function keyframesOf(path: string): Promise<number[]> {
  const { stdout } = await run(ffprobePath(), ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts,flags', '-of', 'csv=p=0', path], { maxBuffer: 1 << 26 });
  const packets = stdout.trim().split('\n').map((l) => l.split(',')).map(([pts, flags]) => ({ pts: Number(pts), key: flags!.includes('K') }));
  const order = packets.map((p) => p.pts).sort((a, b) => a - b);
  return packets.filter((p) => p.key).map((p) => order.indexOf(p.pts)).sort((a, b) => a - b);
}

/** The decoded frames of a file, gray, downscaled to 48 px wide (copies). */
export async function grayFrames(path: string): Promise<Uint8Array[]> {
  const info = await probe(path);
  const frames: Uint8Array[] = [];
  for await (const frame of readFrames(path, { width: 48, sourceWidth: info.width, sourceHeight: info.height, pixelFormat: 'gray' })) frames.push(frame.slice());
  return frames;
}

/** Mean absolute difference of two frames (0-255). */
export const difference = (a: Uint8Array, b: Uint8Array) => a.reduce((sum, v, i) => sum + Math.abs(v - b[i]!), 0) / a.length;

/** Where the first video frame and the first audio sample of a file lie (seconds, as ffprobe says). */
export async function streamStarts(path: string): Promise<{ video: number; audio: number | undefined }> {
  const first = async (stream: string) => {
    const { stdout } = await run(ffprobePath(), ['-v', 'error', '-select_streams', stream, '-show_entries', 'frame=pts_time', '-of', 'csv=p=0', path], { maxBuffer: 1 << 26 });
    const line = stdout.trim().split('\n')[0]?.replace(/,$/, '');
    return line === undefined || line === '' ? undefined : Number(line);
  };
  return { video: (await first('v:0'))!, audio: await first('a:0') };
}

/** Seconds from a file's start to its first beep (the first sample louder than a tenth of full scale), or undefined. */
export async function firstBeep(path: string): Promise<number | undefined> {
  const { stdout } = await run(ffmpegPath(), ['-hide_banner', '-loglevel', 'error', '-i', path, '-map', '0:a:0', '-af', 'aresample=async=1:first_pts=0', '-ac', '1', '-ar', String(SAMPLE_RATE), '-f', 's16le', '-'], {
    encoding: 'buffer', maxBuffer: 1 << 28,
  });
  for (let i = 0; i + 1 < stdout.length; i += 2) if (Math.abs(stdout.readInt16LE(i)) > 3277) return i / 2 / SAMPLE_RATE;
  return undefined;
}

/** Where the first beep at or after `seconds` of the source starts. */
export const beepAfter = (seconds: number) => {
  const next = Math.floor(seconds) + BEEP_PHASE;
  return next >= seconds ? next : next + 1;
};
