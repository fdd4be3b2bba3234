// Still pictures (PNG, JPEG, anything ffmpeg reads) decoded to raw RGB in memory, resized by
// ffmpeg's scaler on the way when asked. The raw bytes go through a temporary file: a still is
// small, and a file has none of a pipe's end-of-stream races.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RgbImage } from '../image/index.js';
import { FramewrightError } from '../protocol/index.js';
import { newCommand, runCommand } from './command.js';
import { probe } from './probe.js';

/** The image module's `RgbImage` under the name media has exported it by (the video model code uses it). */
export type RawRgbImage = RgbImage;

/** Options of {@link decodeImage}. */
export interface DecodeImageOptions {
  /** Resize to this width (with `height`); default: the picture's own size. */
  readonly width?: number;
  /** Resize to this height (with `width`). */
  readonly height?: number;
  /** For a video: its first frame (default) or its last one. */
  readonly frame?: 'first' | 'last';
  /** Cancels decoding (ffmpeg is killed; rejects with `CANCELLED`). */
  readonly signal?: AbortSignal;
}

/** The size of a still picture or a video as ffprobe reports it, and its frame count (1 for a still). */
export async function imageSize(input: string): Promise<{ width: number; height: number; path: string; frames: number }> {
  const info = await probe(input);
  return { width: info.width, height: info.height, path: info.path, frames: info.frameCount };
}

/**
 * Decodes `input` (a PNG, a JPEG, or a video's first or last frame) to RGB, resized with bicubic
 * filtering when `width`/`height` differ from its size.
 *
 * Errors: `INPUT_NOT_FOUND`, `INPUT_UNREADABLE`, `UNSUPPORTED_MEDIA` (not a picture), `CANCELLED`.
 *
 * @example
 * ```ts
 * const key = await decodeImage('a.png', { width: 512, height: 288 });
 * console.log(key.rgb.length); // 512 * 288 * 3
 * ```
 */
export async function decodeImage(input: string, options: DecodeImageOptions = {}): Promise<RgbImage> {
  const source = await imageSize(input);
  const width = options.width ?? source.width;
  const height = options.height ?? source.height;
  const dir = await mkdtemp(join(tmpdir(), 'fw-image-'));
  try {
    const raw = join(dir, 'frame.rgb');
    const last = options.frame === 'last' && source.frames > 1;
    const command = (await newCommand()).input(source.path);
    // The last frame: decode the final second (input seeking from the end) and keep its last frame.
    if (last) command.inputOptions(['-sseof', '-1']);
    command
      .outputOptions([
        '-map', '0:v:0', ...(last ? [] : ['-frames:v', '1']), '-an', '-sn', '-dn',
        '-vf', `scale=${width}:${height}:flags=bicubic+accurate_rnd+full_chroma_int`,
        '-pix_fmt', 'rgb24', '-f', 'rawvideo',
      ])
      .output(raw);
    await runCommand(command, `decoding the picture ${source.path}`, options.signal).done;
    const all = await readFile(raw);
    const frameBytes = width * height * 3;
    const rgb = new Uint8Array(all.subarray(Math.max(0, all.length - frameBytes)));
    if (rgb.length !== frameBytes || all.length % frameBytes !== 0) {
      throw new FramewrightError('UNSUPPORTED_MEDIA', `${source.path} did not decode to a ${width}x${height} picture`);
    }
    return { width, height, rgb };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
