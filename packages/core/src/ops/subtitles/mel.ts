// Whisper's log-mel frontend, as transformers' WhisperFeatureExtractor computes it
// (models/whisper/feature_extraction_whisper.py `_np_extract_fbank_features`, audio_utils.py
// `spectrogram`, `mel_filter_bank`, `window_function`):
// - the window's 480 000 samples (30 s at 16 kHz, zero-padded), reflect-padded by n_fft/2 = 200
//   each side (center=True, pad_mode="reflect");
// - frames of 400 every 160 samples under a periodic Hann window, power spectrum |X|² of 201 bins;
// - Slaney-scale mel filters (0-8000 Hz, triangles between n_mels + 2 points evenly spaced in
//   Slaney mel, each scaled by 2 / its width: norm="slaney");
// - log10 of max(1e-10, mel), the last of the 3001 frames dropped, floored at (max − 8), then
//   (x + 4) / 4.
import { WHISPER_AUDIO } from '../../models/index.js';

const { nFft, hop, frames: FRAMES, chunkSamples, sampleRate } = WHISPER_AUDIO;
const BINS = nFft / 2 + 1;

const hzToMel = (hz: number) => (hz < 1000 ? (3 * hz) / 200 : 15 + (27 * Math.log(hz / 1000)) / Math.log(6.4));
const melToHz = (mel: number) => (mel < 15 ? (200 * mel) / 3 : 1000 * Math.exp((Math.log(6.4) * (mel - 15)) / 27));

/**
 * Slaney-normalised triangular mel filters, [melBins][201] (row per mel bin), as
 * `mel_filter_bank(201, melBins, 0, 8000, 16000, norm="slaney", mel_scale="slaney")`.
 */
export function melFilters(melBins: number): Float64Array[] {
  const maxMel = hzToMel(sampleRate / 2);
  const points = Array.from({ length: melBins + 2 }, (_, i) => melToHz((maxMel * i) / (melBins + 1)));
  return Array.from({ length: melBins }, (_, m) => {
    const [lo, mid, hi] = [points[m]!, points[m + 1]!, points[m + 2]!];
    const scale = 2 / (hi - lo);
    return Float64Array.from({ length: BINS }, (_, k) => {
      const f = (k * sampleRate) / nFft;
      return Math.max(0, Math.min((f - lo) / (mid - lo), (hi - f) / (hi - mid))) * scale;
    });
  });
}

// A mixed-radix FFT of Whisper's 400 points (4 · 4 · 5 · 5), a third of the time of the direct DFT
// of the 201 bins (about 0.35 s per 30 s window here).
const FACTORS = [4, 4, 5, 5];
const COS = Float64Array.from({ length: nFft }, (_, j) => Math.cos((2 * Math.PI * j) / nFft));
const SIN = Float64Array.from({ length: nFft }, (_, j) => -Math.sin((2 * Math.PI * j) / nFft));
const WINDOW = Float64Array.from({ length: nFft }, (_, n) => 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / nFft));

function fft(inRe: Float64Array, offset: number, stride: number, n: number, outRe: Float64Array, outIm: Float64Array, at: number, level: number): void {
  if (n === 1) {
    outRe[at] = inRe[offset]!;
    outIm[at] = 0;
    return;
  }
  const p = FACTORS[level]!;
  const m = n / p;
  for (let r = 0; r < p; r++) fft(inRe, offset + r * stride, stride * p, m, outRe, outIm, at + r * m, level + 1);
  const step = nFft / n; // W_n^j = W_400^(j·step)
  for (let k = 0; k < m; k++) {
    for (let r = 0; r < p; r++) {
      const w = (r * k * step) % nFft;
      const yRe = outRe[at + r * m + k]!;
      const yIm = outIm[at + r * m + k]!;
      tRe[r] = yRe * COS[w]! - yIm * SIN[w]!;
      tIm[r] = yRe * SIN[w]! + yIm * COS[w]!;
    }
    for (let q = 0; q < p; q++) {
      let re = 0;
      let im = 0;
      for (let r = 0; r < p; r++) {
        const w = ((r * q * nFft) / p) % nFft;
        re += tRe[r]! * COS[w]! - tIm[r]! * SIN[w]!;
        im += tRe[r]! * SIN[w]! + tIm[r]! * COS[w]!;
      }
      scratchRe[q * m + k] = re;
      scratchIm[q * m + k] = im;
    }
  }
  outRe.set(scratchRe.subarray(0, n), at);
  outIm.set(scratchIm.subarray(0, n), at);
}
const scratchRe = new Float64Array(nFft);
const scratchIm = new Float64Array(nFft);
const tRe = new Float64Array(5);
const tIm = new Float64Array(5);

const filterCache = new Map<number, Float64Array[]>();

/**
 * The `input_features` of one 30 s window: [melBins, 3000] row-major, from up to 480 000
 * samples at 16 kHz (fewer are zero-padded, as the feature extractor pads).
 *
 * @example
 * ```ts
 * const features = logMelSpectrogram(samples.subarray(0, 480000), 80); // 80 × 3000
 * ```
 */
export function logMelSpectrogram(samples: Float32Array, melBins: number): Float32Array {
  const filters = filterCache.get(melBins) ?? melFilters(melBins);
  filterCache.set(melBins, filters);
  const pad = nFft / 2;
  const padded = new Float64Array(chunkSamples + 2 * pad);
  const length = Math.min(samples.length, chunkSamples);
  for (let i = 0; i < length; i++) padded[pad + i] = samples[i]!;
  // Reflection without repeating the edge sample (numpy's "reflect").
  for (let i = 1; i <= pad; i++) {
    padded[pad - i] = padded[pad + i]!;
    padded[pad + chunkSamples - 1 + i] = padded[pad + chunkSamples - 1 - i]!;
  }
  const mel = new Float64Array(melBins * FRAMES);
  const frame = new Float64Array(nFft);
  const spectrumRe = new Float64Array(nFft);
  const spectrumIm = new Float64Array(nFft);
  const power = new Float64Array(BINS);
  // Frames entirely past the samples are zero: their power spectrum is zero too.
  const lastLive = Math.floor((length + pad) / hop);
  for (let t = 0; t < FRAMES; t++) {
    if (t > lastLive) break;
    const offset = t * hop;
    for (let n = 0; n < nFft; n++) frame[n] = padded[offset + n]! * WINDOW[n]!;
    fft(frame, 0, 1, nFft, spectrumRe, spectrumIm, 0, 0);
    for (let k = 0; k < BINS; k++) power[k] = spectrumRe[k]! * spectrumRe[k]! + spectrumIm[k]! * spectrumIm[k]!;
    for (let m = 0; m < melBins; m++) {
      const f = filters[m]!;
      let sum = 0;
      for (let k = 0; k < BINS; k++) sum += f[k]! * power[k]!;
      mel[m * FRAMES + t] = sum;
    }
  }
  let max = -Infinity;
  for (let i = 0; i < mel.length; i++) {
    mel[i] = Math.log10(Math.max(1e-10, mel[i]!));
    if (mel[i]! > max) max = mel[i]!;
  }
  const out = new Float32Array(mel.length);
  for (let i = 0; i < mel.length; i++) out[i] = (Math.max(mel[i]!, max - 8) + 4) / 4;
  return out;
}
