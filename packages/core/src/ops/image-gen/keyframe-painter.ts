// image-gen's models as the painter of text-to-video's keyframes. video-gen never imports
// image-gen: the ops registry hands it this loader, whose shape matches video-gen's KeyframePainter.
import type { RgbImage } from '../../image/index.js';
import { cancelled } from '../../protocol/index.js';
import { loadImageGenerator } from './models.js';

/**
 * Loads the text-to-image model `model` (a pack id, or the built-in model's) and returns a
 * painter that draws one picture per call at the model's default steps.
 */
export async function imageGenKeyframePainter(model: string): Promise<{
  readonly id: string;
  paint(prompt: string, seed: number, width: number, height: number, signal: AbortSignal): Promise<{ image: RgbImage; warnings: readonly string[] }>;
}> {
  const generator = await loadImageGenerator(model);
  return {
    id: generator.id,
    async paint(prompt, seed, width, height, signal) {
      if (signal.aborted) throw cancelled('video-gen');
      const { image, warnings } = await generator.generate({ prompt, width, height, seed, steps: generator.defaultSteps }, () => {}, signal);
      return { image, warnings };
    },
  };
}
