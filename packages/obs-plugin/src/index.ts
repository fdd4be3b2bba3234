/**
 * `@framewright/obs-plugin`: the OBS Studio adapter. It talks to OBS through obs-websocket v5
 * (built into OBS 28+) and to the Framewright engine: auto-clips recordings into scenes, puts
 * generated media into scenes, serves a browser dock, and configures OBS (`framewright obs …`).
 *
 * Any new export added here becomes public API.
 *
 * @example Put a file into the current scene
 * The full example, `docs/examples/obs.ts`, is compiled by `npm run typecheck`.
 * ```ts
 * import { addMediaToScene, ObsConnection } from '@framewright/obs-plugin';
 *
 * const obs = new ObsConnection({ url: 'ws://127.0.0.1:4455', password });
 * const info = await obs.connect(); // OBS 28+ with RPC version 1, else ObsAdapterError
 * const placed = await addMediaToScene(obs, '/abs/path/picture.png', 'image');
 * console.log(`added ${placed.inputName} to ${placed.sceneName} in OBS ${info.obsVersion}`);
 * await obs.close();
 * ```
 * @packageDocumentation
 */
export { ObsConnection, DEFAULT_OBS_URL, MIN_OBS_MAJOR, OBS_RPC_VERSION, obsMajorVersion } from './connection.js';
export type { ObsConnectionOptions, ObsInfo } from './connection.js';
export { ObsAdapterError, OBS_ERROR_CODES } from './errors.js';
export type { ObsErrorCode } from './errors.js';
export { clientEngine } from './engine.js';
export type { Engine, EngineRunOptions } from './engine.js';
export { connectEngine, engineWsUrl, ENGINE_URL_ENV, ENGINE_TOKEN_ENV } from './engine-connect.js';
export type { ConnectedEngine, ConnectEngineOptions } from './engine-connect.js';
export { OwnEngine, startEngineProcess, framewrightCommand, FRAMEWRIGHT_CLI_ENV } from './engine-process.js';
export type { EngineProcess, EngineProcessOptions } from './engine-process.js';
export {
  CLIP_SCENE_PREFIX,
  PLAYLIST_INPUT_KIND,
  addMediaToScene,
  baseNameOf,
  canvasSize,
  createClipScene,
  hasPlaylistSource,
  planClipScene,
  playClipsInOrder,
  resolveScene,
  sceneNames,
  uniqueName,
} from './scenes.js';
export type { ClipScene, ClipSceneOptions, ClipScenePlan, MediaKind, PlacedInput } from './scenes.js';
export { RecordingWatcher, clipFolderFor } from './watch.js';
export type { FailedRecording, ProcessedRecording, RecordingOrigin, WatchClipCutSettings, WatchOptions, WatchSubtitleSettings } from './watch.js';
export { generateIntoObs } from './generate.js';
export type { GenerateRequest, ImageRequest, VideoRequest, Placement } from './generate.js';
export {
  ADAPTER_CONFIG_FILE,
  OBS_PASSWORD_ENV,
  OBS_URL_ENV,
  adapterConfigPath,
  checkObsUrl,
  readAdapterConfig,
  resolveObsSettings,
  writeAdapterConfig,
} from './config.js';
export type { AdapterConfig, ObsSettings, SettingSource } from './config.js';
export {
  DEFAULT_OBS_WEBSOCKET_PORT,
  DOCK_TITLE,
  applySetup,
  defaultObsConfigDir,
  dockUrl,
  obsConfigFiles,
  planSetup,
  setupInstructions,
} from './setup.js';
export type { ObsConfigFiles, PlannedFile, SetupOptions, SetupPlan, WebSocketSettings } from './setup.js';
export { runCli } from './cli.js';
export type { RunCliOptions } from './cli.js';
export { OBS_EXIT, processIo } from './cli-io.js';
export type { CliStream, ObsCliIo } from './cli-io.js';
export { DOCK_PATH, dockFolder, servedPages } from './dock/pages.js';
