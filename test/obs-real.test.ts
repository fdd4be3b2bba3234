// End-to-end tests against a real OBS Studio (Debian's obs-studio under Xvfb; see
// helpers/obs.ts). Skipped, with the reason printed, only where the obs binary is absent.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ObsConnection,
  RecordingWatcher,
  addMediaToScene,
  inProcessEngine,
  type FailedRecording,
  type ProcessedRecording,
} from '@framewright/obs-plugin';
import { countFrames, makeVideo } from './helpers/media.js';
import { realObsUnavailable, startObs, type RealObs } from './helpers/obs.js';

const run = promisify(execFile);
const unavailable = realObsUnavailable();
if (unavailable) console.warn(`skipping real-OBS tests: ${unavailable}`);

/** Duration in seconds of a file's video stream, as ffprobe reports it. */
async function videoDuration(path: string): Promise<number> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=duration', '-of', 'csv=p=0', path]);
  return Number(stdout.trim());
}

describe.skipIf(unavailable !== undefined)('OBS adapter against a real OBS', () => {
  let obs: RealObs;
  let connection: ObsConnection;

  beforeAll(async () => {
    obs = await startObs();
    connection = new ObsConnection({ url: obs.url, password: obs.password });
    await connection.connect();
    // A small canvas keeps OBS's software rendering and encoding fast on a 2-core machine.
    await connection.call('SetVideoSettings', { baseWidth: 320, baseHeight: 180, outputWidth: 320, outputHeight: 180, fpsNumerator: 25, fpsDenominator: 1 });
    await connection.call('SetProfileParameter', { parameterCategory: 'SimpleOutput', parameterName: 'FilePath', parameterValue: obs.workDir });
    // Four shots of 1.2 s with hard cuts between them, played in a loop by the source scene.
    const video = await makeVideo(obs.workDir, 'four shots', {
      segments: [
        { source: 'testsrc2', frames: 30 },
        { source: 'smptehdbars', frames: 30 },
        { source: 'mandelbrot', frames: 30 },
        { source: 'color=c=0x2050d0', frames: 30 },
      ],
      width: 320,
      height: 180,
      fps: '25',
    });
    await connection.call('CreateScene', { sceneName: 'Shots' });
    await addMediaToScene(connection, video.path, 'video', { sceneName: 'Shots', inputName: 'Shots player' });
    await connection.call('SetCurrentProgramScene', { sceneName: 'Shots' });
  }, 90_000);

  afterAll(async () => {
    await connection?.close();
    await obs?.stop();
  });

  it('auto-clips a finished recording into a Framewright scene whose clips match the cut list', async () => {
    const watcher = new RecordingWatcher(connection, { engine: inProcessEngine() });
    const outcome = new Promise<ProcessedRecording>((resolve, reject) => {
      watcher.onProcessed(resolve);
      watcher.onFailed((f: FailedRecording) => reject(f.error));
    });
    watcher.start();
    try {
      await connection.call('StartRecord');
      await new Promise((r) => setTimeout(r, 4500));
      const { outputPath } = await connection.call('StopRecord');
      const processed = await outcome;
      expect(processed.recording).toBe(outputPath);

      const { clips } = processed.result;
      expect(clips.length).toBeGreaterThanOrEqual(2);
      const sceneName = processed.sceneName;
      expect(sceneName.startsWith('Framewright: ')).toBe(true);
      const { sceneItems } = await connection.call('GetSceneItemList', { sceneName });
      expect(sceneItems).toHaveLength(clips.length);
      const names = sceneItems.map((item) => String(item['sourceName'])).sort();
      expect(names).toEqual([...processed.inputNames].sort());

      const fps = processed.result.fps;
      for (const [i, clip] of clips.entries()) {
        const inputName = processed.inputNames[i] as string;
        const { inputKind, inputSettings } = await connection.call('GetInputSettings', { inputName });
        expect(inputKind).toBe('ffmpeg_source');
        expect(inputSettings['local_file']).toBe(clip.file);
        const file = clip.file as string;
        const frames = await countFrames(file);
        expect(Math.abs(frames - (clip.endFrame - clip.startFrame)), `${inputName}: ${frames} frames`).toBeLessThanOrEqual(1);
        const seconds = await videoDuration(file);
        expect(Math.abs(seconds - (clip.endSeconds - clip.startSeconds)), `${inputName}: ${seconds} s`).toBeLessThanOrEqual(1 / fps + 1e-6);
      }
    } finally {
      await watcher.stop();
    }
  }, 80_000);

  it('puts a generated video into the current scene as a looping media source, and an image as an image source', async () => {
    const clip = await makeVideo(obs.workDir, 'generated loop', { segments: [{ source: 'mandelbrot', frames: 25 }], width: 320, height: 180 });
    const placed = await addMediaToScene(connection, clip.path, 'video');
    const { currentProgramSceneName } = await connection.call('GetCurrentProgramScene');
    expect(placed.sceneName).toBe(currentProgramSceneName);
    const video = await connection.call('GetInputSettings', { inputName: placed.inputName });
    expect(video.inputKind).toBe('ffmpeg_source');
    expect(video.inputSettings).toMatchObject({ local_file: clip.path, looping: true });

    const png = join(obs.workDir, 'generated still.png');
    await run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=s=320x180', '-frames:v', '1', png]);
    const image = await addMediaToScene(connection, png, 'image', { sceneName: 'Shots' });
    const settings = await connection.call('GetInputSettings', { inputName: image.inputName });
    expect(settings.inputKind).toBe('image_source');
    expect(settings.inputSettings).toMatchObject({ file: png });
    const { sceneItems } = await connection.call('GetSceneItemList', { sceneName: 'Shots' });
    expect(sceneItems.map((i) => i['sourceName'])).toContain(image.inputName);
  }, 30_000);
});
