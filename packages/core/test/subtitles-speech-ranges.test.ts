// Decoding gated by speech ranges on real speech: espeak-ng phrases with known silences between
// them. First with ranges from the energy silence finder, which proves the windowing: silent
// stretches are not decoded (counted), and each range is its own window, so a cue's time is the
// range's start plus the model's timestamp and stays on its speech however long the silences
// before it. Then the operation as users run it: the ranges come from Silero VAD by default.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findSilences, probeAudio, readAudioLevels, readAudioSamples, synthesizeSpeech } from '../src/media/index.js';
import { cuesFromSegments } from '../src/ops/subtitles/cues.js';
import { transcribe } from '../src/ops/subtitles/decode.js';
import { WhisperTokens } from '../src/ops/subtitles/tokens.js';
import { subtitlesOperation } from '../src/ops/subtitles/index.js';
import { OnnxWhisper } from '../src/ops/subtitles/whisper.js';
import { closeOnnxSessions } from '../src/runtime/onnx-session.js';
import { buildWhisperReplica, replicaIds, wordId, writeWhisperReplicaPack } from './helpers/whisper-replica.js';

const dir = mkdtempSync(join(tmpdir(), 'fw-speech-ranges-'));
afterAll(async () => {
  await closeOnnxSessions();
  rmSync(dir, { recursive: true, force: true });
});
const espeakMissing = spawnSync('espeak-ng', ['--version']).error !== undefined;

describe('speech-range gated decoding', () => {
  // .ci/run installs espeak-ng (test/system-tools.test.ts fails under CI when it is missing).
  /** espeak-ng phrases with 3 s and 6.5 s of silence between them, and where each starts. */
  async function talkWithSilences(): Promise<{ talk: string; starts: number[]; gaps: number[] }> {
    const phrases = ['hello world', 'this is a test', 'good'];
    const gaps = [3, 6.5];
    for (const [i, text] of phrases.entries()) await synthesizeSpeech(text, join(dir, `p${i}.wav`));
    const durations = await Promise.all(phrases.map(async (_, i) => (await probeAudio(join(dir, `p${i}.wav`))).durationSeconds));
    const talk = join(dir, 'talk.wav');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', join(dir, 'p0.wav'), '-i', join(dir, 'p1.wav'), '-i', join(dir, 'p2.wav'), '-filter_complex', `[0]apad=pad_dur=${gaps[0]}[a];[1]apad=pad_dur=${gaps[1]}[b];[a][b][2]concat=n=3:v=0:a=1`, '-ar', '16000', talk]);
    return { talk, gaps, starts: [0, durations[0]! + gaps[0]!, durations[0]! + gaps[0]! + durations[1]! + gaps[1]!] };
  }
  /** A replica that says "good" from 0 to 0.6 s in every window. */
  function goodPack(): string {
    const ids = replicaIds();
    const ts = (seconds: number) => ids.timestampBegin + Math.round(seconds / 0.02);
    return writeWhisperReplicaPack(join(dir, 'pack'), buildWhisperReplica({ script: new Map([[ids.transcribe!, ts(0)], [ts(0), wordId('good')], [wordId('good'), ts(0.6)], [ts(0.6), ids.eos]]) }));
  }

  it.skipIf(espeakMissing)('skips the silences between espeak-ng phrases and starts each cue within 0.3 s of its speech', async () => {
    const { talk, gaps, starts } = await talkWithSilences();

    // Speech ranges: everything that is not a silence of 0.5 s or more.
    const levels = await readAudioLevels(talk);
    const samples = await readAudioSamples(talk);
    const duration = samples.length / 16000;
    const ranges: [number, number][] = [];
    let at = 0;
    for (const s of findSilences(levels, -45, 0.5)) {
      if (s.startSeconds > at) ranges.push([at, s.startSeconds]);
      at = s.endSeconds;
    }
    if (at < duration) ranges.push([at, duration]);

    const pack = goodPack();
    const model = await OnnxWhisper.open({ encoder: join(pack, 'encoder_model.onnx'), decoder: join(pack, 'decoder_model.onnx'), decoderWithPast: join(pack, 'decoder_with_past_model.onnx') }, { intraOpThreads: 1 });
    const tokens = await WhisperTokens.load(join(pack, 'generation_config.json'), join(pack, 'vocab.json'));
    const transcript = await transcribe(model, tokens, samples, { language: 'en', speechRanges: ranges });

    expect(ranges).toHaveLength(3);
    expect(transcript.windows).toBe(3);
    // The silences (9.5 s, less the speech finder's edges) are skipped, not decoded.
    expect(transcript.skippedSeconds).toBeGreaterThan(gaps[0]! + gaps[1]! - 1);
    expect(transcript.decodedSeconds + transcript.skippedSeconds).toBeCloseTo(duration, 6);
    const cues = cuesFromSegments(transcript.segments);
    expect(cues).toHaveLength(3);
    cues.forEach((cue, i) => expect(Math.abs(cue.startSeconds - starts[i]!)).toBeLessThan(0.3));
  });

  it.skipIf(espeakMissing)('the operation decodes only where Silero VAD hears speech by default, and the whole file with vad false', async () => {
    const { talk, gaps, starts } = await talkWithSilences();
    const pack = goodPack();
    const run = (vad: boolean | undefined) => subtitlesOperation.run(
      { input: talk, model: pack, language: 'en', formats: ['json'], name: vad === false ? 'all' : 'vad', ...(vad === undefined ? {} : { vad }) },
      { signal: new AbortController().signal, onProgress: () => undefined, outputDir: dir },
    );
    const gated = await run(undefined);
    console.log(`Silero VAD: ${gated.windows} windows, ${gated.decodedSeconds} s decoded, ${gated.skippedSeconds} s skipped; cues at ${gated.cues.map((c) => c.startSeconds).join(', ')} (speech at ${starts.map((t) => t.toFixed(3)).join(', ')})`);
    expect(gated.windows).toBe(3);
    expect(gated.skippedSeconds).toBeGreaterThan(gaps[0]! + gaps[1]! - 1);
    expect(gated.cues).toHaveLength(3);
    gated.cues.forEach((cue, i) => expect(Math.abs(cue.startSeconds - starts[i]!)).toBeLessThan(0.3));
    const whole = await run(false);
    expect(whole.skippedSeconds).toBe(0);
    expect(whole.windows).toBe(1);
  });
});
