// Pictures and measurements for the video-gen tests: keyframes drawn by ffmpeg's lavfi sources
// (a red box on a blue ground at a known place), decoded output frames, PSNR and box centres.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ffmpeg = process.env['FFMPEG_PATH'] ?? 'ffmpeg';
const ffprobe = process.env['FFPROBE_PATH'] ?? 'ffprobe';

/** A fresh temporary folder. */
export function tempDir(prefix = 'fw-video-gen-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A red `box × box` square at (x, y) on a dark blue `width × height` picture. */
export interface BoxPicture {
  readonly width: number;
  readonly height: number;
  readonly x: number;
  readonly y: number;
  readonly box: number;
}

/** Writes the picture as a PNG (`ext` png) or JPEG and returns its path. */
export async function drawBox(dir: string, name: string, p: BoxPicture, ext: 'png' | 'jpg' = 'png'): Promise<string> {
  const path = join(dir, `${name}.${ext}`);
  await run(ffmpeg, [
    '-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi',
    '-i', `color=c=0x203060:s=${p.width}x${p.height},drawbox=x=${p.x}:y=${p.y}:w=${p.box}:h=${p.box}:color=0xe02020:t=fill`,
    '-frames:v', '1', path,
  ]);
  return path;
}

/** Every frame of a video file (or a PNG sequence pattern) as raw RGB. */
export async function decodeRgbFrames(input: string, width: number, height: number, inputOptions: string[] = []): Promise<Uint8Array[]> {
  const { stdout } = await run(ffmpeg, ['-hide_banner', '-loglevel', 'error', ...inputOptions, '-i', input, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], {
    encoding: 'buffer',
    maxBuffer: 1 << 28,
  });
  const size = width * height * 3;
  const frames: Uint8Array[] = [];
  for (let o = 0; o + size <= stdout.length; o += size) frames.push(new Uint8Array(stdout.subarray(o, o + size)));
  return frames;
}

/** Centre of the red pixels (red well above green and blue), weighted by redness. */
export function redCentre(rgb: Uint8Array, width: number): { x: number; y: number } {
  let sx = 0;
  let sy = 0;
  let sw = 0;
  for (let i = 0; i < rgb.length / 3; i++) {
    const w = Math.max(0, rgb[i * 3]! - Math.max(rgb[i * 3 + 1]!, rgb[i * 3 + 2]!) - 40);
    sx += w * (i % width);
    sy += w * Math.floor(i / width);
    sw += w;
  }
  return { x: sx / sw, y: sy / sw };
}

/** Peak signal-to-noise ratio in dB of two 8-bit pictures (Infinity when equal). */
export function psnr(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i]! - b[i]!) ** 2;
  const mse = sum / a.length;
  return mse === 0 ? Number.POSITIVE_INFINITY : 10 * Math.log10((255 * 255) / mse);
}

/** One stream as ffprobe reports it. */
export interface ProbedStream {
  codec_type: string;
  codec_name: string;
  width?: number;
  height?: number;
  pix_fmt?: string;
  r_frame_rate?: string;
  duration?: string;
}

/** The streams of a file. */
export async function probeStreams(path: string): Promise<ProbedStream[]> {
  const { stdout } = await run(ffprobe, ['-v', 'error', '-show_streams', '-of', 'json', path]);
  return (JSON.parse(stdout) as { streams: ProbedStream[] }).streams;
}

/** Writes a sine tone of `seconds` as a WAV file. */
export async function makeTone(dir: string, name: string, seconds: number): Promise<string> {
  const path = join(dir, name);
  await run(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `sine=frequency=330:sample_rate=48000:duration=${seconds}`, path]);
  return path;
}

/** Process ids of this process's ffmpeg children still alive (from every thread's child list). */
export function liveFfmpegChildren(): number[] {
  const pids = readdirSync('/proc/self/task').flatMap((task) => {
    try {
      return readFileSync(`/proc/self/task/${task}/children`, 'utf8').trim().split(' ').filter((p) => p !== '').map(Number);
    } catch {
      return [];
    }
  });
  return pids.filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'ffmpeg' && !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    } catch {
      return false;
    }
  });
}
