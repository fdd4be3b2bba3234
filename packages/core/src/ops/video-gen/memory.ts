// What a video-gen run holds in memory, estimated at submit from the params and picture headers
// (no decoding): the engine refuses a request whose estimate exceeds its memory budget.
import { availableParallelism } from 'node:os';
import { readPictureSize, type PixelSize } from '../../image/header.js';
import { imageSize, type VideoContainer } from '../../media/index.js';
import type { VideoGenParams } from '../../protocol/index.js';
import type { MemoryNeed } from '../types.js';
import { CAMERA_ZOOM } from './frames.js';
import { outputSize } from './size.js';

/**
 * Frames the pipeline holds besides the keyframes or the still: the feed's two-frame buffer,
 * the frame being made, and the copy being written to ffmpeg.
 */
const WORKING_FRAMES = 4;

/**
 * Bytes per output pixel an ffmpeg encoder holds. Measured (peak RSS of ffmpeg): libx264 preset
 * fast holds its lookahead and one picture set per frame thread, about 150 + 12 × threads bytes
 * a pixel (2.7 GB at 4096×4096 with 3 threads, 0.94 GB at 2048×2048 with 8); ProRes and PNG about 30.
 */
export function encoderBytesPerPixel(format: VideoContainer, cpus = availableParallelism()): number {
  if (format !== 'mp4') return 32;
  const threads = Math.min(64, Math.round(cpus * 1.5)); // x264's own default
  return 150 + 12 * threads;
}

/** minterpolate (interpolation "motion") holds about this much per pixel besides the encoder: measured 170. */
const MOTION_FILTER_BYTES_PER_PIXEL = 180;
// Optical flow of one keyframe pair: two float fields both ways (16), grey pyramids (11), the
// consistency masks (2), and the motion, weights and colour sums of the frame being made (28).
const FLOW_BYTES_PER_PIXEL = 57;

const RGB = 3;

/** The size of a picture or clip: from its header when it is a PNG or JPEG, else from ffprobe; undefined when unreadable (the run then says why). */
async function sourceSize(path: string): Promise<PixelSize | undefined> {
  const header = await readPictureSize(path);
  if (header !== undefined) return header;
  return imageSize(path).then(
    (s) => ({ width: s.width, height: s.height }),
    () => undefined,
  );
}

/** The video size the run will pick, when the params or the source tell it. */
function outputOf(params: VideoGenParams, source: PixelSize | undefined, maxWidth?: number): PixelSize | undefined {
  if (params.width !== undefined && params.height !== undefined) return { width: params.width, height: params.height };
  return source === undefined ? undefined : outputSize(params, source, maxWidth);
}

const times = (s: PixelSize) => `${s.width}×${s.height}`;

/**
 * The memory a video-gen run will hold at its peak, or undefined when the params do not say
 * enough (a missing keyframe: the run reports that). Counts the decoded keyframes or still, the
 * frames in flight, and the ffmpeg children (decoder, interpolation filter, encoder); a
 * text-to-video model's own frames are not known before it runs and are not counted.
 */
export async function videoGenMemory(params: VideoGenParams, defaults: { readonly format: VideoContainer; readonly interpolation: string; readonly frames: number }): Promise<MemoryNeed | undefined> {
  const format = params.format ?? defaults.format;
  const encoder = (size: PixelSize) => size.width * size.height * encoderBytesPerPixel(format);
  if (params.mode === 'interpolate') {
    const keyframes = params.keyframes ?? [];
    if (keyframes.length < 2) return undefined;
    const out = outputOf(params, await sourceSize(keyframes[0]!));
    if (out === undefined) return undefined;
    const frame = out.width * out.height * RGB;
    const interpolation = params.interpolation ?? (params.model === undefined ? defaults.interpolation : 'model');
    const working = interpolation === 'motion' ? MOTION_FILTER_BYTES_PER_PIXEL : interpolation === 'flow' ? FLOW_BYTES_PER_PIXEL : 0;
    const encoding = WORKING_FRAMES * frame + encoder(out) + out.width * out.height * working;
    // Each keyframe is decoded by ffmpeg at its own size, then read and copied here: the largest
    // one's decoding (before encoding starts) may outweigh the encoder.
    let decoding = 2 * frame;
    for (const path of keyframes) {
      const size = await readPictureSize(path);
      if (size !== undefined) decoding = Math.max(decoding, 2 * size.width * size.height * RGB + 2 * frame);
    }
    return { bytes: keyframes.length * frame + Math.max(encoding, decoding), what: `${keyframes.length} keyframes of ${times(out)}`, pointer: '/keyframes' };
  }
  if (params.mode === 'image-to-video') {
    if (params.image === undefined) return undefined;
    const source = await sourceSize(params.image);
    const out = outputOf(params, source, 1920);
    if (source === undefined || out === undefined) return undefined;
    // The still is decoded at about the zoom times the output (see planCameraMove), never above its own size.
    const fullWidth = Math.min(source.width, (source.height * out.width) / out.height);
    const scale = Math.min(1, (out.width * CAMERA_ZOOM) / fullWidth);
    const still = Math.round(source.width * scale) * Math.round(source.height * scale) * RGB;
    const frame = out.width * out.height * RGB;
    const decoding = 2 * source.width * source.height * RGB + 2 * still;
    const frames = params.frames ?? defaults.frames;
    return { bytes: still + Math.max(WORKING_FRAMES * frame + encoder(out), decoding), what: `${frames} frames of ${times(out)} from a ${times(source)} picture`, pointer: '/image' };
  }
  if (params.width === undefined && params.height === undefined) return undefined;
  const out = { width: params.width ?? params.height!, height: params.height ?? params.width! };
  const frames = params.frames ?? defaults.frames;
  return { bytes: WORKING_FRAMES * out.width * out.height * RGB + encoder(out), what: `${frames} frames of ${times(out)}`, pointer: params.width === undefined ? '/height' : '/width' };
}
