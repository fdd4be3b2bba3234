import { describe, expect, it } from 'vitest';
import type { TransformerModelConfig } from '../src/transformer/model.js';
import { SEQUENCE } from '../src/builtin/image/tokens.js';
import { paintMask, renderSceneMask } from '../src/builtin/image/scene.js';
import { checkClip } from './helpers/video-checker.js';
import { retimeClip } from '../src/ops/video-gen/text-to-video.js';
import { CLIP_FRAMES, DIRECTIONS, clipCentre, clipFrameScene, describeClip, isHeldOutClip, parseMotionPrompt, renderClipMasks, sampleClip } from '../src/builtin/video/motion.js';
import { CLIP_SEQUENCE } from '../src/builtin/video/tokens.js';
import { clipPromptCases } from './helpers/video-prompt-following.js';
import { sampleMotionExample } from '../src/builtin/video/dataset.js';
import { motionMaskGitTask, motionVocabulary } from '../src/builtin/video/task.js';
import { Rng } from '../src/transformer/random.js';
import { FramewrightError } from '../src/protocol/errors.js';

const clipFrames = (masks: Uint8Array[], colour: 'red' | 'purple', background: 'blue' | 'white') => masks.map((m) => ({ width: 32, height: 32, rgb: paintMask(m, colour, background) }));

describe('text-to-video prompts', () => {
  it('reads the direction from every phrasing and the object with the image grammar', () => {
    expect(parseMotionPrompt('a red circle moves from left to right on a blue background')).toEqual({ shape: 'circle', colour: 'red', background: 'blue', direction: 'right', unknownWords: [], ignored: [] });
    expect(parseMotionPrompt('a green square moves up')).toMatchObject({ shape: 'square', colour: 'green', direction: 'up' });
    expect(parseMotionPrompt('A big yellow ball falls downwards against black')).toMatchObject({ shape: 'circle', size: 'large', colour: 'yellow', background: 'black', direction: 'down' });
    expect(parseMotionPrompt('purple triangle, from the right to the left')).toMatchObject({ colour: 'purple', direction: 'left' });
    expect(parseMotionPrompt('a triangle slides to the left').direction).toBe('left');
    expect(parseMotionPrompt('a blue square').direction).toBeUndefined();
  });

  it('reports a position or a second object as ignored instead of misreading them', () => {
    const parsed = parseMotionPrompt('two red squares at the top go nowhere');
    expect(parsed.ignored).toHaveLength(2);
    expect(parsed.unknownWords).toContain('nowhere');
    expect(() => parseMotionPrompt('   ')).toThrow(FramewrightError);
  });

  it('parses every caption the dataset writes back to the clip it describes', () => {
    const rng = new Rng(5);
    for (let i = 0; i < 300; i++) {
      const clip = sampleClip(rng, i % 2 === 0 ? 'train' : 'held-out');
      const parsed = parseMotionPrompt(describeClip(clip, rng));
      expect({ ...parsed }).toEqual({ shape: clip.shape, colour: clip.colour, background: clip.background, size: clip.size, direction: clip.direction, unknownWords: [], ignored: [] });
    }
  });
});

describe('motion dataset', () => {
  it('keeps held-out combinations out of the training split and only those in the held-out split', () => {
    const rng = new Rng(9);
    for (let i = 0; i < 500; i++) {
      expect(isHeldOutClip(sampleClip(rng, 'train'))).toBe(false);
      expect(isHeldOutClip(sampleClip(rng, 'held-out'))).toBe(true);
    }
    expect(clipPromptCases('held-out', 50).every((c) => isHeldOutClip(c.clip))).toBe(true);
  });

  it('moves the object across the whole frame in its direction, inside the picture', () => {
    for (const direction of DIRECTIONS) {
      const clip = { shape: 'square', colour: 'red', background: 'blue', size: 'large', direction, lane: 16 } as const;
      const [x0, y0] = clipCentre(clip, 0);
      const [x1, y1] = clipCentre(clip, CLIP_FRAMES - 1);
      const travel = { left: x0 - x1, right: x1 - x0, up: y0 - y1, down: y1 - y0 }[direction];
      expect(travel).toBe(16);
      const masks = renderClipMasks(clip);
      expect(masks.every((m) => m.reduce((s, v) => s + v, 0) === 14 * 14)).toBe(true); // never clipped
    }
  });

  it('encodes every training clip exactly: its tokens decode to the rendered frames', () => {
    const vocab = motionVocabulary();
    const rng = new Rng(3);
    for (let i = 0; i < 40; i++) {
      const { clip, tokens } = sampleMotionExample(rng, vocab);
      expect(tokens).toHaveLength(CLIP_SEQUENCE);
      const { frames, colours } = vocab.decodeClip(tokens);
      frames.forEach((rgb, t) => expect(Buffer.from(rgb).equals(Buffer.from(paintMask(renderSceneMask(clipFrameScene(clip, t)), clip.colour, clip.background)))).toBe(true));
      expect(new Set(colours)).toEqual(new Set([clip.colour]));
      // every frame's slot row carries the same prompt tokens: nothing in the conditioning depends on the frame
      for (let t = 0; t < CLIP_FRAMES; t++) expect([...tokens.subarray(t * SEQUENCE, t * SEQUENCE + 6)]).toEqual([...tokens.subarray(0, 6)]);
      expect(tokens.every((id) => id < vocab.size)).toBe(true);
    }
  });

  it('masks only picture tokens and gives the trainer a deterministic batch', async () => {
    const config = { input: { kind: 'tokens', vocabSize: motionVocabulary().size }, positions: { kind: 'sincos3d', frames: 8, rows: 9, cols: 8, factorised: true }, width: 16, heads: 2, ffnHidden: 32, activation: 'gelu', blocks: 1, outputSize: motionVocabulary().size, spaceTime: { frames: 8 } } as TransformerModelConfig;
    const first = async () => (await motionMaskGitTask.dataset(config).batches({ seed: 4, batchSize: 2, start: 0 })[Symbol.asyncIterator]().next()).value!;
    const [a, b] = [await first(), await first()];
    expect(a.inputs!.data).toEqual(b.inputs!.data);
    const mask = a.mask!.data as Float32Array;
    mask.forEach((m, p) => {
      if (p % SEQUENCE < 6) expect(m).toBe(0);
    });
    expect(mask.reduce((s, v) => s + v, 0)).toBeGreaterThan(0);
    expect(() => motionMaskGitTask.checkModel({ ...config, spaceTime: undefined })).toThrow(/spaceTime/);
  });
});

describe('clip checker', () => {
  it('reads colour and direction of a rendered clip, with no flicker', () => {
    for (const direction of DIRECTIONS) {
      const clip = { shape: 'circle', colour: 'purple', background: 'white', size: 'medium', direction, lane: 12 } as const;
      const read = checkClip(clipFrames(renderClipMasks(clip), 'purple', 'white'));
      expect(read).toMatchObject({ colour: 'purple', background: 'white', shape: 'circle', direction, flicker: 0 });
    }
  });

  it('reports no direction for a still object and flicker for background blocks that blink', () => {
    const still = renderClipMasks({ shape: 'square', colour: 'red', background: 'blue', size: 'small', direction: 'right', lane: 16 }).map(() => renderSceneMask(clipFrameScene({ shape: 'square', colour: 'red', background: 'blue', size: 'small', direction: 'right', lane: 16 }, 0)));
    expect(checkClip(clipFrames(still, 'red', 'blue')).direction).toBeUndefined();
    const blinking = still.map((m, t) => {
      const copy = m.slice();
      if (t % 2 === 1) for (let y = 24; y < 28; y++) for (let x = 24; x < 28; x++) copy[y * 32 + x] = 1; // a 4×4 block far from the object
      return copy;
    });
    expect(checkClip(clipFrames(blinking, 'red', 'blue')).flicker).toBeGreaterThan(0.01);
  });

  it('retimes a clip to any frame count by optical flow: ends kept, no frame a copy of its neighbour, the object moving on', () => {
    const clip = { shape: 'square', colour: 'red', background: 'blue', size: 'medium', direction: 'right', lane: 16 } as const;
    const frames = clipFrames(renderClipMasks(clip), 'red', 'blue');
    // x of the object's centre, weighted by how red each pixel is (blended edges count in part)
    const red = (f: { rgb: Uint8Array }): number => {
      let sx = 0;
      let n = 0;
      for (let p = 0; p < 32 * 32; p++) {
        const w = Math.max(0, f.rgb[3 * p]! - f.rgb[3 * p + 2]!);
        sx += w * (p % 32);
        n += w;
      }
      return sx / n;
    };
    for (const n of [5, 16, 24, 48]) {
      const out = retimeClip(frames, n);
      expect(out).toHaveLength(n);
      expect(out[0]).toBe(frames[0]);
      expect(out[n - 1]).toBe(frames[CLIP_FRAMES - 1]);
      for (let i = 1; i < n; i++) {
        expect(Buffer.from(out[i]!.rgb).equals(Buffer.from(out[i - 1]!.rgb))).toBe(false);
        expect(red(out[i]!)).toBeGreaterThan(red(out[i - 1]!));
      }
    }
    expect(retimeClip(frames, CLIP_FRAMES)).toEqual(frames);
    expect(() => retimeClip(frames, 0)).toThrow(FramewrightError);
  });
});
