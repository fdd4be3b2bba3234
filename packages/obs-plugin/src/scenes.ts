import { basename, extname } from 'node:path';
import type { ObsConnection } from './connection.js';
import { ObsAdapterError } from './errors.js';

/** Prefix of the scenes the watcher creates. */
export const CLIP_SCENE_PREFIX = 'Framewright: ';

/** obs-websocket request status: the named resource does not exist. */
const STATUS_RESOURCE_NOT_FOUND = 600;

/** A scene of clips as created in OBS. */
export interface ClipScene {
  /** Name of the scene. */
  readonly sceneName: string;
  /** Names of the `ffmpeg_source` inputs, in clip order. */
  readonly inputNames: readonly string[];
}

/** An input placed into a scene. */
export interface PlacedInput {
  /** The scene it was added to. */
  readonly sceneName: string;
  /** Name of the new input. */
  readonly inputName: string;
  /** Its id inside the scene. */
  readonly sceneItemId: number;
  /** `image_source` or `ffmpeg_source`. */
  readonly inputKind: string;
}

/** What a file becomes in OBS. */
export type MediaKind = 'image' | 'video';

/** Names of every source (scenes and inputs share one namespace in OBS). */
async function sourceNames(obs: ObsConnection): Promise<Set<string>> {
  const [{ scenes }, { inputs }] = await Promise.all([obs.call('GetSceneList'), obs.call('GetInputList')]);
  const names = new Set<string>();
  for (const s of scenes) names.add(String(s['sceneName']));
  for (const i of inputs) names.add(String(i['inputName']));
  return names;
}

/** `name`, or `name (2)`, `name (3)`… whichever is not taken. */
export function uniqueName(name: string, taken: ReadonlySet<string>): string {
  if (!taken.has(name)) return name;
  for (let n = 2; ; n++) {
    const candidate = `${name} (${n})`;
    if (!taken.has(candidate)) return candidate;
  }
}

/** Scales a scene item to fit the canvas, keeping its aspect ratio. */
async function fitToCanvas(obs: ObsConnection, sceneName: string, sceneItemId: number): Promise<void> {
  const video = await obs.call('GetVideoSettings');
  await obs.call('SetSceneItemTransform', {
    sceneName,
    sceneItemId,
    sceneItemTransform: {
      positionX: 0,
      positionY: 0,
      alignment: 5, // top-left
      boundsType: 'OBS_BOUNDS_SCALE_INNER',
      boundsAlignment: 0, // centred inside the bounds
      boundsWidth: Number(video.baseWidth),
      boundsHeight: Number(video.baseHeight),
    },
  });
}

/** The file name without its extension. */
export function baseNameOf(path: string): string {
  return basename(path, extname(path));
}

/** What {@link planClipScene} decided before anything was created. */
export interface ClipScenePlan {
  /** Scene name, unique in OBS when planned. */
  readonly sceneName: string;
  /** One input name per clip, in clip order. */
  readonly inputNames: readonly string[];
}

/**
 * Chooses a scene name (`Framewright: <base name>`, made unique) and one input name per clip
 * (`<base name> · clip 01`, …) without creating anything.
 */
export async function planClipScene(obs: ObsConnection, recordingPath: string, clipCount: number): Promise<ClipScenePlan> {
  const base = baseNameOf(recordingPath);
  const taken = await sourceNames(obs);
  const sceneName = uniqueName(`${CLIP_SCENE_PREFIX}${base}`, taken);
  taken.add(sceneName);
  const width = Math.max(2, String(clipCount).length);
  const inputNames: string[] = [];
  for (let i = 0; i < clipCount; i++) {
    const name = uniqueName(`${base} · clip ${String(i + 1).padStart(width, '0')}`, taken);
    taken.add(name);
    inputNames.push(name);
  }
  return { sceneName, inputNames };
}

/**
 * Creates the planned scene holding one `ffmpeg_source` per clip file, in order. Only the first
 * clip is visible; showing another plays it from the start (`restart_on_activate`). Idempotent:
 * run again after OBS went away part-way, it skips the scene and inputs that already exist.
 */
export async function createClipScene(obs: ObsConnection, plan: ClipScenePlan, clipFiles: readonly string[]): Promise<ClipScene> {
  if (clipFiles.length !== plan.inputNames.length) {
    throw new ObsAdapterError('BAD_ARGUMENTS', `the scene plan names ${plan.inputNames.length} inputs for ${clipFiles.length} clip files`);
  }
  const { scenes } = await obs.call('GetSceneList');
  if (!scenes.some((s) => s['sceneName'] === plan.sceneName)) await obs.call('CreateScene', { sceneName: plan.sceneName });
  const existing = new Set((await obs.call('GetSceneItemList', { sceneName: plan.sceneName })).sceneItems.map((i) => String(i['sourceName'])));
  for (const [i, file] of clipFiles.entries()) {
    const inputName = plan.inputNames[i] as string;
    if (existing.has(inputName)) continue;
    const { sceneItemId } = await obs.call('CreateInput', {
      sceneName: plan.sceneName,
      inputName,
      inputKind: 'ffmpeg_source',
      inputSettings: {
        is_local_file: true,
        local_file: file,
        looping: false,
        restart_on_activate: true,
        // Many clips in one scene: keep only the visible one's file open.
        close_when_inactive: true,
        clear_on_media_end: false,
      },
      sceneItemEnabled: i === 0,
    });
    await fitToCanvas(obs, plan.sceneName, sceneItemId);
  }
  return { sceneName: plan.sceneName, inputNames: plan.inputNames };
}

/**
 * Adds a generated file to a scene: an image as an `image_source`, a video as a looping
 * `ffmpeg_source`, scaled to fit the canvas.
 *
 * @param options.sceneName - target scene (default: the current program scene)
 * @param options.inputName - name of the new input (default: `Framewright <file base name>`, made unique)
 * @throws ObsAdapterError `OBS_SCENE_NOT_FOUND` when the named scene does not exist
 */
export async function addMediaToScene(
  obs: ObsConnection,
  file: string,
  kind: MediaKind,
  options: { sceneName?: string | undefined; inputName?: string | undefined } = {},
): Promise<PlacedInput> {
  const taken = await sourceNames(obs);
  const sceneName = options.sceneName ?? (await obs.call('GetCurrentProgramScene')).currentProgramSceneName;
  const { scenes } = await obs.call('GetSceneList');
  if (!scenes.some((s) => s['sceneName'] === sceneName)) {
    throw new ObsAdapterError('OBS_SCENE_NOT_FOUND', `OBS has no scene named ${JSON.stringify(sceneName)}`);
  }
  const inputName = uniqueName(options.inputName ?? `Framewright ${baseNameOf(file)}`, taken);
  const inputKind = kind === 'image' ? 'image_source' : 'ffmpeg_source';
  const inputSettings: { [key: string]: string | boolean } =
    kind === 'image'
      ? { file }
      : { is_local_file: true, local_file: file, looping: true, restart_on_activate: true, clear_on_media_end: false };
  try {
    const { sceneItemId } = await obs.call('CreateInput', { sceneName, inputName, inputKind, inputSettings, sceneItemEnabled: true });
    await fitToCanvas(obs, sceneName, sceneItemId);
    return { sceneName, inputName, sceneItemId, inputKind };
  } catch (error) {
    if (error instanceof ObsAdapterError && error.obsStatus === STATUS_RESOURCE_NOT_FOUND) {
      throw new ObsAdapterError('OBS_SCENE_NOT_FOUND', `OBS has no scene named ${JSON.stringify(sceneName)}`, { cause: error });
    }
    throw error;
  }
}
