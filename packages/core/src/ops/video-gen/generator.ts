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

/** Frames a {@link VideoGenerator} made, with anything the user should know (as image-gen's generators return a picture with its warnings). */
export interface GeneratedVideo {
  /** `request.frames` RGB frames, all of the same (native) size. */
  readonly frames: RgbImage[];
  /** Prompt words the model does not know, parts of the prompt it ignores …; they go to the result's warnings. */
  readonly warnings: string[];
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
  /**
   * Whether it can run here now, and why not (e.g. its model files are missing). Asked each time
   * video-gen's availability is, and before each run, so a model installed after start-up is
   * found. Without it the generator can always run.
   */
  availability?(): Promise<GeneratorAvailability>;
  /** Generates `request.frames` RGB frames, all of the same (native) size, and its notes on the prompt. */
  generate(request: VideoGenerationRequest): Promise<GeneratedVideo>;
}

/** Whether a {@link VideoGenerator} can run here. */
export interface GeneratorAvailability {
  /** True when it can run. */
  readonly available: boolean;
  /** Why it cannot, in one line. */
  readonly reason?: string;
}

/** Why text-to-video cannot run in a build without a video model. */
export const TEXT_TO_VIDEO_UNAVAILABLE = 'text-to-video needs the built-in video model, which is not in this build';

/** The error text-to-video fails with when no generator is installed, or it cannot run here (`reason`). */
export function textToVideoUnavailable(reason: string = TEXT_TO_VIDEO_UNAVAILABLE): FramewrightError {
  return new FramewrightError('OPERATION_UNAVAILABLE', reason);
}

/** Whether text-to-video can run with `generator` (none: it cannot). */
export async function textToVideoAvailability(generator: VideoGenerator | undefined): Promise<GeneratorAvailability> {
  if (generator === undefined) return { available: false, reason: TEXT_TO_VIDEO_UNAVAILABLE };
  return (await generator.availability?.()) ?? { available: true };
}
