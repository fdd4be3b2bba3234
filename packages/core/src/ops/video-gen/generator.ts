// The seam where a text-to-video model plugs into video-gen. The op owns sizes, encoding, tracks
// and outputs; a generator only turns a prompt into frames at its native size.
import { FramewrightError } from '../../protocol/index.js';
import type { RgbImage } from '../../image/index.js';

/** What a {@link VideoGenerator} is asked for. */
export interface VideoGenerationRequest {
  /** The text prompt. */
  readonly prompt: string;
  /** Number of frames to generate. */
  readonly frames: number;
  /** Seed: the same request with the same seed gives the same frames. */
  readonly seed: number;
  /** Called after each denoising step (1-based `step` of `steps`). */
  readonly onStep: (step: number, steps: number) => void;
  /** Aborts generation; the generator rejects with `CANCELLED`. */
  readonly signal: AbortSignal;
}

/**
 * A text-to-video model. video-gen resizes its frames to the requested size and encodes them.
 *
 * @example
 * ```ts
 * const op = createVideoGenOperation({ textToVideo: myGenerator });
 * ```
 */
export interface VideoGenerator {
  /** Name shown in results and capabilities. */
  readonly name: string;
  /** Generates `request.frames` RGB frames, all of the same (native) size. */
  generate(request: VideoGenerationRequest): Promise<RgbImage[]>;
}

/** Why text-to-video cannot run in a build without a video model. */
export const TEXT_TO_VIDEO_UNAVAILABLE = 'text-to-video needs the built-in video model, which is not in this build';

/** The error text-to-video fails with when no generator is installed. */
export function textToVideoUnavailable(): FramewrightError {
  return new FramewrightError('OPERATION_UNAVAILABLE', TEXT_TO_VIDEO_UNAVAILABLE);
}
