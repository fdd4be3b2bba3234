import type { ImageGenParams, ImageGenProgress, VideoGenParams, VideoGenProgress } from '@framewright/core/protocol';
import type { ObsConnection } from './connection.js';
import type { Engine } from './engine.js';
import { addMediaToScene, type PlacedInput } from './scenes.js';

/** An image to generate. */
export interface ImageRequest {
  /** Generates images (each becomes an `image_source`). */
  readonly kind: 'image';
  /** image-gen params. */
  readonly params: ImageGenParams;
  /** Receives image-gen progress. */
  readonly onProgress?: (progress: ImageGenProgress) => void;
}

/** A video to generate. */
export interface VideoRequest {
  /** Generates a video (it becomes a looping `ffmpeg_source`). */
  readonly kind: 'video';
  /** video-gen params. */
  readonly params: VideoGenParams;
  /** Receives video-gen progress. */
  readonly onProgress?: (progress: VideoGenProgress) => void;
}

/** What to generate. */
export type GenerateRequest = ImageRequest | VideoRequest;

/** Where generated media is placed. */
export interface Placement {
  /** Target scene (default: the current program scene). */
  readonly sceneName?: string | undefined;
  /** Name of the new input (default: `Framewright <file base name>`); numbered when there are several images. */
  readonly inputName?: string | undefined;
}

/**
 * Runs image-gen or video-gen and puts the result into OBS: each image as an `image_source`,
 * the video as a looping `ffmpeg_source`. The engine is checked first, so an operation this
 * engine lacks fails before any work (with `OPERATION_UNAVAILABLE` and the reason).
 *
 * @example
 * ```ts
 * const placed = await generateIntoObs(obs, engine, { kind: 'image', params: { prompt: 'a red fox' } });
 * ```
 */
export async function generateIntoObs(
  obs: ObsConnection,
  engine: Engine,
  request: GenerateRequest,
  placement: Placement = {},
  signal?: AbortSignal,
): Promise<PlacedInput[]> {
  const options = <P>(onProgress: ((p: P) => void) | undefined) => ({ ...(signal ? { signal } : {}), ...(onProgress ? { onProgress } : {}) });
  if (request.kind === 'image') {
    await engine.check('image-gen', request.params);
    const result = await engine.run('image-gen', request.params, options(request.onProgress));
    const placed: PlacedInput[] = [];
    for (const [i, image] of result.images.entries()) {
      const inputName = placement.inputName !== undefined && result.images.length > 1 ? `${placement.inputName} ${i + 1}` : placement.inputName;
      placed.push(await addMediaToScene(obs, image.path, 'image', { sceneName: placement.sceneName, inputName }));
    }
    return placed;
  }
  await engine.check('video-gen', request.params);
  const result = await engine.run('video-gen', request.params, options(request.onProgress));
  return [await addMediaToScene(obs, result.path, 'video', placement)];
}
