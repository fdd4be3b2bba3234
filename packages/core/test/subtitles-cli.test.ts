// `framewright subtitles` and the subtitles operation end to end: real audio decoded by ffmpeg,
// the log-mel frontend, the ONNX replica of Whisper's Optimum export (its argmax scripted, so the
// captions are known), cues, and SRT/WebVTT/JSON files read back.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli/main.js';
import { parseSubtitles } from '../src/media/subtitles.js';
import type { SubtitlesResult } from '../src/protocol/index.js';
import { closeOnnxSessions } from '../src/runtime/onnx-session.js';
import { captureIo } from './helpers/captured-io.js';
import { buildWhisperReplica, replicaIds, wordId, writeWhisperReplicaPack } from './helpers/whisper-replica.js';

const dir = mkdtempSync(join(tmpdir(), 'fw-subtitles-cli-'));
const ids = replicaIds();
const ts = (seconds: number) => ids.timestampBegin + Math.round(seconds / 0.02);
let pack = '';

beforeAll(() => {
  // Search folders of this machine stay out: an empty models folder and config folder.
  mkdirSync(join(dir, 'models'));
  vi.stubEnv('FRAMEWRIGHT_MODELS_DIR', join(dir, 'models'));
  vi.stubEnv('FRAMEWRIGHT_CONFIG_DIR', join(dir, 'config'));
  // 6 s of a tone in stereo at 44.1 kHz: ffmpeg resamples and down-mixes it to 16 kHz mono. A tone is
  // no speech to Silero VAD, so these runs decode the whole file (--no-vad); the VAD's own test is
  // subtitles-speech-ranges.test.ts.
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=300:duration=6:sample_rate=44100', '-ac', '2', join(dir, 'talk.wav')]);
  const script = [ids.transcribe!, ts(0.4), wordId('hello'), wordId('world'), wordId('.'), ts(1.5), ts(2), wordId('this'), wordId('is'), wordId('a'), wordId('test'), wordId(','), wordId('one'), wordId('two'), wordId('three'), wordId('four'), wordId('five'), wordId('six'), wordId('seven'), wordId('eight'), ts(5.6), ids.eos];
  pack = writeWhisperReplicaPack(join(dir, 'tiny-whisper'), buildWhisperReplica({ script: new Map(script.slice(0, -1).map((id, i) => [id, script[i + 1]!])) }));
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await closeOnnxSessions();
  rmSync(dir, { recursive: true, force: true });
});

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = captureIo(dir);
  const code = await main(['subtitles', ...args], io);
  return { code, out: io.out, err: io.err };
}

describe('framewright subtitles', () => {
  it('without a speech-to-text pack says in one line which model to get and how, and exits 7', async () => {
    const { code, err, out } = await cli(['talk.wav', '--out', 'none']);
    expect(code).toBe(7);
    expect(out).toBe('');
    expect(err.trim().split('\n')).toHaveLength(1);
    expect(err).toMatch(/speech-to-text \(Whisper\) model pack.*optimum-cli export onnx --model openai\/whisper-tiny.*docs\/subtitles\.md/);
    expect(existsSync(join(dir, 'none'))).toBe(false);
  });

  it('names a missing input before the missing pack', async () => {
    const { code, err, out } = await cli(['no such talk.wav', '--out', 'none']);
    expect(out).toBe('');
    expect(err.trim().split('\n')).toHaveLength(1);
    expect(err).toMatch(/no such talk\.wav/);
    expect(err).not.toMatch(/model pack/);
    expect(code).toBe(3);
    expect(existsSync(join(dir, 'none'))).toBe(false);
  });

  it('writes SRT, WebVTT and JSON whose cues carry the timestamps the model gave, in the limits set', async () => {
    const { code, out, err } = await cli(['talk.wav', '--model', pack, '--language', 'en', '--out', 'subs', '--max-line-chars', '20', '--no-vad', '--json']);
    expect(err).toBe('');
    expect(code).toBe(0);
    const result = JSON.parse(out) as SubtitlesResult;
    expect(result).toMatchObject({ model: 'tiny-whisper', language: 'en', task: 'transcribe', windows: 1, skippedSeconds: 0 });
    expect(result.durationSeconds).toBeCloseTo(6, 2);
    expect(result.files).toEqual(['srt', 'vtt', 'json'].map((f) => join(dir, 'subs', `talk.${f}`)));
    // Segment 1: 0.40-1.50; segment 2: 2.00-5.60, split at its comma and by the 20-character line.
    expect(result.cues[0]).toMatchObject({ startSeconds: 0.4, endSeconds: 1.5, text: 'hello world.' });
    expect(result.cues[1]!.startSeconds).toBe(2);
    expect(result.cues[result.cues.length - 1]!.endSeconds).toBe(5.6);
    expect(result.cues.flatMap((c) => c.words.map((w) => w.text))).toEqual(['hello', 'world.', 'this', 'is', 'a', 'test,', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight']);
    for (const cue of result.cues) for (const line of cue.text.split('\n')) expect(line.length).toBeLessThanOrEqual(20);
    for (const format of ['srt', 'vtt']) {
      const path = join(dir, 'subs', `talk.${format}`);
      const parsed = parseSubtitles(readFileSync(path, 'utf8'), path);
      expect(parsed).toEqual(result.cues.map((c) => ({ startSeconds: c.startSeconds, endSeconds: c.endSeconds, text: c.text })));
      const again = execFileSync('ffmpeg', ['-v', 'error', '-i', path, '-f', 'webvtt', '-'], { encoding: 'utf8' });
      expect(parseSubtitles(again, 'ffmpeg').map((c) => c.text)).toEqual(result.cues.map((c) => c.text));
    }
    expect(JSON.parse(readFileSync(join(dir, 'subs', 'talk.json'), 'utf8'))).toEqual(result);
  });

  it('makes a pack of a Hub-style export with models init (merged decoder under onnx/), verifies it and captions with it', async () => {
    const files = buildWhisperReplica({ layout: 'merged', script: new Map([[ids.transcribe!, ts(0.2)], [ts(0.2), wordId('good')], [wordId('good'), ts(0.9)], [ts(0.9), ids.eos]]) });
    const hub = join(dir, 'whisper-hub');
    mkdirSync(join(hub, 'onnx'), { recursive: true });
    for (const [name, bytes] of Object.entries(files)) writeFileSync(join(hub, name.endsWith('.onnx') ? `onnx/${name}` : name), bytes);
    const io = captureIo(dir);
    expect(await main(['models', 'init', 'whisper-hub', '--id', 'whisper-hub', '--licence', 'MIT', '--family', 'speech-to-text', '--json'], io)).toBe(0);
    const manifest = JSON.parse(io.out) as { files: { path: string; role: string }[] };
    expect(manifest.files.map((f) => [f.role, f.path])).toEqual([['encoder', 'onnx/encoder_model.onnx'], ['decoder', 'onnx/decoder_model_merged.onnx'], ['generation_config', 'generation_config.json'], ['vocab', 'vocab.json']]);
    expect(await main(['models', 'verify', 'whisper-hub'], captureIo(dir))).toBe(0);
    const { code, out } = await cli(['talk.wav', '--model', 'whisper-hub', '--language', 'en', '--out', 'hub', '--format', 'srt', '--no-vad', '--json']);
    expect(code).toBe(0);
    const result = JSON.parse(out) as SubtitlesResult;
    expect(result.cues.map((c) => [c.startSeconds, c.endSeconds, c.text])).toEqual([[0.2, 1.2, 'good']]); // held to the 1 s minimum
    expect(readFileSync(join(dir, 'hub', 'talk.srt'), 'utf8')).toBe('1\n00:00:00,200 --> 00:00:01,200\ngood\n');
  });

  it('names a bad flag (exit 2) and a pack that is not installed (exit 7)', async () => {
    const bad = await cli(['talk.wav', '--model', pack, '--task', 'summarise']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--task must be transcribe or translate/);
    const missing = await cli(['talk.wav', '--model', 'no-such-pack']);
    expect(missing.code).toBe(7);
    expect(missing.err).toMatch(/unknown model "no-such-pack"/);
  });
});
