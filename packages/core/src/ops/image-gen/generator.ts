import type { RgbImage } from '../../image/index.js';

/** What one picture is generated from. */
export interface GenerationRequest {
  /** The prompt. */
  readonly prompt: string;
  /** What to steer away from (models with guidance only). */
  readonly negativePrompt?: string;
  /** Requested output size (multiples of 8). */
  readonly width: number;
  /** Requested output size (multiples of 8). */
  readonly height: number;
  /** Seed of this picture. */
  readonly seed: number;
  /** Sampling steps. */
  readonly steps: number;
}

/** A generated picture at the generator's own size, with anything the user should know. */
export interface GeneratedImage {
  /** The picture: native size for generators that upscale, else the requested size. */
  readonly image: RgbImage;
  /** Prompt words not understood, truncation, ignored settings … */
  readonly warnings: string[];
}

/** Called after each step; `preview` is a small picture of the current estimate when cheap. */
export type StepListener = (step: number, steps: number, preview?: RgbImage) => void;

/** What image-gen plans a run by: a model's sizes and steps, known loaded or not ({@link ImageGenerator}, `ImageModelLimits`). */
export interface ImageModelTerms {
  /** Model id reported in results and PNG text chunks. */
  readonly id: string;
  /** Size the model generates at when it does not generate at the requested size (or its recommended size). */
  readonly nativeWidth: number;
  /** See {@link ImageModelTerms.nativeWidth}. */
  readonly nativeHeight: number;
  /** True when the model's own output is native size and is upscaled to the requested size (ESRGAN + resize). */
  readonly upscales: boolean;
  /** Steps when the params give none. */
  readonly defaultSteps: number;
  /** Largest step count that makes sense (SD-Turbo: 4). */
  readonly maxSteps: number;
}

/** A loaded text-to-image model behind image-gen (the built-in model or a pack's pipeline). */
export interface ImageGenerator extends ImageModelTerms {
  /** Generates one picture; checks `signal` between steps and rejects with `CANCELLED`. */
  generate(request: GenerationRequest, onStep: StepListener, signal: AbortSignal): Promise<GeneratedImage>;
}
