// Frames computed in JS: linear blends between keyframes, and camera moves over a still
// (image-to-video). Each yielded frame is a fresh buffer (the encoder may still hold the last).
import type { RgbImage } from '../../image/index.js';
import type { CameraMotion } from '../../protocol/index.js';

/** A crop window of the source in source pixels (top-left corner and size). */
export interface CropWindow {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** How far zooms go: the crop shrinks to 1/ZOOM of the full view. */
export const CAMERA_ZOOM = 1.3;

/** Smooth start and stop (cubic smoothstep): no jolt at either end, no change of speed mid-move. */
export function easeInOut(t: number): number {
  const c = Math.min(1, Math.max(0, t));
  return c * c * (3 - 2 * c);
}

/**
 * The crop window of frame `index` of `count` for `motion` over a `sourceWidth × sourceHeight`
 * still, for an output of aspect `aspect` (width / height). The full view is the largest window
 * of that aspect inside the still, centred. Pans run across the still at a 1.3× zoom; `pan-left`
 * moves the view from the right edge to the left edge (the picture slides right).
 */
export function cropWindowAt(motion: CameraMotion, index: number, count: number, sourceWidth: number, sourceHeight: number, aspect: number): CropWindow {
  const t = easeInOut(count <= 1 ? 0 : index / (count - 1));
  const fullWidth = Math.min(sourceWidth, sourceHeight * aspect);
  const fullHeight = fullWidth / aspect;
  const lerp = (a: number, b: number) => a + (b - a) * t;
  let zoom: number;
  // Centre of the window as a fraction of the room it has to move in (0 = left/top, 1 = right/bottom).
  let fx = 0.5;
  let fy = 0.5;
  switch (motion) {
    case 'zoom-in': zoom = lerp(1, CAMERA_ZOOM); break;
    case 'zoom-out': zoom = lerp(CAMERA_ZOOM, 1); break;
    case 'pan-left': zoom = CAMERA_ZOOM; fx = lerp(1, 0); break;
    case 'pan-right': zoom = CAMERA_ZOOM; fx = lerp(0, 1); break;
    case 'pan-up': zoom = CAMERA_ZOOM; fy = lerp(1, 0); break;
    case 'pan-down': zoom = CAMERA_ZOOM; fy = lerp(0, 1); break;
    case 'ken-burns': zoom = lerp(1, CAMERA_ZOOM); fx = lerp(0.25, 0.75); fy = lerp(0.35, 0.65); break;
  }
  const width = fullWidth / zoom;
  const height = fullHeight / zoom;
  return { x: (sourceWidth - width) * fx, y: (sourceHeight - height) * fy, width, height };
}

/**
 * Samples `window` of `source` into a `width × height` frame with bilinear filtering at
 * sub-pixel positions, so slow moves glide instead of stepping a whole pixel at a time.
 */
export function renderCrop(source: RgbImage, window: CropWindow, width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height * 3);
  const sx = window.width / width;
  const sy = window.height / height;
  const maxX = source.width - 1;
  const maxY = source.height - 1;
  const src = source.rgb;
  const rowStride = source.width * 3;
  const x0s = new Int32Array(width);
  const x1s = new Int32Array(width);
  const wxs = new Float32Array(width);
  for (let x = 0; x < width; x++) {
    const fx = Math.min(maxX, Math.max(0, window.x + (x + 0.5) * sx - 0.5));
    const x0 = Math.floor(fx);
    x0s[x] = x0 * 3;
    x1s[x] = Math.min(maxX, x0 + 1) * 3;
    wxs[x] = fx - x0;
  }
  let o = 0;
  for (let y = 0; y < height; y++) {
    const fy = Math.min(maxY, Math.max(0, window.y + (y + 0.5) * sy - 0.5));
    const y0 = Math.floor(fy);
    const wy = fy - y0;
    const r0 = y0 * rowStride;
    const r1 = Math.min(maxY, y0 + 1) * rowStride;
    for (let x = 0; x < width; x++) {
      const a = x0s[x]!;
      const b = x1s[x]!;
      const wx = wxs[x]!;
      for (let c = 0; c < 3; c++) {
        const top = src[r0 + a + c]! + (src[r0 + b + c]! - src[r0 + a + c]!) * wx;
        const bottom = src[r1 + a + c]! + (src[r1 + b + c]! - src[r1 + a + c]!) * wx;
        out[o++] = Math.round(top + (bottom - top) * wy);
      }
    }
  }
  return out;
}

/** The frames of a camera move over `source`. */
export async function* cameraFrames(source: RgbImage, motion: CameraMotion, count: number, width: number, height: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < count; i++) {
    yield renderCrop(source, cropWindowAt(motion, i, count, source.width, source.height, width / height), width, height);
  }
}

/** `(1 − t)·a + t·b`, rounded, per byte. */
export function blendFrames(a: Uint8Array, b: Uint8Array, t: number): Uint8Array {
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = Math.round(a[i]! + (b[i]! - a[i]!) * t);
  return out;
}

/**
 * Where the keyframes of a `frames`-frame interpolation sit: keyframe i at frame
 * `round(i·(frames − 1)/(keyframes − 1))`, so the first and last frames are keyframes and gaps
 * that cannot be equal differ by one frame at most.
 */
export function keyframePositions(keyframeCount: number, frames: number): number[] {
  return Array.from({ length: keyframeCount }, (_, i) => Math.round((i * (frames - 1)) / (keyframeCount - 1)));
}

/**
 * Every frame of an interpolated sequence: keyframe k at frame `positions[k]`, and between
 * keyframes k and k+1 the frames made by `between(a, b, t)` at `t = j/(gap)` for each frame j
 * of the gap.
 */
export async function* interpolatedFrames(
  keyframes: readonly RgbImage[],
  positions: readonly number[],
  between: (a: RgbImage, b: RgbImage, t: number) => Uint8Array | Promise<Uint8Array>,
): AsyncGenerator<Uint8Array> {
  for (let k = 0; k + 1 < keyframes.length; k++) {
    const a = keyframes[k]!;
    const b = keyframes[k + 1]!;
    const gap = positions[k + 1]! - positions[k]!;
    yield a.rgb.slice();
    for (let j = 1; j < gap; j++) yield await between(a, b, j / gap);
  }
  yield keyframes[keyframes.length - 1]!.rgb.slice();
}

/** Frames in a sequence of `keyframeCount` keyframes with `inBetween` frames per gap. */
export function interpolatedFrameCount(keyframeCount: number, inBetween: number): number {
  return (keyframeCount - 1) * (inBetween + 1) + 1;
}
