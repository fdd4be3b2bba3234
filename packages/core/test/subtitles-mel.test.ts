import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { logMelSpectrogram, melFilters } from '../src/ops/subtitles/mel.js';

const dir = mkdtempSync(join(tmpdir(), 'fw-mel-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const hasNumpy = (() => {
  try {
    execFileSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
// .ci/run installs python3-numpy: under CI the reference always runs (and fails without numpy);
// elsewhere a machine without numpy skips it, saying so.
const skipReference = !hasNumpy && process.env['CI'] !== 'true';
if (skipReference) console.warn('skipping the numpy reference of the mel frontend: python3 has no numpy (apt install python3-numpy)');

/** A chirp, a tone and a little noise: every mel bin gets energy somewhere. */
function signal(seconds: number): Float32Array {
  let seed = 7;
  const noise = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff - 0.5) * 0.01;
  return Float32Array.from({ length: Math.round(seconds * 16000) }, (_, i) => {
    const t = i / 16000;
    return 0.4 * Math.sin(2 * Math.PI * (100 * t + 600 * t * t)) + 0.2 * Math.sin(2 * Math.PI * 440 * t) + noise();
  });
}

function numpyReference(samples: Float32Array, melBins: number): Float32Array {
  const input = join(dir, `in-${melBins}.f32`);
  const output = join(dir, `out-${melBins}.f32`);
  writeFileSync(input, Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength));
  execFileSync('python3', [join(import.meta.dirname, 'helpers/whisper_mel_reference.py'), input, String(melBins), output], { timeout: 60_000 });
  const bytes = readFileSync(output);
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
}

const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

describe("Whisper's log-mel frontend", () => {
  it.skipIf(skipReference)('matches a numpy FFT reference of WhisperFeatureExtractor within 1e-4 (80 bins, 7.3 s padded to 30 s)', () => {
    const samples = signal(7.3);
    const ours = logMelSpectrogram(samples, 80);
    const reference = numpyReference(samples, 80);
    expect(ours.length).toBe(80 * 3000);
    expect(reference.length).toBe(80 * 3000);
    const diff = maxDiff(ours, reference);
    expect(diff).toBeLessThan(1e-4);
  });

  it.skipIf(skipReference)('matches it for 128 bins (large-v3) and a full 30 s window, where the reflection reaches real samples', () => {
    const samples = signal(31);
    const ours = logMelSpectrogram(samples, 128);
    expect(maxDiff(ours, numpyReference(samples, 128))).toBeLessThan(1e-4);
  });

  it('puts a 1 kHz tone in the mel bin whose filter peaks nearest 1 kHz', () => {
    const tone = Float32Array.from({ length: 16000 }, (_, i) => 0.5 * Math.sin((2 * Math.PI * 1000 * i) / 16000));
    const features = logMelSpectrogram(tone, 80);
    const frame = 50;
    let best = 0;
    for (let m = 1; m < 80; m++) if (features[m * 3000 + frame]! > features[best * 3000 + frame]!) best = m;
    const filters = melFilters(80);
    const peakBin = (m: number) => filters[m]!.indexOf(Math.max(...filters[m]!));
    expect(Math.abs(peakBin(best) * 40 - 1000)).toBeLessThanOrEqual(40);
    // Silence after the tone sits at the floor: 8 decades under the loudest value, (−8 + max + 4) / 4.
    const max = features.reduce((a, b) => Math.max(a, b), -Infinity);
    expect(features[40 * 3000 + 2000]).toBeCloseTo(max - 2, 5);
  });
});
