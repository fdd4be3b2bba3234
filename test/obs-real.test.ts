// End-to-end tests against a real OBS Studio (Debian's obs-studio under Xvfb; see
// helpers/obs.ts). Skipped, with the reason printed, only where the obs binary is absent.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClipCutResult } from '@framewright/core/protocol';
import { ObsConnection, addMediaToScene, createClipScene, planClipScene, playClipsInOrder, runCli, type Engine, type ObsCliIo } from '@framewright/obs-plugin';
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

/** Pixels of a BMP screenshot (24 or 32 bits, as Qt writes them), top row first. */
function bmpPixel(bmp: Buffer): (x: number, y: number) => [number, number, number] {
  const offset = bmp.readUInt32LE(10);
  const width = bmp.readInt32LE(18);
  const rawHeight = bmp.readInt32LE(22);
  const height = Math.abs(rawHeight);
  const bytes = bmp.readUInt16LE(28) / 8;
  const stride = Math.ceil((width * bytes) / 4) * 4;
  return (x, y) => {
    const row = rawHeight > 0 ? height - 1 - y : y;
    const at = offset + row * stride + x * bytes;
    return [bmp[at + 2] ?? 0, bmp[at + 1] ?? 0, bmp[at] ?? 0];
  };
}

const COLOURS = { red: [255, 0, 0], green: [0, 128, 0], blue: [0, 0, 255], black: [0, 0, 0] } as const;
type Colour = keyof typeof COLOURS;

function nearest(rgb: readonly number[]): Colour {
  let best: Colour = 'black';
  let bestDistance = Infinity;
  for (const [name, ref] of Object.entries(COLOURS) as [Colour, readonly number[]][]) {
    const d = ref.reduce((sum, v, i) => sum + (v - (rgb[i] ?? 0)) ** 2, 0);
    if (d < bestDistance) [best, bestDistance] = [name, d];
  }
  return best;
}

/**
 * Watches what the program shows for `ms`: each screenshot's colour at the centre, and whether
 * its four corners show the same colour (the clip fills the canvas). Consecutive repeats collapse.
 */
async function watchProgram(connection: ObsConnection, sceneName: string, ms: number): Promise<{ colours: Colour[]; unfilled: string[] }> {
  const colours: Colour[] = [];
  const unfilled: string[] = [];
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const { imageData } = await connection.call('GetSourceScreenshot', { sourceName: sceneName, imageFormat: 'bmp', imageWidth: 64, imageHeight: 36 });
    const pixel = bmpPixel(Buffer.from(imageData.replace(/^data:[^,]*,/, ''), 'base64'));
    const centre = nearest(pixel(32, 18));
    const corners = [pixel(1, 1), pixel(62, 1), pixel(1, 34), pixel(62, 34)].map(nearest);
    if (centre !== 'black' && corners.some((c) => c !== centre)) unfilled.push(`${centre} with corners ${corners.join(', ')}`);
    if (colours.at(-1) !== centre) colours.push(centre);
    await new Promise((r) => setTimeout(r, 100));
  }
  const shown = colours.filter((c) => c !== 'black');
  return { colours: shown.filter((c, i) => shown[i - 1] !== c), unfilled };
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
    const processed = JSON.parse(stdout) as { recording: string; sceneName: string; inputNames: string[]; playlistName?: string; clips: ClipCutResult['clips'] };
    expect(processed.recording).toBe(outputPath);

    const { clips } = processed;
    expect(clips.length).toBeGreaterThanOrEqual(2);
    expect(processed.sceneName).toMatch(/^Framewright: /);
    // This OBS has the VLC source: the clips, hidden, and on top the playlist that plays them in order.
    const { sceneItems } = await connection.call('GetSceneItemList', { sceneName: processed.sceneName });
    expect(processed.playlistName).toMatch(/ · all clips$/);
    expect(sceneItems.map((item) => String(item['sourceName']))).toEqual([...processed.inputNames, processed.playlistName]);
    expect(sceneItems.map((item) => item['inputKind'])).toEqual([...clips.map(() => 'ffmpeg_source'), 'vlc_source']);
    expect(sceneItems.map((item) => item['sceneItemEnabled'])).toEqual([...clips.map(() => false), true]);
    const playlist = await connection.call('GetInputSettings', { inputName: processed.playlistName as string });
    expect(playlist.inputSettings['playlist']).toEqual(clips.map((c) => ({ value: c.file, hidden: false, selected: false })));
    for (const item of sceneItems) {
      const { sceneItemTransform } = await connection.call('GetSceneItemTransform', { sceneName: processed.sceneName, sceneItemId: Number(item['sceneItemId']) });
      expect(sceneItemTransform).toMatchObject({ boundsType: 'OBS_BOUNDS_SCALE_INNER', boundsWidth: 320, boundsHeight: 180 });
    }

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

  /** Three 1 s clips, red, green and blue, half the canvas's size (so only a fit fills it). */
  async function colourClips(name: string): Promise<string[]> {
    const files: string[] = [];
    for (const colour of ['red', 'green', 'blue']) {
      const clip = await makeVideo(obs.workDir, `${name} ${colour}`, { segments: [{ source: `color=c=${colour}`, frames: 25 }], width: 160, height: 90, fps: '25' });
      files.push(clip.path);
    }
    return files;
  }

  it('a scene of clips with the VLC playlist fills the canvas and plays the clips in order, once', async () => {
    const files = await colourClips('playlist');
    const plan = await planClipScene(connection, join(obs.workDir, 'colours.mkv'), files.length);
    const scene = await createClipScene(connection, plan, files, { playlist: true });
    expect(scene.playlistName).toBe('colours · all clips');
    await connection.call('SetCurrentProgramScene', { sceneName: scene.sceneName });
    try {
      const seen = await watchProgram(connection, scene.sceneName, 4500);
      expect(seen.colours).toEqual(['red', 'green', 'blue']);
      expect(seen.unfilled).toEqual([]);
    } finally {
      await connection.call('SetCurrentProgramScene', { sceneName: 'Shots' });
    }
  }, 40_000);

  it('a scene of clip sources without a playlist fills the canvas and plays the clips in order, one visible at a time', async () => {
    const files = await colourClips('sources');
    const plan = await planClipScene(connection, join(obs.workDir, 'colour sources.mkv'), files.length);
    const scene = await createClipScene(connection, plan, files, { playlist: false });
    expect(scene.playlistName).toBeUndefined();
    const stop = playClipsInOrder(connection, scene);
    await connection.call('SetCurrentProgramScene', { sceneName: scene.sceneName });
    try {
      const seen = await watchProgram(connection, scene.sceneName, 4500);
      expect(seen.colours).toEqual(['red', 'green', 'blue']);
      expect(seen.unfilled).toEqual([]);
      const { sceneItems } = await connection.call('GetSceneItemList', { sceneName: scene.sceneName });
      expect(sceneItems.map((i) => i['sceneItemEnabled'])).toEqual([false, false, true]);
    } finally {
      stop();
      await connection.call('SetCurrentProgramScene', { sceneName: 'Shots' });
    }
  }, 40_000);

  it('framewright obs generate with a scene OBS lacks fails before generating (exit 9), lists the scenes, and leaves nothing', async () => {
    let runs = 0;
    const engine: Engine = {
      check: async () => undefined,
      run: (async () => {
        runs++;
        throw new Error('must not be called');
      }) as never,
    };
    let stderr = '';
    const out = join(obs.workDir, 'generate into a missing scene');
    const io: ObsCliIo = {
      stdout: { write: () => undefined },
      stderr: { write: (t) => void (stderr += t) },
      env: { FRAMEWRIGHT_CONFIG_DIR: join(obs.workDir, 'framewright-config') },
      cwd: obs.workDir,
      onInterrupt: () => () => undefined,
    };
    const inputsBefore = (await connection.call('GetInputList')).inputs.map((i) => i['inputName']);
    const code = await runCli(['generate', 'image', '--prompt', 'a red fox', '--scene', 'Live', '--out', out, '--url', obs.url, '--password', obs.password], { io, engine });
    expect(code, stderr).toBe(9);
    expect(stderr).toMatch(/OBS has no scene named "Live": its scenes are .*"Shots"/);
    expect(runs).toBe(0);
    expect((await connection.call('GetInputList')).inputs.map((i) => i['inputName'])).toEqual(inputsBefore);
    expect(existsSync(out)).toBe(false);
  }, 30_000);
});
