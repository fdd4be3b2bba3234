import { describe, expect, it } from 'vitest';
import { FramewrightError } from '../src/protocol/errors.js';
import { COLOUR_NAMES, MAX_PROMPT_LENGTH, POSITIONS, completePrompt, parsePrompt } from '../src/builtin/image/prompt.js';
import { describeScene } from '../src/builtin/image/captions.js';
import { sampleScene } from '../src/builtin/image/scene.js';
import { Rng } from '../src/transformer/random.js';

const ATTRIBUTES = ['shape', 'colour', 'background', 'size', 'position', 'count'] as const;

describe('parsePrompt', () => {
  it('reads the phrasings of the issue', () => {
    expect(parsePrompt('a red circle on a blue background')).toEqual({ shape: 'circle', colour: 'red', background: 'blue', count: 1, unknownWords: [] });
    expect(parsePrompt('two small yellow squares top left on purple')).toEqual({
      shape: 'square', colour: 'yellow', background: 'purple', size: 'small', position: 'top left', count: 2, unknownWords: [],
    });
    expect(parsePrompt('large green triangle, bottom, white background')).toEqual({
      shape: 'triangle', colour: 'green', background: 'white', size: 'large', position: 'bottom', unknownWords: [],
    });
  });

  it('tells the background from the object colour by markers, not by order', () => {
    expect(parsePrompt('on black, an orange disc')).toMatchObject({ background: 'black', colour: 'orange', shape: 'circle', count: 1 });
    expect(parsePrompt('background: white; violet box in the upper-right corner')).toMatchObject({ background: 'white', colour: 'purple', shape: 'square', position: 'top right' });
    expect(parsePrompt('red circle, blue')).toMatchObject({ colour: 'red', background: 'blue' });
    expect(parsePrompt('on the left a red circle')).toMatchObject({ colour: 'red', position: 'left' });
    expect(parsePrompt('on the left a red circle').background).toBeUndefined();
  });

  it('reads positions from a vertical and a horizontal word, or the centre', () => {
    expect(parsePrompt('circle at the bottom-right').position).toBe('bottom right');
    expect(parsePrompt('circle, lower middle').position).toBe('bottom');
    expect(parsePrompt('square on the right').position).toBe('right');
    expect(parsePrompt('square, centered').position).toBe('centre');
  });

  it('leaves out what the prompt does not say', () => {
    expect(parsePrompt('triangle')).toEqual({ shape: 'triangle', unknownWords: [] });
    expect(parsePrompt('something purple')).toEqual({ colour: 'purple', unknownWords: ['something'] });
  });

  it('lists contradictions (the first value wins) and says nothing when there are none', () => {
    expect(parsePrompt('a circle and a square, top, bottom').conflicts).toEqual(['shape: circle, then square; drawing circle', 'position: top, then bottom; drawing top']);
    expect(parsePrompt('red green blue circle').conflicts).toEqual(['object colour: red, then blue; drawing red']);
    expect(parsePrompt('a red circle on a red background').conflicts).toEqual(['the object and the background are both red; the background is drawn in another colour']);
    expect(parsePrompt('a red circle on a blue background').conflicts).toBeUndefined();
  });

  it('completePrompt keeps what was asked and chooses the rest from the generator', () => {
    const rng = new Rng(4);
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const a = completePrompt(parsePrompt('triangle'), rng);
      expect(a.shape).toBe('triangle');
      expect(a.count).toBe(1);
      expect(['medium', 'large']).toContain(a.size);
      expect(a.background).not.toBe(a.colour);
      seen.add(`${a.colour}/${a.position}`);
    }
    expect(seen.size).toBeGreaterThan(COLOUR_NAMES.length * POSITIONS.length * 0.6);
    expect(completePrompt(parsePrompt('two red circles on red'), rng)).toMatchObject({ colour: 'red', count: 2, size: 'small' });
    expect(completePrompt(parsePrompt('two red circles on red'), rng).background).not.toBe('red');
    expect(completePrompt(parsePrompt('a small blue square at the top on white'), rng)).toEqual({ shape: 'square', colour: 'blue', background: 'white', size: 'small', position: 'top', count: 1 });
  });

  it('lists unknown words once each, in order, and never fails on them', () => {
    expect(parsePrompt('a fluffy red dog and a fluffy cat, 4k').unknownWords).toEqual(['fluffy', 'dog', 'cat', '4k']);
    expect(parsePrompt('ünïcödé 🚀 "quotes" $HOME `x`').unknownWords.length).toBeGreaterThan(0);
  });

  it('rejects empty and over-long prompts with INVALID_PARAMS', () => {
    for (const bad of ['', '   \n\t']) {
      expect(() => parsePrompt(bad)).toThrow(FramewrightError);
      expect(() => parsePrompt(bad)).toThrow(/prompt is empty/);
    }
    const long = 'red circle '.repeat(1000);
    expect(() => parsePrompt(long)).toThrow(`prompt is ${long.length} characters; the limit is ${MAX_PROMPT_LENGTH}`);
    try {
      parsePrompt(long);
    } catch (error) {
      expect((error as FramewrightError).code).toBe('INVALID_PARAMS');
    }
  });

  it('reads back every attribute that a generated caption mentions, and nothing else', () => {
    const rng = new Rng(11);
    for (let i = 0; i < 1000; i++) {
      const scene = sampleScene(rng, i % 2 === 0 ? 'train' : 'held-out');
      const mention = Object.fromEntries(ATTRIBUTES.map((a) => [a, rng.float() < 0.7])) as Record<(typeof ATTRIBUTES)[number], boolean>;
      if (!Object.values(mention).some((m) => m)) continue;
      const caption = describeScene(scene, rng, mention);
      const parsed = parsePrompt(caption);
      expect(parsed.unknownWords, caption).toEqual([]);
      for (const a of ATTRIBUTES) {
        if (mention[a]) expect(parsed[a], `${a} of "${caption}"`).toBe(scene[a]);
        else if (a !== 'count') expect(parsed[a], `${a} of "${caption}"`).toBeUndefined();
        else if (parsed.count !== undefined) expect(parsed.count, caption).toBe(scene.count); // a plural noun still says two
      }
    }
  });
});
