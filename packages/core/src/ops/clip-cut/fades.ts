// Fades to and from black or white, from each distinct frame's mean luma and luma spread. A fade
// scales the picture's distance to the colour, (1 − α)(A − colour), so |mean − colour| + spread
// falls along a ramp to about 0 and stays there while the colour is held. A colour frame is
// solid: its spread is small next to its level, so a dark shot (which keeps its texture) is never
// black, whatever its brightness.

/** A fade-out, a fade-in or both around one run of solid colour, in distinct-frame positions. */
export interface ColourRun {
  readonly colour: 'black' | 'white';
  /** First and last distinct position of the run of colour frames. */
  readonly first: number;
  readonly last: number;
  /** First position of the ramp into the run (the fade-out), when there is one. */
  readonly fadeOutFrom?: number;
  /** First position after the ramp out of the run (the fade-in), when there is one. */
  readonly fadeInTo?: number;
  /** Depth of the deeper ramp relative to the least depth a fade needs (≥ 1). */
  readonly score: number;
}

/** Longest ramp looked for, in distinct frames. */
const MAX_RAMP = 150;
/** A ramp must cover at least this many frames between the picture and the colour. */
const MIN_RAMP = 2;
/** Least fall of the distance to the colour over a ramp (luma levels). */
const MIN_DEPTH = 24;
/** A solid frame's spread is at most this, or this share of its distance to the colour. */
const SOLID_SPREAD = 4;
const SOLID_SHARE = 0.3;
/** Largest RMS departure from the fitted ramp, relative to its depth. */
const RAMP_RESIDUAL = 0.12;

/**
 * The runs of solid black or white among distinct frames with the ramps around them.
 * `luma` and `spread` are the distinct frames' mean luma and luma spread; `threshold` the fade
 * threshold (mean luma at or below which a solid frame is black, at or above 255 minus it white).
 */
export function colourRuns(luma: ArrayLike<number>, spread: ArrayLike<number>, threshold: number): ColourRun[] {
  const n = luma.length;
  const colourOf = (i: number): 'black' | 'white' | undefined => {
    const y = luma[i]!;
    const s = spread[i]!;
    if (y <= threshold && s <= Math.max(SOLID_SPREAD, SOLID_SHARE * y)) return 'black';
    if (y >= 255 - threshold && s <= Math.max(SOLID_SPREAD, SOLID_SHARE * (255 - y))) return 'white';
    return undefined;
  };
  const runs: ColourRun[] = [];
  let i = 0;
  while (i < n) {
    const colour = colourOf(i);
    if (colour === undefined) {
      i++;
      continue;
    }
    let last = i;
    while (last + 1 < n && colourOf(last + 1) === colour) last++;
    const level = colour === 'black' ? 0 : 255;
    const distance = (j: number) => Math.abs(luma[j]! - level) + spread[j]!;
    const out = i > 0 ? ramp(distance, i, -1, n) : undefined;
    const into = last < n - 1 ? ramp(distance, last, 1, n) : undefined;
    const depths = [out?.depth ?? 0, into?.depth ?? 0];
    // The first frames of a ramp are dark enough to pass for the colour; those still on the
    // ramp's line (half a step above the run's floor or more) are the ramp's.
    let floor = Number.POSITIVE_INFINITY;
    for (let j = i; j <= last; j++) floor = Math.min(floor, distance(j));
    let first = i;
    let end = last;
    if (out !== undefined) while (first < end && distance(first) - floor >= 0.5 * out.slope) first++;
    if (into !== undefined) while (end > first && distance(end) - floor >= 0.5 * into.slope) end--;
    runs.push({
      colour,
      first,
      last: end,
      // The ramp's frames lie between the run and the first frame of the picture alone.
      ...(out === undefined ? {} : { fadeOutFrom: out.end + 1 }),
      ...(into === undefined ? {} : { fadeInTo: into.end }),
      score: Math.max(1, Math.max(...depths) / Math.max(1, MIN_DEPTH)),
    });
    i = last + 1;
  }
  return runs;
}

/**
 * The ramp leaving the colour at position `edge` in direction `step` (−1: backwards, the fade-out
 * that led into the run; +1: forwards, the fade-in): the distance to the colour rises along a
 * straight line, then levels off at the picture's. Returns the position where it levelled off, the
 * rise and the rise per frame, or nothing when the picture is reached in one step (a hard cut) or not steadily. The
 * ramp's frames lie strictly between `edge` and that position.
 */
function ramp(distance: (j: number) => number, edge: number, step: -1 | 1, n: number): { end: number; depth: number; slope: number } | undefined {
  const base = distance(edge);
  const limit = step < 0 ? Math.max(0, edge - MAX_RAMP) : Math.min(n - 1, edge + MAX_RAMP);
  const span = Math.abs(limit - edge);
  if (span < MIN_RAMP + 1) return undefined;
  const at = (k: number) => distance(edge + step * k);
  // A flat stretch of the picture level from k on, a straight rise from the run's edge up to it.
  let best: { k: number; error: number; level: number } | undefined;
  for (let k = MIN_RAMP + 1; k <= span; k++) {
    const tail = Math.min(span, k + 8);
    let level = 0;
    for (let j = k; j <= tail; j++) level += at(j);
    level /= tail - k + 1;
    if (level - base < MIN_DEPTH) continue;
    let error = 0;
    for (let j = 1; j <= tail; j++) {
      const model = j >= k ? level : base + ((level - base) * j) / k;
      const d = at(j) - model;
      error += d * d;
    }
    error = Math.sqrt(error / tail) / (level - base);
    if (best === undefined || error < best.error) best = { k, error, level };
  }
  if (best === undefined || best.error > RAMP_RESIDUAL) return undefined;
  // The frame next to the run must already be on its way: a hard cut jumps there at once.
  const first = at(1) - base;
  if (first > 0.75 * (best.level - base)) return undefined;
  return { end: edge + step * best.k, depth: best.level - base, slope: (best.level - base) / best.k };
}
