import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ClipTokenizer } from '../src/ops/image-gen/sd-turbo/clip-tokenizer.js';
import { clipByteOrder, tinyClipVocab, TINY_MERGES } from './helpers/tiny-packs.js';

describe('ClipTokenizer', () => {
  const tokenizer = new ClipTokenizer(new Map(Object.entries(tinyClipVocab())), TINY_MERGES, 77, '!');
  // Ids of CLIP's layout: byte symbols 0-255 in GPT-2 order, then with </w> (+256), then merges.
  const byteId = (ch: string) => clipByteOrder().indexOf(ch);
  const wordEnd = (ch: string) => 256 + byteId(ch);
  const merged = (token: string) => 512 + TINY_MERGES.findIndex((m) => m.replace(' ', '') === token);

  it('gives single letters the ids of the real CLIP vocabulary ("a" is 320, "!" is 0)', () => {
    expect(wordEnd('a')).toBe(320);
    expect(byteId('!')).toBe(0);
    expect(tokenizer.tokenize('a')).toEqual([320]);
  });

  it('applies the merges in rank order and marks word ends', () => {
    expect(tokenizer.tokenize('a photo of a cat')).toEqual([320, merged('photo</w>'), byteId('o'), wordEnd('f'), 320, merged('cat</w>')]);
    // "red" merges r+e then re+d</w>; "reds" has no d</w>, so it stays re·d·s</w>.
    expect(tokenizer.tokenize('red')).toEqual([merged('red</w>')]);
    expect(tokenizer.tokenize('reds')).toEqual([merged('re'), byteId('d'), wordEnd('s')]);
  });

  it('lowercases, collapses whitespace and splits punctuation, numbers and contractions', () => {
    expect(tokenizer.tokenize('  A   CAT\n')).toEqual(tokenizer.tokenize('a cat'));
    expect(tokenizer.tokenize('cat, 42!')).toEqual([merged('cat</w>'), wordEnd(','), wordEnd('4'), wordEnd('2'), wordEnd('!')]);
    expect(tokenizer.tokenize("cat's")).toEqual([merged('cat</w>'), byteId("'"), wordEnd('s')]);
  });

  it('encodes non-ASCII text through its UTF-8 bytes', () => {
    // é is C3 A9: two byte symbols, the last one ending the word.
    expect(tokenizer.tokenize('é')).toEqual([byteId(String.fromCodePoint(0xc3)), wordEnd(String.fromCodePoint(0xa9))]);
  });

  it('wraps in start/end tokens, pads to 77 and truncates long prompts', () => {
    const start = tinyClipVocab()['<|startoftext|>']!;
    const end = tinyClipVocab()['<|endoftext|>']!;
    const short = tokenizer.encode('a cat');
    expect(short.ids.slice(0, 5)).toEqual([start, 320, merged('cat</w>'), end, 0]);
    expect(short.ids).toHaveLength(77);
    expect(short.truncated).toBe(false);
    const long = tokenizer.encode('a '.repeat(100));
    expect(long.ids).toHaveLength(77);
    expect(long.ids.at(-1)).toBe(end);
    expect(long.truncated).toBe(true);
  });
});

describe('ClipTokenizer.fromFiles', () => {
  it('reads vocab.json and merges.txt (skipping the #version line) and names a malformed file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fw-clip-'));
    try {
      writeFileSync(join(dir, 'vocab.json'), JSON.stringify(tinyClipVocab()));
      writeFileSync(join(dir, 'merges.txt'), `#version: 0.2\n${TINY_MERGES.join('\n')}\n`);
      const tokenizer = await ClipTokenizer.fromFiles(join(dir, 'vocab.json'), join(dir, 'merges.txt'));
      expect(tokenizer.tokenize('cat')).toEqual([512 + TINY_MERGES.indexOf('ca t</w>')]);
      expect(tokenizer.padId).toBe(tokenizer.endId);
      writeFileSync(join(dir, 'bad-merges.txt'), 'c a\nthree part line\n');
      await expect(ClipTokenizer.fromFiles(join(dir, 'vocab.json'), join(dir, 'bad-merges.txt'))).rejects.toMatchObject({ code: 'MODEL_INVALID', message: expect.stringContaining('bad-merges.txt must hold one "a b" pair per line') });
      writeFileSync(join(dir, 'no-special.json'), JSON.stringify({ a: 0 }));
      await expect(ClipTokenizer.fromFiles(join(dir, 'no-special.json'), join(dir, 'merges.txt'))).rejects.toThrow(/has no <\|startoftext\|> token/);
      await expect(ClipTokenizer.fromFiles(join(dir, 'missing.json'), join(dir, 'merges.txt'))).rejects.toThrow(/missing\.json is not a readable JSON file/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
