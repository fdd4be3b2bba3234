// A small sample video made from ffmpeg's built-in (lavfi) sources, so `framewright demo` and the
// benchmark need no downloaded media and know the true cuts.
import { writeAtomic } from '../util/fs.js';
import { newCommand, runCommand } from './command.js';
import type { Silence } from './audio.js';
import type { Rational } from './probe.js';

/** Options of {@link generateSampleVideo}. All optional. */
export interface SampleVideoOptions {
  /** Frame width (default 640). */
  readonly width?: number;
  /** Frame height (default 360). */
  readonly height?: number;
  /** Frame rate: a number of frames per second or an exact fraction such as `{ num: 30000, den: 1001 }` (default 25). */
  readonly fps?: number | Rational;
  /** Total length in seconds (default 12). The shots share it in fixed proportions. */
  readonly seconds?: number;
  /**
   * Film-grain strength, 0-40 (default 0): temporal noise that gives the H.264 stream the bitrate
   * of camera footage, for benchmarks.
   */
  readonly grain?: number;
  /** H.264 preset (default `veryfast`). */
  readonly preset?: string;
  /** Cancels generation. */
  readonly signal?: AbortSignal;
}

/** What {@link generateSampleVideo} made. */
export interface SampleVideo {
  /** The file written. */
  readonly path: string;
  /** Frames where a new shot starts (the true hard cuts, without frame 0). */
  readonly cutFrames: number[];
  /** Total number of frames. */
  readonly frameCount: number;
  /** Frame rate as a fraction. */
  readonly fps: Rational;
  /** Where the audio is silent. */
  readonly silence: Silence;
}

// Shot sources and their share of the length. Chosen to look different from each other, with
// motion inside each shot (the detectors must not cut on motion).
const SHOTS: ReadonlyArray<{ source: string; share: number }> = [
  { source: 'testsrc2', share: 0.25 },
  { source: 'smptehdbars', share: 0.15 },
  { source: 'mandelbrot=maxiter=250', share: 0.25 },
  { source: 'life=mold=10:ratio=0.2:seed=7:death_color=#203040:life_color=#e0c080', share: 0.15 },
  { source: 'rgbtestsrc', share: 0.2 },
];

/**
 * Generates an H.264/AAC MP4 at `path` with five shots (hard cuts at known frames) and a tone
 * that falls silent for one second in the middle, and returns the ground truth.
 *
 * @example
 * ```ts
 * const sample = await generateSampleVideo('/tmp/sample.mp4');
 * console.log(sample.cutFrames); // [75, 120, 195, 240] at the defaults
 * ```
 */
export async function generateSampleVideo(path: string, options: SampleVideoOptions = {}): Promise<SampleVideo> {
  const width = options.width ?? 640;
  const height = options.height ?? 360;
  const rate: Rational = typeof options.fps === 'object' ? options.fps : { num: options.fps ?? 25, den: 1 };
  const fps = rate.num / rate.den;
  const fpsText = `${rate.num}/${rate.den}`;
  const seconds = options.seconds ?? 12;
  const frameCount = Math.round(seconds * fps);
  const lengths = SHOTS.map((s) => Math.round(s.share * frameCount));
  lengths[lengths.length - 1] = frameCount - lengths.slice(0, -1).reduce((a, b) => a + b, 0);
  const cutFrames: number[] = [];
  lengths.slice(0, -1).reduce((at, n) => (cutFrames.push(at + n), at + n), 0);
  const duration = frameCount / fps;
  const silence = { startSeconds: Math.round(duration * 0.45 * 10) / 10, endSeconds: Math.round(duration * 0.45 * 10) / 10 + 1 };

  // Fractal and cellular sources are slow at large sizes: render at most 640 wide and scale up.
  const renderWidth = Math.min(width, 640);
  const renderHeight = Math.max(2, Math.round((renderWidth * height) / width / 2) * 2);
  const upscale = renderWidth === width ? '' : `,scale=${width}:${height}:flags=bicubic`;
  const grain = options.grain ?? 0;
  const noise = grain > 0 ? `,noise=alls=${grain}:allf=t` : '';

  await writeAtomic(path, async (temp) => {
    const command = await newCommand();
    const chains: string[] = [];
    SHOTS.forEach((shot, i) => {
      const sep = shot.source.includes('=') ? ':' : '=';
      // -t stops ffmpeg from rendering an endless source past the frames the shot uses.
      command.input(`${shot.source}${sep}s=${renderWidth}x${renderHeight}:r=${fpsText}`).inputFormat('lavfi').inputOptions(['-t', ((lengths[i]! + 1) / fps).toFixed(4)]);
      chains.push(`[${i}:v]trim=end_frame=${lengths[i]},setpts=PTS-STARTPTS${upscale},format=yuv420p${noise}[v${i}]`);
    });
    command.input(`sine=frequency=330:sample_rate=48000:duration=${duration}`).inputFormat('lavfi');
    const concat = `${SHOTS.map((_, i) => `[v${i}]`).join('')}concat=n=${SHOTS.length}:v=1:a=0[v]`;
    const mute = `[${SHOTS.length}:a]volume=enable='between(t,${silence.startSeconds},${silence.endSeconds})':volume=0[a]`;
    command
      .complexFilter([...chains, concat, mute].join(';'))
      .outputOptions([
        '-map', '[v]', '-map', '[a]', '-frames:v', String(frameCount),
        '-c:v', 'libx264', '-preset', options.preset ?? 'veryfast', '-pix_fmt', 'yuv420p', '-g', String(Math.round(2 * fps)), '-r', fpsText,
        '-c:a', 'aac', '-b:a', '96k', '-movflags', '+faststart', '-f', 'mp4',
      ])
      .output(temp);
    await runCommand(command, `generating a sample video at ${path}`, options.signal).done;
  });
  return { path, cutFrames, frameCount, fps: rate, silence };
}
