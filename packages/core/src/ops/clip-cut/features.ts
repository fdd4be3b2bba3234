// Per-frame summaries of an RGB analysis frame and the distances between two of them. Everything is
// preallocated typed arrays: the analysis runs once per decoded frame, so it must not allocate.

/** The joint hue × saturation × value histogram bins each byte channel by a right shift: 16 × 4 × 4 bins. */
const H_SHIFT = 4;
const S_SHIFT = 6;
const V_SHIFT = 6;
const S_BINS = 256 >> S_SHIFT;
const V_BINS = 256 >> V_SHIFT;
const HIST_BINS = (256 >> H_SHIFT) * S_BINS * V_BINS;
/** 1 / d for d = 0..255 (0 for 0), to avoid divisions in the per-pixel loop. */
const RECIPROCAL = Float64Array.from({ length: 256 }, (_, d) => (d === 0 ? 0 : 1 / d));
/** One sixth of the hue circle on the 0-255 hue scale. */
const HUE_SIXTH = 256 / 6;
/** Side of the luma thumbnail the perceptual hash is computed from. */
const HASH_SIDE = 32;
/** The hash keeps the lowest HASH_FREQ × HASH_FREQ DCT frequencies. */
const HASH_FREQ = 8;

/** The summary of one frame the detectors compare. */
export class FrameFeatures {
  /** Hue (0-255, circular), saturation and value of each pixel, interleaved. */
  readonly hsv: Uint8Array;
  /** Joint HSV histogram (pixel counts). */
  readonly histogram: Uint32Array;
  /** 64-bit perceptual hash as two 32-bit halves (zero when the extractor skips hashing). */
  readonly hash = new Uint32Array(2);
  /** Luma (0-255) of each pixel, for repeat checks and the dissolve model. */
  readonly luma: Uint8Array;
  /** Mean luma (0-255). */
  meanLuma = 0;
  /** Standard deviation of the luma (0-255): how much picture there is; near 0 on a solid colour. */
  lumaSpread = 0;
  /** Pixels in the frame. */
  readonly pixels: number;

  constructor(pixels: number) {
    this.pixels = pixels;
    this.hsv = new Uint8Array(pixels * 3);
    this.luma = new Uint8Array(pixels);
    this.histogram = new Uint32Array(HIST_BINS);
  }
}

/**
 * Converts a yuv420p frame (limited range, as ffmpeg's scaler delivers it) to RGB24 with the
 * BT.601 matrix ffmpeg uses by default, each chroma sample covering its 2×2 pixels.
 */
export function yuv420ToRgb(yuv: Uint8Array, width: number, height: number, rgb: Uint8Array): void {
  const half = width >> 1;
  const uBase = width * height;
  const vBase = uBase + half * (height >> 1);
  // 16.16 fixed point: 1.164 (Y − 16), 1.596 V, 0.391 U + 0.813 V, 2.018 U.
  for (let y = 0; y < height; y++) {
    const row = y * width;
    const chromaRow = (y >> 1) * half;
    for (let x = 0; x < width; x++) {
      const c = chromaRow + (x >> 1);
      const l = (yuv[row + x]! - 16) * 76309 + 32768;
      const u = yuv[uBase + c]! - 128;
      const v = yuv[vBase + c]! - 128;
      const r = (l + 104597 * v) >> 16;
      const g = (l - 25675 * u - 53279 * v) >> 16;
      const b = (l + 132201 * u) >> 16;
      const i = 3 * (row + x);
      rgb[i] = r < 0 ? 0 : r > 255 ? 255 : r;
      rgb[i + 1] = g < 0 ? 0 : g > 255 ? 255 : g;
      rgb[i + 2] = b < 0 ? 0 : b > 255 ? 255 : b;
    }
  }
}

/** Computes {@link FrameFeatures} of RGB24 frames of one size, reusing its scratch buffers. */
export class FeatureExtractor {
  readonly width: number;
  readonly height: number;
  private readonly lumaSmall = new Float64Array(HASH_SIDE * HASH_SIDE);
  private readonly cellCount = new Float64Array(HASH_SIDE * HASH_SIDE);
  private readonly cellOfPixel: Uint16Array;
  private readonly cos = new Float64Array(HASH_FREQ * HASH_SIDE);
  private readonly rowDct = new Float64Array(HASH_FREQ * HASH_SIDE);
  private readonly coeffs = new Float64Array(HASH_FREQ * HASH_FREQ);
  private readonly sorted = new Float64Array(HASH_FREQ * HASH_FREQ - 1);

  /** Whether {@link FeatureExtractor.extract} computes the perceptual hash (the only costly part). */
  readonly withHash: boolean;

  constructor(width: number, height: number, options: { hash?: boolean } = {}) {
    this.width = width;
    this.height = height;
    this.withHash = options.hash ?? true;
    this.cellOfPixel = new Uint16Array(width * height);
    for (let y = 0; y < height; y++) {
      const cy = Math.min(HASH_SIDE - 1, Math.floor((y * HASH_SIDE) / height));
      for (let x = 0; x < width; x++) {
        const cx = Math.min(HASH_SIDE - 1, Math.floor((x * HASH_SIDE) / width));
        const cell = cy * HASH_SIDE + cx;
        this.cellOfPixel[y * width + x] = cell;
        this.cellCount[cell]! += 1;
      }
    }
    for (let u = 0; u < HASH_FREQ; u++) {
      for (let x = 0; x < HASH_SIDE; x++) this.cos[u * HASH_SIDE + x] = Math.cos(((2 * x + 1) * u * Math.PI) / (2 * HASH_SIDE));
    }
  }

  /** A features object sized for this extractor. */
  create(): FrameFeatures {
    return new FrameFeatures(this.width * this.height);
  }

  /** Fills `out` from an RGB24 frame. */
  extract(rgb: Uint8Array, out: FrameFeatures): void {
    const { hsv, histogram, luma } = out;
    const small = this.lumaSmall;
    const cellOfPixel = this.cellOfPixel;
    const withHash = this.withHash;
    histogram.fill(0);
    small.fill(0);
    let lumaSum = 0;
    let lumaSquares = 0;
    const n = out.pixels;
    // Hot loop: integer maths and a reciprocal table instead of divisions.
    for (let p = 0, i = 0; p < n; p++, i += 3) {
      const r = rgb[i]!;
      const g = rgb[i + 1]!;
      const b = rgb[i + 2]!;
      const max = r > g ? (r > b ? r : b) : g > b ? g : b;
      const min = r < g ? (r < b ? r : b) : g < b ? g : b;
      const delta = max - min;
      let h = 0;
      let sat = 0;
      if (delta > 0) {
        // Hue in sixths of the circle scaled to 0-255, so it wraps like a byte (256 / 6 per sixth).
        const inv = RECIPROCAL[delta]! * HUE_SIXTH;
        let hue: number;
        if (max === r) hue = (g - b) * inv;
        else if (max === g) hue = 2 * HUE_SIXTH + (b - r) * inv;
        else hue = 4 * HUE_SIXTH + (r - g) * inv;
        h = (hue | 0) & 255;
        sat = (255 * delta * RECIPROCAL[max]!) | 0;
      }
      hsv[i] = h;
      hsv[i + 1] = sat;
      hsv[i + 2] = max;
      histogram[(h >> H_SHIFT) * (S_BINS * V_BINS) + (sat >> S_SHIFT) * V_BINS + (max >> V_SHIFT)]! += 1;
      const y = (77 * r + 150 * g + 29 * b) >> 8;
      luma[p] = y;
      lumaSum += y;
      lumaSquares += y * y;
      if (withHash) small[cellOfPixel[p]!]! += y;
    }
    out.meanLuma = lumaSum / n;
    out.lumaSpread = Math.sqrt(Math.max(0, lumaSquares / n - out.meanLuma * out.meanLuma));
    if (!withHash) return;
    for (let c = 0; c < small.length; c++) small[c]! /= Math.max(1, this.cellCount[c]!);
    this.hashInto(out.hash);
  }

  // pHash: the low 8×8 DCT coefficients of a 32×32 luma thumbnail, each bit set when the
  // coefficient is above their median (the DC term is left out: it only encodes brightness).
  private hashInto(hash: Uint32Array): void {
    const { cos, rowDct, coeffs, lumaSmall } = this;
    for (let y = 0; y < HASH_SIDE; y++) {
      for (let u = 0; u < HASH_FREQ; u++) {
        let sum = 0;
        for (let x = 0; x < HASH_SIDE; x++) sum += lumaSmall[y * HASH_SIDE + x]! * cos[u * HASH_SIDE + x]!;
        rowDct[u * HASH_SIDE + y] = sum;
      }
    }
    for (let v = 0; v < HASH_FREQ; v++) {
      for (let u = 0; u < HASH_FREQ; u++) {
        let sum = 0;
        for (let y = 0; y < HASH_SIDE; y++) sum += rowDct[u * HASH_SIDE + y]! * cos[v * HASH_SIDE + y]!;
        coeffs[v * HASH_FREQ + u] = sum;
      }
    }
    this.sorted.set(coeffs.subarray(1));
    this.sorted.sort();
    const median = (this.sorted[31]! + this.sorted[32]!) / 2;
    hash[0] = 0;
    hash[1] = 0;
    for (let k = 1; k < HASH_FREQ * HASH_FREQ; k++) {
      if (coeffs[k]! > median) hash[k >> 5]! |= 1 << (k & 31);
    }
  }
}

/** Mean absolute HSV difference of two frames (0-255; hue differences wrap around). */
export function contentDistance(a: FrameFeatures, b: FrameFeatures): number {
  const x = a.hsv;
  const y = b.hsv;
  let sum = 0;
  // Lengths read once: V8 reloads them every pass otherwise, which triples the cost of these loops.
  const n = x.length;
  for (let i = 0; i < n; i += 3) {
    let dh = x[i]! - y[i]!;
    if (dh < 0) dh = -dh;
    if (dh > 128) dh = 256 - dh;
    const ds = x[i + 1]! - y[i + 1]!;
    const dv = x[i + 2]! - y[i + 2]!;
    sum += dh + (ds < 0 ? -ds : ds) + (dv < 0 ? -dv : dv);
  }
  return sum / n;
}

/** Mean absolute luma difference of two frames (0-255). */
export function lumaDistance(a: FrameFeatures, b: FrameFeatures): number {
  const x = a.luma;
  const y = b.luma;
  let sum = 0;
  const n = x.length;
  for (let i = 0; i < n; i++) {
    const d = x[i]! - y[i]!;
    sum += d < 0 ? -d : d;
  }
  return sum / n;
}

/** One minus the intersection of the two HSV histograms (0 identical, 1 disjoint). */
export function histogramDistance(a: FrameFeatures, b: FrameFeatures): number {
  let common = 0;
  const x = a.histogram;
  const y = b.histogram;
  const n = x.length;
  for (let i = 0; i < n; i++) common += x[i]! < y[i]! ? x[i]! : y[i]!;
  return 1 - common / a.pixels;
}

function popcount(v: number): number {
  let x = v - ((v >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** Fraction of the 63 perceptual-hash bits that differ (0 same picture, ~0.5 unrelated). */
export function hashDistance(a: FrameFeatures, b: FrameFeatures): number {
  return (popcount(a.hash[0]! ^ b.hash[0]!) + popcount(a.hash[1]! ^ b.hash[1]!)) / 63;
}
