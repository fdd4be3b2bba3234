// Test media made with ffmpeg's lavfi sources. Nothing here is committed output: every test
// generates what it needs into a temp folder.
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** One shot of a generated video. */
export interface Segment {
  /** A lavfi video source without size/rate, e.g. `testsrc2`, `smptehdbars`, `mandelbrot`, `color=c=red`. */
  source: string;
  /** Length in frames. */
  frames: number;
  /** Optional extra filter applied to this shot only (e.g. a flash or fade distractor). */
  filter?: string;
}

/** What to generate. */
export interface VideoSpec {
  segments: Segment[];
  width?: number;
  height?: number;
  /** Frame rate as ffmpeg accepts it: `25`, `30000/1001`, `60`. */
  fps?: string;
  /** Add a sine audio track (one tone per shot). */
  audio?: boolean;
  /** Keyframe interval in frames (default 2 s worth). */
  gop?: number;
  /** Container/extension (default mp4). */
  ext?: string;
}

/** A generated video and its ground truth. */
export interface GeneratedVideo {
  path: string;
  /** Frames where a new shot starts (excluding 0). */
  cuts: number[];
  frameCount: number;
  fps: string;
}

/** A fresh temporary folder. */
export function tempDir(prefix = 'fw-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Generates a video whose hard cuts are known exactly. */
export async function makeVideo(dir: string, name: string, spec: VideoSpec): Promise<GeneratedVideo> {
  const width = spec.width ?? 320;
  const height = spec.height ?? 180;
  const fps = spec.fps ?? '25';
  const args: string[] = ['-hide_banner', '-loglevel', 'error', '-y'];
  const chains: string[] = [];
  spec.segments.forEach((s, i) => {
    const sep = s.source.includes('=') ? ':' : '=';
    // -t stops ffmpeg from rendering an endless source past the frames the shot uses.
    const [sn, sd] = fps.split('/').map(Number);
    const shotSeconds = ((s.frames + 1) * (sd ?? 1)) / (sn ?? 25);
    args.push('-f', 'lavfi', '-t', shotSeconds.toFixed(4), '-i', `${s.source}${sep}s=${width}x${height}:r=${fps}`);
    const extra = s.filter ? `,${s.filter}` : '';
    chains.push(`[${i}:v]trim=end_frame=${s.frames},setpts=PTS-STARTPTS,format=yuv420p${extra}[v${i}]`);
  });
  const n = spec.segments.length;
  let graph = `${chains.join(';')};${spec.segments.map((_, i) => `[v${i}]`).join('')}concat=n=${n}:v=1:a=0[v]`;
  const frameCount = spec.segments.reduce((a, s) => a + s.frames, 0);
  if (spec.audio) {
    const [num, den] = fps.includes('/') ? fps.split('/').map(Number) : [Number(fps), 1];
    const seconds = (frameCount * (den ?? 1)) / (num ?? 25);
    args.push('-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${seconds.toFixed(4)}`);
    graph += `;[${n}:a]anull[a]`;
  }
  args.push('-filter_complex', graph, '-map', '[v]');
  if (spec.audio) args.push('-map', '[a]', '-c:a', 'aac', '-b:a', '64k');
  const [fn, fd] = fps.split('/').map(Number);
  const gop = spec.gop ?? Math.round((2 * (fn ?? 25)) / (fd ?? 1));
  args.push('-frames:v', String(frameCount), '-c:v', 'libx264', '-preset', 'ultrafast', '-g', String(gop), '-pix_fmt', 'yuv420p', '-r', fps);
  const path = join(dir, `${name}.${spec.ext ?? 'mp4'}`);
  args.push(path);
  await run(process.env['FFMPEG_PATH'] ?? 'ffmpeg', args, { maxBuffer: 1 << 24 });
  const cuts: number[] = [];
  let at = 0;
  for (const s of spec.segments.slice(0, -1)) {
    at += s.frames;
    cuts.push(at);
  }
  return { path, cuts, frameCount, fps };
}

/** Counts the decoded video frames of a file with ffprobe. */
export async function countFrames(path: string): Promise<number> {
  const { stdout } = await run(process.env['FFPROBE_PATH'] ?? 'ffprobe', [
    '-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', path,
  ]);
  return Number(stdout.trim());
}
