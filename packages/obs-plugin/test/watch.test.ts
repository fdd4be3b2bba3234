import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FramewrightError, type ClipCutParams, type ClipCutResult, type SubtitlesParams, type SubtitlesResult } from '@framewright/core/protocol';
import { ObsConnection, RecordingWatcher, type Engine, type FailedRecording, type ProcessedRecording } from '../src/index.js';
import { FakeObs } from './fake-obs.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A clip-cut stand-in that records the order of work and can be held until released. */
class ScriptedClipCut implements Engine {
  readonly log: string[] = [];
  readonly params: ClipCutParams[] = [];
  #gates = new Map<string, { promise: Promise<void>; open: () => void }>();

  /** Makes the cut of `input` wait until {@link release} is called for it. */
  hold(input: string): void {
    let open!: () => void;
    const promise = new Promise<void>((resolve) => (open = resolve));
    this.#gates.set(input, { promise, open });
  }

  release(input: string): void {
    this.#gates.get(input)?.open();
  }

  async check(): Promise<void> {}

  async run(op: string, params: unknown): Promise<never> {
    expect(op).toBe('clip-cut');
    const p = params as ClipCutParams;
    this.params.push(p);
    this.log.push(`start ${p.input}`);
    await this.#gates.get(p.input)?.promise;
    this.log.push(`end ${p.input}`);
    const clips = [0, 1, 2].map((index) => ({
      index,
      startFrame: index * 25,
      endFrame: index * 25 + 25,
      frames: 25,
      startSeconds: index,
      endSeconds: index + 1,
      startTimecode: `00:00:0${index}:00`,
      endTimecode: `00:00:0${index + 1}:00`,
      score: index === 0 ? 0 : 40,
      file: join(p.outputDir ?? '.', `clip-${index + 1}.mp4`),
    }));
    const result: ClipCutResult = {
      input: p.input,
      width: 320,
      height: 180,
      fps: 25,
      fpsRational: { num: 25, den: 1 },
      dropFrame: false,
      frameCount: 75,
      durationSeconds: 3,
      cuts: [],
      clips,
      outputs: { clips: clips.map((c) => c.file), ...(p.remove === undefined ? {} : { render: join(p.outputDir ?? '.', 'edited.mp4') }) },
      files: clips.map((c) => c.file),
      ...(p.remove === undefined ? {} : { kept: [{ startFrame: 0, endFrame: 50, startSeconds: 0, endSeconds: 2 }], keptSeconds: 2, removedSeconds: 1 }),
    };
    return result as never;
  }
}

async function setup(options: { remove?: ClipCutParams['remove']; inputKinds?: string[] } = {}) {
  const { remove, inputKinds } = options;
  const obs = new FakeObs({ password: 'pw', ...(inputKinds ? { inputKinds } : {}) });
  await obs.start();
  cleanups.push(() => obs.stop());
  const connection = new ObsConnection({ url: obs.url, password: 'pw', reconnectDelayMs: 30, maxReconnectDelayMs: 100 });
  cleanups.push(() => connection.close());
  await connection.connect();
  const engine = new ScriptedClipCut();
  const lines: string[] = [];
  const watcher = new RecordingWatcher(connection, { engine, log: (l) => lines.push(l), ...(remove === undefined ? {} : { remove }) });
  cleanups.push(() => watcher.stop());
  const processed: ProcessedRecording[] = [];
  const failed: FailedRecording[] = [];
  watcher.onProcessed((p) => processed.push(p));
  watcher.onFailed((f) => failed.push(f));
  watcher.start();
  const dir = mkdtempSync(join(tmpdir(), 'fw-obs-watch-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const recording = (name: string): string => {
    const path = join(dir, name);
    writeFileSync(path, 'not read by the scripted engine');
    return path;
  };
  return { obs, connection, engine, watcher, processed, failed, lines, recording, dir };
}

function stopped(outputPath: string | null) {
  return { outputActive: false, outputState: 'OBS_WEBSOCKET_OUTPUT_STOPPED', outputPath };
}

async function until(condition: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('RecordingWatcher', () => {
  it('cuts a stopped recording and creates a Framewright scene with one media source per clip, in order', async () => {
    const { obs, engine, watcher, processed, recording } = await setup();
    const path = recording('2026-11-24 17-00-00.mkv');
    obs.emit('RecordStateChanged', { outputActive: true, outputState: 'OBS_WEBSOCKET_OUTPUT_STARTED', outputPath: path });
    obs.emit('RecordStateChanged', stopped(path));
    await until(() => processed.length === 1, 'the recording to be processed');
    await watcher.idle();
    expect(engine.params).toHaveLength(1);
    expect(engine.params[0]).toMatchObject({ input: path, clipMode: 'smart', exports: expect.arrayContaining(['clips']) });
    const items = obs.scenes.get('Framewright: 2026-11-24 17-00-00');
    expect(items?.map((i) => i.sourceName)).toEqual(['2026-11-24 17-00-00 · clip 01', '2026-11-24 17-00-00 · clip 02', '2026-11-24 17-00-00 · clip 03']);
    expect(items?.map((i) => i.enabled)).toEqual([true, false, false]);
    const first = obs.inputs.get('2026-11-24 17-00-00 · clip 01');
    expect(first).toMatchObject({ kind: 'ffmpeg_source', settings: { local_file: processed[0]?.result.clips[0]?.file, looping: false } });
    expect(items?.[0]?.transform).toMatchObject({ boundsType: 'OBS_BOUNDS_SCALE_INNER', boundsWidth: 1280, boundsHeight: 720 });
  });

  it('without a VLC source, advances the scene from clip to clip as each one ends', async () => {
    const { obs, processed, recording } = await setup();
    obs.emit('RecordStateChanged', stopped(recording('talk.mkv')));
    await until(() => processed.length === 1, 'the recording to be processed');
    const items = (): boolean[] | undefined => obs.scenes.get('Framewright: talk')?.map((i) => i.enabled);
    expect(processed[0]?.playlistName).toBeUndefined();
    // As real OBS does when the scene goes live: its hidden clips start and end at once.
    obs.emit('MediaInputPlaybackEnded', { inputName: 'talk · clip 02' });
    obs.emit('MediaInputPlaybackEnded', { inputName: 'talk · clip 03' });
    await new Promise((r) => setTimeout(r, 50));
    expect(items()).toEqual([true, false, false]);
    obs.emit('MediaInputPlaybackEnded', { inputName: 'talk · clip 01' });
    await until(() => items()?.[1] === true && items()?.[0] === false, 'clip 02 to be shown');
    obs.emit('MediaInputPlaybackEnded', { inputName: 'talk · clip 02' });
    await until(() => items()?.[2] === true, 'clip 03 to be shown');
    expect(items()).toEqual([false, false, true]);
    // The last clip stays on screen when it ends.
    obs.emit('MediaInputPlaybackEnded', { inputName: 'talk · clip 03' });
    await new Promise((r) => setTimeout(r, 50));
    expect(items()).toEqual([false, false, true]);
  });

  it('with a VLC source, adds a playlist of the clips in order as the one visible item', async () => {
    const { obs, processed, recording } = await setup({ inputKinds: ['image_source', 'ffmpeg_source', 'vlc_source'] });
    obs.emit('RecordStateChanged', stopped(recording('talk.mkv')));
    await until(() => processed.length === 1, 'the recording to be processed');
    expect(processed[0]?.playlistName).toBe('talk · all clips');
    const items = obs.scenes.get('Framewright: talk');
    expect(items?.map((i) => [i.sourceName, i.enabled])).toEqual([
      ['talk · clip 01', false],
      ['talk · clip 02', false],
      ['talk · clip 03', false],
      ['talk · all clips', true],
    ]);
    const playlist = obs.inputs.get('talk · all clips');
    expect(playlist?.kind).toBe('vlc_source');
    expect(playlist?.settings).toMatchObject({ loop: false, shuffle: false, playlist: processed[0]?.result.clips.map((c) => ({ value: c.file, hidden: false, selected: false })) });
    expect(items?.[3]?.transform).toMatchObject({ boundsType: 'OBS_BOUNDS_SCALE_INNER', boundsWidth: 1280, boundsHeight: 720 });
  });

  it('processes a second recording that stops while the first is being cut after it, losing neither', async () => {
    const { obs, engine, processed, failed, recording } = await setup();
    const a = recording('first.mkv');
    const b = recording('second.mkv');
    engine.hold(a);
    obs.emit('RecordStateChanged', stopped(a));
    await until(() => engine.log.length === 1, 'the first cut to start');
    obs.emit('RecordStateChanged', stopped(b));
    await new Promise((r) => setTimeout(r, 100));
    expect(engine.log).toEqual([`start ${a}`]);
    engine.release(a);
    await until(() => processed.length === 2, 'both recordings');
    expect(engine.log).toEqual([`start ${a}`, `end ${a}`, `start ${b}`, `end ${b}`]);
    expect(processed.map((p) => p.sceneName)).toEqual(['Framewright: first', 'Framewright: second']);
    expect(failed).toEqual([]);
  });

  it('takes replay-buffer saves too', async () => {
    const { obs, processed, recording } = await setup();
    const replay = recording('Replay 2026-11-24.mkv');
    obs.emit('ReplayBufferSaved', { savedReplayPath: replay });
    await until(() => processed.length === 1, 'the replay');
    expect(processed[0]).toMatchObject({ origin: 'replay-buffer', sceneName: 'Framewright: Replay 2026-11-24' });
  });

  it('reports a recording that no longer exists and goes on with the next one', async () => {
    const { obs, engine, processed, failed, recording, dir } = await setup();
    const gone = join(dir, 'deleted before cutting.mkv');
    const next = recording('next.mkv');
    obs.emit('RecordStateChanged', stopped(gone));
    obs.emit('RecordStateChanged', stopped(next));
    await until(() => processed.length === 1 && failed.length === 1, 'both outcomes');
    expect(failed[0]?.error).toBeInstanceOf(FramewrightError);
    expect(failed[0]?.error).toMatchObject({ code: 'INPUT_NOT_FOUND' });
    expect(failed[0]?.error.message).toContain('no longer exists');
    expect(engine.params.map((p) => p.input)).toEqual([next]);
    expect(obs.scenes.has('Framewright: deleted before cutting')).toBe(false);
  });

  it('ignores malformed events instead of queueing garbage', async () => {
    const { obs, engine, lines } = await setup();
    obs.emit('RecordStateChanged', stopped(null));
    obs.emit('RecordStateChanged', { outputState: 'OBS_WEBSOCKET_OUTPUT_STOPPED', outputPath: 42 });
    obs.emit('ReplayBufferSaved', {});
    await new Promise((r) => setTimeout(r, 100));
    expect(engine.log).toEqual([]);
    expect(lines).toEqual([]);
  });

  it('finishes the job when OBS quits mid-cut: the scene is created once OBS is back', async () => {
    const { obs, connection, engine, processed, failed, lines, recording } = await setup();
    const path = recording('long stream.mkv');
    engine.hold(path);
    obs.emit('RecordStateChanged', stopped(path));
    await until(() => engine.log.length === 1, 'the cut to start');
    const lost = new Promise<string>((resolve) => connection.onDisconnected(resolve));
    await obs.stop();
    await lost;
    engine.release(path);
    await until(() => lines.some((l) => l.includes('waiting for OBS')), 'the watcher to wait for OBS');
    expect(processed).toEqual([]);
    await obs.start();
    await until(() => processed.length === 1, 'the scene after OBS restarted');
    expect(obs.scenes.get('Framewright: long stream')).toHaveLength(3);
    expect(failed).toEqual([]);
  });

  it('reports an engine failure for one recording and keeps watching', async () => {
    const { obs, engine, processed, failed, recording } = await setup();
    const bad = recording('bad.mkv');
    const good = recording('good.mkv');
    const run = engine.run.bind(engine);
    engine.run = async (op, params) => {
      if ((params as ClipCutParams).input === bad) throw new FramewrightError('UNSUPPORTED_MEDIA', `${bad} has no video stream`);
      return run(op, params);
    };
    obs.emit('RecordStateChanged', stopped(bad));
    obs.emit('RecordStateChanged', stopped(good));
    await until(() => processed.length === 1 && failed.length === 1, 'both outcomes');
    expect(failed[0]?.error).toMatchObject({ code: 'UNSUPPORTED_MEDIA' });
    expect(processed[0]?.recording).toBe(good);
  });

  it('with remove, asks clip-cut for the edit and its render, and reports the tightened file', async () => {
    const { obs, engine, processed, lines, recording } = await setup({ remove: ['silence'] });
    const path = recording('talk.mkv');
    obs.emit('RecordStateChanged', stopped(path));
    await until(() => processed.length === 1, 'the recording to be processed');
    expect(engine.params[0]).toMatchObject({ remove: ['silence'], exports: expect.arrayContaining(['clips', 'render']) });
    expect(processed[0]?.edited).toBe(processed[0]?.result.outputs.render);
    expect(lines).toContainEqual(expect.stringMatching(/^wrote the tightened .*edited\.mp4: 2\.0 s kept of 3\.0 s$/));
  });
});

/** clip-cut as above, and a subtitles stand-in that writes nothing and answers like the operation. */
class CaptioningEngine extends ScriptedClipCut {
  readonly captions: SubtitlesParams[] = [];
  failCaptions = false;
  override async run(op: string, params: unknown): Promise<never> {
    if (op !== 'subtitles') return super.run(op, params);
    const p = params as SubtitlesParams;
    this.captions.push(p);
    if (this.failCaptions) throw new FramewrightError('MODEL_NOT_FOUND', 'subtitles need a speech-to-text (Whisper) model pack and none is installed');
    const file = join(p.outputDir!, `${p.name}.srt`);
    const result: SubtitlesResult = { input: p.input, model: 'tiny-whisper', language: 'en', task: 'transcribe', durationSeconds: 3, windows: 1, decodedSeconds: 3, skippedSeconds: 0, cues: [{ startSeconds: 0.5, endSeconds: 1.5, text: 'hello', words: [] }], files: [file] };
    return result as never;
  }
}

describe('RecordingWatcher with subtitles', () => {
  async function captioning(fail: boolean) {
    const obs = new FakeObs({ password: 'pw' });
    await obs.start();
    cleanups.push(() => obs.stop());
    const connection = new ObsConnection({ url: obs.url, password: 'pw', reconnectDelayMs: 30, maxReconnectDelayMs: 100 });
    cleanups.push(() => connection.close());
    await connection.connect();
    const engine = new CaptioningEngine();
    engine.failCaptions = fail;
    const lines: string[] = [];
    const watcher = new RecordingWatcher(connection, { engine, subtitles: { language: 'en' }, log: (l) => lines.push(l) });
    cleanups.push(() => watcher.stop());
    const processed: ProcessedRecording[] = [];
    watcher.onProcessed((p) => processed.push(p));
    watcher.start();
    const dir = mkdtempSync(join(tmpdir(), 'fw-obs-captions-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'take 1.mkv');
    writeFileSync(path, 'not read by the scripted engine');
    obs.emit('RecordStateChanged', stopped(path));
    await until(() => processed.length === 1, 'the recording to be processed');
    await watcher.idle();
    return { engine, processed, lines, dir, path, obs };
  }

  it('writes <recording>.srt beside each recording through the subtitles operation, after the clips', async () => {
    const { engine, processed, dir, path, obs } = await captioning(false);
    expect(engine.captions).toEqual([{ language: 'en', input: path, outputDir: dir, name: 'take 1', formats: ['srt'] }]);
    expect(processed[0]?.subtitles).toBe(join(dir, 'take 1.srt'));
    expect(obs.scenes.get('Framewright: take 1')).toHaveLength(3);
  });

  it('still makes the clips and the scene when captioning fails, and says why', async () => {
    const { processed, lines, obs } = await captioning(true);
    expect(processed[0]?.subtitles).toBeUndefined();
    expect(obs.scenes.get('Framewright: take 1')).toHaveLength(3);
    expect(lines.some((l) => /could not caption .*take 1\.mkv: subtitles need a speech-to-text \(Whisper\) model pack/.test(l))).toBe(true);
  });
});
