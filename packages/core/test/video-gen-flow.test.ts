import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runOperation } from '../src/engine/index.js';
import { decodeRgbFrames, drawBox, tempDir } from './helpers/video-gen.js';

// A 40-px red square on a dark blue 256×256 ground moves D pixels right between two keyframes.
// The middle frame must show one square where it truly is (half way) and nothing else: a pixel
// is "square" when it is nearer the square's red than the ground; a ghost pixel is one outside
// the true square at least a quarter of the way from the ground to the red — a half-intensity
// copy (what a cross-fade leaves at both ends) is half the way.
const SIDE = 256;
const BOX = 40;
const Y = 100;
const GROUND = [0x20, 0x30, 0x60] as const;
const RED = [0xe0, 0x20, 0x20] as const;
const MOVES = [20, 60, 100, 180] as const;
const startOf = (move: number) => Math.round((SIDE - BOX - move) / 2);

/** Share of the way from the ground's colour to the square's, 0 … 1, of pixel `k`. */
function redness(rgb: Uint8Array, k: number): number {
  let dot = 0;
  let norm = 0;
  for (let c = 0; c < 3; c++) {
    const span = RED[c]! - GROUND[c]!;
    dot += (rgb[k * 3 + c]! - GROUND[c]!) * span;
    norm += span * span;
  }
  return dot / norm;
}

/** Overlap (intersection over union) of the square pixels with the true square, and the ghost pixels. */
function score(rgb: Uint8Array, trueX: number): { iou: number; ghosts: number } {
  let both = 0;
  let either = 0;
  let ghosts = 0;
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      const r = redness(rgb, y * SIDE + x);
      const truth = x >= trueX && x < trueX + BOX && y >= Y && y < Y + BOX;
      const square = r > 0.5;
      if (square && truth) both++;
      if (square || truth) either++;
      if (!truth && r >= 0.25) ghosts++;
    }
  }
  return { iou: both / either, ghosts };
}

let dir: string;
const pairs = new Map<number, string[]>();

beforeAll(async () => {
  dir = tempDir('fw-video-flow-');
  for (const move of MOVES) {
    const x = startOf(move);
    pairs.set(move, [
      await drawBox(dir, `a-${move}`, { width: SIDE, height: SIDE, x, y: Y, box: BOX }),
      await drawBox(dir, `b-${move}`, { width: SIDE, height: SIDE, x: x + move, y: Y, box: BOX }),
    ]);
  }
});

async function middleFrame(move: number, interpolation: 'flow' | 'motion' | 'blend' | undefined): Promise<Uint8Array> {
  const result = await runOperation('video-gen', {
    mode: 'interpolate', keyframes: pairs.get(move)!, frames: 3, format: 'png-sequence',
    ...(interpolation === undefined ? {} : { interpolation }), outputDir: join(dir, `${interpolation ?? 'default'}-${move}`),
  });
  const frames = await decodeRgbFrames(join(result.path, 'frame-%05d.png'), SIDE, SIDE);
  expect(frames).toHaveLength(3);
  return frames[1]!;
}

describe('video-gen interpolate by optical flow', () => {
  it('puts the square of the middle frame where it truly is (overlap ≥ 0.8) with no ghost pixel, for moves of 20 to 180 px', async () => {
    const lines: string[] = [];
    for (const move of MOVES) {
      const { iou, ghosts } = score(await middleFrame(move, undefined), startOf(move) + move / 2);
      lines.push(`${move} px: overlap ${iou.toFixed(3)}, ${ghosts} ghost pixels`);
      expect(iou, `${move} px move`).toBeGreaterThanOrEqual(0.8);
      expect(ghosts, `${move} px move`).toBe(0);
    }
    console.info(`flow interpolation, 40-px square on 256×256, middle frame: ${lines.join('; ')}`);
  }, 120_000);

  it('is the default, and minterpolate and blend stay as options (measured beside it: blend leaves two half-intensity squares)', async () => {
    const lines: string[] = [];
    for (const move of [60, 180]) {
      const trueX = startOf(move) + move / 2;
      const motion = score(await middleFrame(move, 'motion'), trueX);
      const blend = score(await middleFrame(move, 'blend'), trueX);
      const flow = score(await middleFrame(move, 'flow'), trueX);
      lines.push(`${move} px: flow ${flow.iou.toFixed(2)}/${flow.ghosts}, motion ${motion.iou.toFixed(2)}/${motion.ghosts}, blend ${blend.iou.toFixed(2)}/${blend.ghosts}`);
      // A cross-fade of a square that moved twice its side or more is two half-squares: no
      // square pixel at the true place, and both old places count as ghosts.
      if (move >= 2 * BOX) {
        expect(blend.iou).toBe(0);
        expect(blend.ghosts).toBe(2 * BOX * BOX);
      }
      expect(flow.iou).toBeGreaterThan(motion.iou);
    }
    console.info(`middle-frame overlap/ghost pixels: ${lines.join('; ')}`);
  }, 120_000);
});
