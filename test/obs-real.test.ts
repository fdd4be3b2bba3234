// End-to-end tests against a real OBS Studio (Debian's obs-studio under Xvfb; see
// helpers/obs.ts). Skipped, with the reason printed, only where the obs binary is absent.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClipCutResult } from '@framewright/core/protocol';
import { ObsConnection, addMediaToScene, runCli, type Engine, type ObsCliIo } from '@framewright/obs-plugin';
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

async function until(condition: () => boolean, what: string, ms: number, log: () => string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; output:\n${log()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
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
        { source: 'rgbtestsrc', frames: 30 },
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

  it('framewright obs watch auto-clips a finished recording into a Framewright scene whose clips match the cut list', async () => {
    // `framewright obs watch --json`, run in-process with captured output and a Ctrl+C to press;
    // clip-cut runs on the engine the command starts.
    let stdout = '';
    let stderr = '';
    let pressCtrlC: (() => void) | undefined;
    const io: ObsCliIo = {
      stdout: { write: (t) => void (stdout += t) },
      stderr: { write: (t) => void (stderr += t) },
      // No token in this config folder, so the command starts an engine of its own, from core's sources.
      env: {
        FRAMEWRIGHT_OBS_PASSWORD: obs.password,
        FRAMEWRIGHT_CONFIG_DIR: join(obs.workDir, 'framewright-config'),
        FRAMEWRIGHT_CLI: join(import.meta.dirname, '..', 'packages', 'obs-plugin', 'test', 'framewright-sources.js'),
      },
      cwd: obs.workDir,
      onInterrupt: (handler) => {
        pressCtrlC = handler;
        return () => (pressCtrlC = undefined);
      },
    };
    const exit = runCli(['watch', '--url', obs.url, '--json'], { io });
    await until(() => stderr.includes('waiting for recordings'), 'watch to connect', 20_000, () => stderr);

    await connection.call('StartRecord');
    await new Promise((r) => setTimeout(r, 4500));
    const { outputPath } = await connection.call('StopRecord');
    await until(() => stdout.includes('\n') || stderr.includes('could not clip'), 'the recording to be clipped', 60_000, () => stderr);
    pressCtrlC?.();
    expect(await exit, stderr).toBe(0);
    const processed = JSON.parse(stdout) as { recording: string; sceneName: string; inputNames: string[]; clips: ClipCutResult['clips'] };
    expect(processed.recording).toBe(outputPath);

    const { clips } = processed;
    expect(clips.length).toBeGreaterThanOrEqual(2);
    expect(processed.sceneName).toMatch(/^Framewright: /);
    const { sceneItems } = await connection.call('GetSceneItemList', { sceneName: processed.sceneName });
    expect(sceneItems).toHaveLength(clips.length);
    expect(sceneItems.map((item) => String(item['sourceName'])).sort()).toEqual([...processed.inputNames].sort());
    expect(sceneItems.every((item) => item['inputKind'] === 'ffmpeg_source')).toBe(true);

    const probe = await run('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=r_frame_rate', '-of', 'csv=p=0', clips[0]?.file as string]);
    const [num, den] = probe.stdout.trim().split('/').map(Number);
    const frame = (den ?? 1) / (num ?? 25);
    for (const [i, clip] of clips.entries()) {
      const inputName = processed.inputNames[i] as string;
      const { inputKind, inputSettings } = await connection.call('GetInputSettings', { inputName });
      expect(inputKind).toBe('ffmpeg_source');
      expect(inputSettings['local_file']).toBe(clip.file);
      const file = clip.file as string;
      const frames = await countFrames(file);
      expect(Math.abs(frames - (clip.endFrame - clip.startFrame)), `${inputName}: ${frames} frames`).toBeLessThanOrEqual(1);
      const seconds = await videoDuration(file);
      expect(Math.abs(seconds - (clip.endSeconds - clip.startSeconds)), `${inputName}: ${seconds} s`).toBeLessThanOrEqual(frame + 1e-6);
    }
    console.info(`real OBS: ${clips.length} clips from ${outputPath}; cut frames ${clips.map((c) => c.startFrame).join(', ')}`);
  }, 80_000);

  it('framewright obs generate puts a generated video into the current scene as a looping media source, and an image as an image source', async () => {
    // video-gen is not in this build yet: a stand-in engine hands over a real video made by ffmpeg,
    // so the OBS side (the command, the input, its settings) runs for real.
    const clip = await makeVideo(obs.workDir, 'generated loop', { segments: [{ source: 'testsrc2', frames: 25 }], width: 320, height: 180 });
    const standIn: Engine = {
      check: async () => undefined,
      run: (async () => ({ path: clip.path, frames: 25, fps: 25, width: 320, height: 180, durationSeconds: 1, warnings: [], files: [clip.path] })) as never,
    };
    let stdout = '';
    const io: ObsCliIo = {
      stdout: { write: (t) => void (stdout += t) },
      stderr: { write: () => undefined },
      env: { FRAMEWRIGHT_CONFIG_DIR: join(obs.workDir, 'framewright-config') },
      cwd: obs.workDir,
      onInterrupt: () => () => undefined,
    };
    const code = await runCli(['generate', 'video', '--prompt', 'a slow zoom', '--url', obs.url, '--password', obs.password, '--json'], { io, engine: standIn });
    expect(code).toBe(0);
    const [placed] = JSON.parse(stdout) as { sceneName: string; inputName: string }[];
    const { currentProgramSceneName } = await connection.call('GetCurrentProgramScene');
    expect(placed?.sceneName).toBe(currentProgramSceneName);
    const video = await connection.call('GetInputSettings', { inputName: placed?.inputName as string });
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
