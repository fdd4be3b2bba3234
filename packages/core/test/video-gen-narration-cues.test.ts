// Narration that follows subtitle cues: each cue spoken at its start, a long one sped up to fit
// before the next (or the end), measured on the mixed WAV's loudness.
import { spawnSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { probeAudio, readAudioLevels } from '../src/media/index.js';
import { prepareTracks } from '../src/ops/video-gen/tracks.js';
import { main } from '../src/cli/main.js';
import { captureIo } from './helpers/captured-io.js';

const espeakMissing = spawnSync('espeak-ng', ['--version']).error !== undefined;

describe('narration timed by cues', () => {
  // .ci/run installs espeak-ng (test/system-tools.test.ts fails under CI when it is missing).
  it.skipIf(espeakMissing)('speaks each cue at its start and squeezes a long one into its slot', async () => {
    const cues = [
      { startSeconds: 0.5, endSeconds: 2, text: 'hello' },
      { startSeconds: 3, endSeconds: 5, text: 'this sentence is much too long to be spoken in two seconds' },
    ];
    const tracks = await prepareTracks({ mode: 'interpolate', keyframes: [], audio: { kind: 'narration', timing: 'cues' }, subtitles: { cues } } as never, 5, new AbortController().signal);
    try {
      expect(tracks.audio?.kind).toBe('file');
      const wav = (tracks.audio as { path: string }).path;
      const spokenLong = (await probeAudio(join(dirname(wav), 'cue-2.wav'))).durationSeconds;
      expect(spokenLong).toBeGreaterThan(2.2); // as spoken, it would run past the end
      expect((await probeAudio(wav)).durationSeconds).toBeCloseTo(5, 1);
      const levels = await readAudioLevels(wav);
      const loud = (from: number, to: number) => {
        const i = [...levels.levelsDb].findIndex((db, k) => k * levels.windowSeconds >= from && k * levels.windowSeconds < to && db > -40);
        return i < 0 ? undefined : i * levels.windowSeconds;
      };
      const lastLoud = [...levels.levelsDb].reduce((last, db, k) => (db > -40 ? k * levels.windowSeconds : last), -1);
      expect(loud(0, 0.5)).toBeUndefined(); // nothing before the first cue
      expect(loud(0.5, 0.8)).toBeDefined(); // speech starts with the first cue
      expect(loud(2.2, 3)).toBeUndefined(); // silence until the second
      expect(loud(3, 3.3)).toBeDefined();
      expect(lastLoud).toBeGreaterThan(4.5); // the long cue was sped up, not cut: it speaks to the end
      expect(tracks.warnings).toEqual([expect.stringMatching(/^cue 2 is spoken 1\.\d+× as fast to fit its 2.00 s$/)]); // over 1.6× is worth a warning
    } finally {
      await tracks.dispose();
    }
  });
});

describe('video-gen --narrate-cues', () => {
  it('goes with --audio narration only', async () => {
    const io = captureIo(process.cwd());
    expect(await main(['video-gen', '--mode', 'text-to-video', '--prompt', 'a red circle', '--audio', 'tone', '--narrate-cues'], io)).toBe(2);
    expect(io.err).toMatch(/--narrate-cues goes with --audio narration/);
  });
});
