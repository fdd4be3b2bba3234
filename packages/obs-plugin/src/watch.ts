import { EventEmitter } from 'node:events';
import { access, constants } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { cancelled, FramewrightError, type ClipCutParams, type ClipCutProgress, type ClipCutResult, type SubtitlesParams } from '@framewright/core/protocol';
import type { ObsConnection } from './connection.js';
import type { Engine } from './engine.js';
import { ObsAdapterError } from './errors.js';
import { baseNameOf, createClipScene, planClipScene, playClipsInOrder, type ClipScenePlan } from './scenes.js';

/** Where a file to cut came from. */
export type RecordingOrigin = 'recording' | 'replay-buffer';

/** The state obs-websocket reports once a recording is finished and its file is closed. */
const OUTPUT_STOPPED = 'OBS_WEBSOCKET_OUTPUT_STOPPED';

/** clip-cut settings the watcher lets callers tune; input, outputs and clip mode are its own. */
export type WatchClipCutSettings = Omit<ClipCutParams, 'input' | 'outputDir' | 'exports' | 'clipMode' | 'name'>;

/** Subtitles settings the watcher passes on; input, folder, name and format are its own (an .srt beside the recording). */
export type WatchSubtitleSettings = Omit<SubtitlesParams, 'input' | 'outputDir' | 'formats' | 'name'>;

/** Options of {@link RecordingWatcher}. */
export interface WatchOptions {
  /** Runs clip-cut. */
  readonly engine: Engine;
  /** Folder under which each recording gets its clip folder (default: beside the recording). */
  readonly outDir?: string | undefined;
  /** Also write a CMX3600 EDL of the cut list. */
  readonly exportEdl?: boolean;
  /** Also write an OpenTimelineIO file of the cut list. */
  readonly exportOtio?: boolean;
  /** Detector settings passed to clip-cut. */
  readonly clipCut?: WatchClipCutSettings;
  /**
   * Also tighten each recording: clip-cut's `remove` (e.g. `['silence']`) and its `render` export,
   * so `<name>-edited.mp4` (the kept parts end to end) lands in the clip folder beside the clips.
   */
  readonly remove?: NonNullable<ClipCutParams['remove']>;
  /**
   * Also caption each recording: the engine's `subtitles` operation writes `<recording name>.srt`
   * beside the recording (as OBS's LocalVocal plugin does). A caption that fails is logged; the
   * clips and the scene are made all the same.
   */
  readonly subtitles?: WatchSubtitleSettings;
  /** Receives one line per step. */
  readonly log?: (line: string) => void;
  /** Receives clip-cut progress. */
  readonly onProgress?: (recording: string, progress: ClipCutProgress) => void;
  /**
   * Give each scene a VLC playlist source that plays its clips in order (default: where OBS has
   * the VLC source). Without one, the watcher itself advances each scene from clip to clip as
   * each ends, for as long as it runs.
   */
  readonly playlist?: boolean | undefined;
}

/** A recording that was cut and put into OBS. */
export interface ProcessedRecording {
  /** The recording file. */
  readonly recording: string;
  /** Whether it came from a recording or the replay buffer. */
  readonly origin: RecordingOrigin;
  /** The clip-cut result (cut list, clip files, exports). */
  readonly result: ClipCutResult;
  /** The scene created in OBS. */
  readonly sceneName: string;
  /** Its `ffmpeg_source` inputs, in clip order. */
  readonly inputNames: readonly string[];
  /** The `vlc_source` that plays them in order, if the scene has one. */
  readonly playlistName: string | undefined;
  /** With {@link WatchOptions.remove}: the tightened recording (`<name>-edited.mp4`). */
  readonly edited?: string;
  /** The .srt written beside the recording, when subtitles were asked for and succeeded. */
  readonly subtitles?: string;
}

/** A recording that could not be processed, and why. */
export interface FailedRecording {
  /** The recording file. */
  readonly recording: string;
  /** Whether it came from a recording or the replay buffer. */
  readonly origin: RecordingOrigin;
  /** What went wrong (a `FramewrightError` from the engine or an `ObsAdapterError`). */
  readonly error: Error;
}

/** The clip folder for a recording: `<outDir>/<base name>` or `<recording folder>/<base name> clips`. */
export function clipFolderFor(recording: string, outDir?: string): string {
  const base = baseNameOf(recording);
  return outDir === undefined ? join(dirname(recording), `${base} clips`) : join(outDir, base);
}

/**
 * Auto-clips OBS recordings: when a recording stops (`RecordStateChanged` with
 * `OBS_WEBSOCKET_OUTPUT_STOPPED`) or the replay buffer is saved (`ReplayBufferSaved`), runs
 * clip-cut on the file (frame-exact clip files, smart-cut) and creates a scene
 * `Framewright: <base name>` with one `ffmpeg_source` per clip, fitted to the canvas, that plays
 * the clips in order (see {@link createClipScene}). Files are processed one at a
 * time in the order they arrived, so a recording that finishes while another is being cut
 * waits its turn. When OBS quits mid-job the cut goes on and the scene is created once OBS is
 * back.
 *
 * @example
 * ```ts
 * const watcher = new RecordingWatcher(obs, { engine, log: console.log });
 * watcher.onProcessed((r) => console.log(r.sceneName, r.inputNames));
 * watcher.start();
 * ```
 */
export class RecordingWatcher {
  readonly #obs: ObsConnection;
  readonly #options: WatchOptions;
  readonly #events = new EventEmitter();
  readonly #abort = new AbortController();
  readonly #unsubscribe: (() => void)[] = [];
  #tail: Promise<void> = Promise.resolve();
  #queued = 0;

  /**
   * Makes a watcher; it listens once {@link RecordingWatcher.start} is called.
   * @param obs - the OBS connection (connected, or about to be)
   * @param options - engine and export options
   */
  constructor(obs: ObsConnection, options: WatchOptions) {
    this.#obs = obs;
    this.#options = options;
  }

  /** Number of files waiting or being processed. */
  get pending(): number {
    return this.#queued;
  }

  /** Starts listening to OBS's recording and replay-buffer events. */
  start(): void {
    this.#unsubscribe.push(
      this.#obs.on('RecordStateChanged', (event) => {
        const path: unknown = event?.outputPath;
        if (event?.outputState === OUTPUT_STOPPED && typeof path === 'string' && path !== '') this.enqueue(path, 'recording');
      }),
      this.#obs.on('ReplayBufferSaved', (event) => {
        const path: unknown = event?.savedReplayPath;
        if (typeof path === 'string' && path !== '') this.enqueue(path, 'replay-buffer');
      }),
    );
  }

  /** Queues a file to cut; it is processed after every file queued before it. */
  enqueue(recording: string, origin: RecordingOrigin = 'recording'): void {
    this.#queued++;
    this.#options.log?.(`queued ${origin} ${recording}${this.#queued > 1 ? ` (${this.#queued - 1} ahead)` : ''}`);
    this.#tail = this.#tail.then(async () => {
      try {
        await this.#process(recording, origin);
      } finally {
        this.#queued--;
      }
    });
  }

  /** Called after each recording is cut and its scene created. */
  onProcessed(listener: (processed: ProcessedRecording) => void): () => void {
    this.#events.on('processed', listener);
    return () => void this.#events.off('processed', listener);
  }

  /** Called when a recording could not be processed; the watcher goes on with the next one. */
  onFailed(listener: (failed: FailedRecording) => void): () => void {
    this.#events.on('failed', listener);
    return () => void this.#events.off('failed', listener);
  }

  /** Resolves when every queued file has been processed. */
  async idle(): Promise<void> {
    while (this.#queued > 0) await this.#tail;
  }

  /** Stops listening and cancels the job in progress (its clip-cut is aborted). */
  async stop(): Promise<void> {
    for (const off of this.#unsubscribe.splice(0)) off();
    this.#abort.abort(cancelled('the recording', 'because the OBS watcher was stopped'));
    await this.#tail;
  }

  async #process(recording: string, origin: RecordingOrigin): Promise<void> {
    const log = this.#options.log;
    try {
      if (this.#abort.signal.aborted) throw this.#abort.signal.reason;
      await this.#checkReadable(recording);
      const result = await this.#cut(recording);
      log?.(`cut ${recording} into ${result.clips.length} clip${result.clips.length === 1 ? '' : 's'}`);
      const edited = this.#options.remove === undefined ? undefined : result.outputs.render;
      if (this.#options.remove !== undefined) {
        if (edited === undefined) throw new FramewrightError('OUTPUT_FAILED', `clip-cut wrote no tightened version of ${recording}`);
        log?.(`wrote the tightened ${edited}: ${result.keptSeconds?.toFixed(1)} s kept of ${result.durationSeconds.toFixed(1)} s`);
      }
      const files = result.clips.map((clip, i) => {
        if (clip.file === undefined) throw new FramewrightError('OUTPUT_FAILED', `clip-cut wrote no file for clip ${i + 1} of ${recording}`);
        return clip.file;
      });
      // The names are chosen once, so a retry after OBS went away completes the same scene.
      let plan: ClipScenePlan | undefined;
      const scene = await this.#withObs(async () => {
        plan ??= await planClipScene(this.#obs, recording, files.length);
        return createClipScene(this.#obs, plan, files, { playlist: this.#options.playlist });
      });
      if (scene.playlistName === undefined) this.#unsubscribe.push(playClipsInOrder(this.#obs, scene));
      const player = scene.playlistName === undefined ? 'played in order by this watcher' : `played in order by ${JSON.stringify(scene.playlistName)}`;
      log?.(`created scene ${JSON.stringify(scene.sceneName)} with ${scene.inputNames.length} media source${scene.inputNames.length === 1 ? '' : 's'}, ${player}`);
      const subtitles = await this.#caption(recording);
      const processed: ProcessedRecording = {
        recording, origin, result, sceneName: scene.sceneName, inputNames: scene.inputNames, playlistName: scene.playlistName,
        ...(edited === undefined ? {} : { edited }), ...(subtitles === undefined ? {} : { subtitles }),
      };
      this.#events.emit('processed', processed);
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      log?.(`could not clip ${recording}: ${failure.message}`);
      this.#events.emit('failed', { recording, origin, error: failure } satisfies FailedRecording);
    }
  }

  async #checkReadable(recording: string): Promise<void> {
    try {
      await access(recording, constants.R_OK);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw code === 'ENOENT'
        ? new FramewrightError('INPUT_NOT_FOUND', `recording ${recording} no longer exists (moved or deleted before it could be cut)`)
        : new FramewrightError('INPUT_UNREADABLE', `recording ${recording} cannot be read (${code ?? 'unknown error'})`);
    }
  }

  #cut(recording: string): Promise<ClipCutResult> {
    const exports: ClipCutParams['exports'] = ['clips', 'json'];
    if (this.#options.exportEdl) exports.push('edl');
    if (this.#options.exportOtio) exports.push('otio');
    const remove = this.#options.remove;
    if (remove !== undefined) exports.push('render');
    const params: ClipCutParams = {
      ...this.#options.clipCut,
      ...(remove === undefined ? {} : { remove: [...remove] }),
      input: recording,
      outputDir: clipFolderFor(recording, this.#options.outDir),
      exports,
      // Frame-exact clip files, so each clip lasts exactly what the cut list says.
      clipMode: 'smart',
    };
    const onProgress = this.#options.onProgress;
    return this.#options.engine.run('clip-cut', params, {
      signal: this.#abort.signal,
      ...(onProgress ? { onProgress: (p: ClipCutProgress) => onProgress(recording, p) } : {}),
    });
  }

  /** Writes `<name>.srt` beside the recording; undefined when not asked for or when it failed (logged). */
  async #caption(recording: string): Promise<string | undefined> {
    const settings = this.#options.subtitles;
    if (settings === undefined) return undefined;
    try {
      const result = await this.#options.engine.run('subtitles', { ...settings, input: recording, outputDir: dirname(recording), name: baseNameOf(recording), formats: ['srt'] }, { signal: this.#abort.signal });
      this.#options.log?.(`wrote ${result.cues.length} caption${result.cues.length === 1 ? '' : 's'} to ${result.files[0]}`);
      return result.files[0];
    } catch (error) {
      if (this.#abort.signal.aborted) throw error;
      this.#options.log?.(`could not caption ${recording}: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
  }

  /** Runs OBS requests, waiting for OBS to come back when it is gone and starting over when it goes away part-way. */
  async #withObs<T>(step: () => Promise<T>): Promise<T> {
    for (;;) {
      if (!this.#obs.connected) this.#options.log?.('waiting for OBS to come back before creating the scene');
      await this.#obs.whenConnected(this.#abort.signal);
      try {
        return await step();
      } catch (error) {
        if (!(error instanceof ObsAdapterError && error.code === 'OBS_DISCONNECTED') || this.#abort.signal.aborted) throw error;
      }
    }
  }
}
