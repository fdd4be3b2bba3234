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
  /**
   * The `vlc_source` that plays every clip in order, when this OBS has the VLC source; then it is
   * the one visible item and the clip inputs are hidden (there to be shown one by one). Without
   * it the first clip is visible and {@link playClipsInOrder} advances from clip to clip.
   */
  readonly playlistName: string | undefined;
}

/** obs-websocket's input kind of OBS's VLC video source, which plays a playlist of files. */
export const PLAYLIST_INPUT_KIND = 'vlc_source';

/** Whether this OBS offers the VLC video source (it needs VLC's libraries on the machine). */
export async function hasPlaylistSource(obs: ObsConnection): Promise<boolean> {
  const { inputKinds } = await obs.call('GetInputKindList', { unversioned: true });
  return inputKinds.includes(PLAYLIST_INPUT_KIND);
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

/** The canvas (base) size. */
export async function canvasSize(obs: ObsConnection): Promise<{ width: number; height: number }> {
  const video = await obs.call('GetVideoSettings');
  return { width: Number(video.baseWidth), height: Number(video.baseHeight) };
}

/** The names of OBS's scenes, in OBS's list order. */
export async function sceneNames(obs: ObsConnection): Promise<string[]> {
  const { scenes } = await obs.call('GetSceneList');
  // obs-websocket lists scenes bottom-up; the Scenes dock shows them top-down.
  return scenes.map((s) => String(s['sceneName'])).reverse();
}

/**
 * The scene to add to: the named one, or the current program scene. Asked before anything is
 * generated, so a wrong name fails at once.
 * @throws ObsAdapterError `OBS_SCENE_NOT_FOUND` naming the scenes there are
 */
export async function resolveScene(obs: ObsConnection, sceneName: string | undefined): Promise<string> {
  const wanted = sceneName ?? (await obs.call('GetCurrentProgramScene')).currentProgramSceneName;
  const names = await sceneNames(obs);
  if (!names.includes(wanted)) {
    const list = names.length === 0 ? 'it has none' : `its scenes are ${names.map((n) => JSON.stringify(n)).join(', ')}`;
    throw new ObsAdapterError('OBS_SCENE_NOT_FOUND', `OBS has no scene named ${JSON.stringify(wanted)}: ${list} (pass one with --scene)`);
  }
  return wanted;
}

/**
 * Scales a scene item to fill the canvas, keeping its aspect ratio: bounds of the canvas's size
 * with `OBS_BOUNDS_SCALE_INNER`, so the fit holds whatever size the source turns out to be once
 * its file is open (a media source has no size until then).
 */
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
  /** Name of the playlist input that plays them all (used where OBS has the VLC source). */
  readonly playlistName: string;
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
  const playlistName = uniqueName(`${base} · all clips`, taken);
  return { sceneName, inputNames, playlistName };
}

/** Options of {@link createClipScene}. */
export interface ClipSceneOptions {
  /**
   * Add a `vlc_source` playlist of every clip, in order, as the scene's visible item (default:
   * where this OBS has the VLC source). Without it the first clip is visible.
   */
  readonly playlist?: boolean | undefined;
}

/**
 * Creates the planned scene holding one `ffmpeg_source` per clip file, in order, each fitted to
 * the canvas, and — where OBS has the VLC source — a playlist source on top that plays the
 * clips one after another whenever the scene is shown (the clip sources are then hidden, for
 * showing one clip by hand). Without the playlist only the first clip is visible, and
 * {@link playClipsInOrder} advances the scene from clip to clip. Showing a clip plays it from
 * the start (`restart_on_activate`). Idempotent: run again after OBS went away part-way, it
 * skips the scene and inputs that already exist.
 */
export async function createClipScene(obs: ObsConnection, plan: ClipScenePlan, clipFiles: readonly string[], options: ClipSceneOptions = {}): Promise<ClipScene> {
  if (clipFiles.length !== plan.inputNames.length) {
    throw new ObsAdapterError('BAD_ARGUMENTS', `the scene plan names ${plan.inputNames.length} inputs for ${clipFiles.length} clip files`);
  }
  const { scenes } = await obs.call('GetSceneList');
  if (!scenes.some((s) => s['sceneName'] === plan.sceneName)) await obs.call('CreateScene', { sceneName: plan.sceneName });
  const existing = new Set((await obs.call('GetSceneItemList', { sceneName: plan.sceneName })).sceneItems.map((i) => String(i['sourceName'])));
  const playlist = options.playlist ?? (await hasPlaylistSource(obs));
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
      sceneItemEnabled: !playlist && i === 0,
    });
    await fitToCanvas(obs, plan.sceneName, sceneItemId);
  }
  if (playlist && !existing.has(plan.playlistName)) {
    const { sceneItemId } = await obs.call('CreateInput', {
      sceneName: plan.sceneName,
      inputName: plan.playlistName,
      inputKind: PLAYLIST_INPUT_KIND,
      inputSettings: {
        playlist: clipFiles.map((file) => ({ value: file, hidden: false, selected: false })),
        loop: false,
        shuffle: false,
        // From the first clip each time the scene goes live.
        playback_behavior: 'stop_restart',
      },
      sceneItemEnabled: true,
    });
    await fitToCanvas(obs, plan.sceneName, sceneItemId);
  }
  return { sceneName: plan.sceneName, inputNames: plan.inputNames, playlistName: playlist ? plan.playlistName : undefined };
}

/**
 * Plays a scene of clip sources in order: when the visible clip ends (`MediaInputPlaybackEnded`)
 * it is hidden and the next one shown, which starts it from its beginning; the end of a hidden
 * clip changes nothing. The last clip stays on its last frame. For scenes without a playlist source; runs while the connection is open.
 * @returns a function that stops following the scene
 */
export function playClipsInOrder(obs: ObsConnection, scene: Pick<ClipScene, 'sceneName' | 'inputNames'>): () => void {
  const index = new Map(scene.inputNames.map((name, i) => [name, i]));
  let chain = Promise.resolve();
  const off = obs.on('MediaInputPlaybackEnded', (event) => {
    const i = index.get(String(event?.inputName));
    const next = i === undefined ? undefined : scene.inputNames[i + 1];
    if (i === undefined || next === undefined) return;
    const current = scene.inputNames[i] as string;
    chain = chain
      .then(async () => {
        const sceneName = scene.sceneName;
        const [{ sceneItemId: shown }, { sceneItemId: hidden }] = await Promise.all([
          obs.call('GetSceneItemId', { sceneName, sourceName: next }),
          obs.call('GetSceneItemId', { sceneName, sourceName: current }),
        ]);
        // Only the visible clip advances the scene: when the scene goes live OBS starts its hidden
        // clips too, and they report an end as they close at once.
        const { sceneItemEnabled } = await obs.call('GetSceneItemEnabled', { sceneName, sceneItemId: hidden });
        if (!sceneItemEnabled) return;
        await obs.call('SetSceneItemEnabled', { sceneName, sceneItemId: shown, sceneItemEnabled: true });
        await obs.call('SetSceneItemEnabled', { sceneName, sceneItemId: hidden, sceneItemEnabled: false });
      })
      // The scene or a clip was removed or renamed by the user, or OBS went away: nothing to advance.
      .catch(() => undefined);
  });
  return off;
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
  const sceneName = await resolveScene(obs, options.sceneName);
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
