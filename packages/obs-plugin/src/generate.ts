import { rm } from 'node:fs/promises';
import type { ImageGenParams, ImageGenProgress, VideoGenParams, VideoGenProgress } from '@framewright/core/protocol';
import type { ObsConnection } from './connection.js';
import type { Engine } from './engine.js';
import { addMediaToScene, canvasSize, resolveScene, type PlacedInput } from './scenes.js';

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

/** The largest even size of the canvas's aspect within `max` a side. */
function videoSizeFor(canvas: { width: number; height: number }, max: number): { width: number; height: number } {
  const scale = Math.min(1, max / Math.max(canvas.width, canvas.height));
  const even = (n: number): number => Math.max(16, 2 * Math.round((n * scale) / 2));
  return { width: even(canvas.width), height: even(canvas.height) };
}

/**
 * Runs image-gen or video-gen and puts the result into OBS: each image as an `image_source`,
 * the video as a looping `ffmpeg_source`, fitted to the canvas. Before any work the scene is
 * looked up (a missing one fails with `OBS_SCENE_NOT_FOUND`, naming the scenes there are) and
 * the engine is checked (an operation this engine lacks fails with `OPERATION_UNAVAILABLE`). A
 * video without `width`/`height` is made at the canvas size. When the result cannot be placed,
 * the files it wrote and the inputs already added are removed again.
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
  const sceneName = await resolveScene(obs, placement.sceneName);
  const options = <P>(onProgress: ((p: P) => void) | undefined) => ({ ...(signal ? { signal } : {}), ...(onProgress ? { onProgress } : {}) });
  let files: string[];
  let place: (added: PlacedInput[]) => Promise<void>;
  if (request.kind === 'image') {
    await engine.check('image-gen', request.params);
    const result = await engine.run('image-gen', request.params, options(request.onProgress));
    files = result.images.map((image) => image.path);
    place = async (added) => {
      for (const [i, image] of result.images.entries()) {
        const inputName = placement.inputName !== undefined && result.images.length > 1 ? `${placement.inputName} ${i + 1}` : placement.inputName;
        added.push(await addMediaToScene(obs, image.path, 'image', { sceneName, inputName }));
      }
    };
  } else {
    const params: VideoGenParams =
      request.params.width === undefined && request.params.height === undefined ? { ...request.params, ...videoSizeFor(await canvasSize(obs), 4096) } : request.params;
    await engine.check('video-gen', params);
    const result = await engine.run('video-gen', params, options(request.onProgress));
    files = [...new Set([result.path, ...result.files])];
    place = async (added) => void added.push(await addMediaToScene(obs, result.path, 'video', { sceneName, inputName: placement.inputName }));
  }
  const added: PlacedInput[] = [];
  try {
    await place(added);
    return added;
  } catch (error) {
    // Nothing half-done: neither inputs pointing at removed files nor files no scene shows.
    for (const input of added) await obs.call('RemoveInput', { inputName: input.inputName }).catch(() => undefined);
    for (const file of files) await rm(file, { recursive: true, force: true });
    throw error;
  }
}
