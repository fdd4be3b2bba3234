import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32 } from 'node:zlib';
import { decodePng, encodePng, resizeRgb } from '../src/image/index.js';

function gradient(width: number, height: number): Uint8Array {
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) rgb.set([(x * 37) & 255, (y * 11) & 255, (x * y) & 255], (y * width + x) * 3);
  return rgb;
}

describe('PNG', () => {
  it('round-trips pixels and Latin-1 and UTF-8 text chunks', () => {
    const image = { width: 7, height: 5, rgb: gradient(7, 5) };
    const png = encodePng(image, { prompt: 'a red circle', negative_prompt: 'blurry, 日本語 ✓', seed: '42' });
    const decoded = decodePng(png);
    expect([decoded.width, decoded.height]).toEqual([7, 5]);
    expect(Buffer.from(decoded.rgb).equals(Buffer.from(image.rgb))).toBe(true);
    expect(decoded.text).toEqual({ prompt: 'a red circle', negative_prompt: 'blurry, 日本語 ✓', seed: '42' });
    // Latin-1 goes in tEXt, anything else in iTXt.
    expect(Buffer.from(png).includes('tEXtprompt')).toBe(true);
    expect(Buffer.from(png).includes('iTXtnegative_prompt')).toBe(true);
  });

  it('encodes the same picture to the same bytes', () => {
    const image = { width: 16, height: 16, rgb: gradient(16, 16) };
    expect(Buffer.from(encodePng(image, { a: 'b' })).equals(Buffer.from(encodePng(image, { a: 'b' })))).toBe(true);
  });

  it('writes files ffmpeg decodes to the same pixels', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fw-png-'));
    try {
      const image = { width: 9, height: 4, rgb: gradient(9, 4) };
      writeFileSync(join(dir, 'a.png'), encodePng(image, { Software: 'Framewright' }));
      const raw = execFileSync('ffmpeg', ['-v', 'error', '-i', join(dir, 'a.png'), '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-']);
      expect(raw.equals(Buffer.from(image.rgb))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('decodes every row filter (an RGBA file written with filters 0-4)', () => {
    const width = 3;
    const rgba = [10, 20, 30, 255, 40, 50, 60, 255, 70, 80, 90, 255];
    // Every row holds the same pixels; rows 1-4 store them through filters 1-4, run forward here.
    const prev = rgba.slice();
    const filtered: number[][] = [[0, ...rgba]];
    for (const filter of [1, 2, 3, 4]) {
      const row = rgba.map((v, i) => {
        const a = i >= 4 ? rgba[i - 4]! : 0;
        const b = prev[i]!;
        const c = i >= 4 ? prev[i - 4]! : 0;
        const p = a + b - c;
        const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
        const pred = filter === 1 ? a : filter === 2 ? b : filter === 3 ? (a + b) >> 1 : paeth;
        return (v - pred) & 255;
      });
      filtered.push([filter, ...row]);
    }
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(width, 0);
    ihdr.writeUInt32BE(5, 4);
    ihdr.set([8, 6, 0, 0, 0], 8);
    const chunk = (type: string, data: Buffer) => {
      const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
      const len = Buffer.alloc(4);
      len.writeUInt32BE(data.length);
      const crc = Buffer.alloc(4);
      crc.writeUInt32BE(crc32(body));
      return Buffer.concat([len, body, crc]);
    };
    const file = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      chunk('IHDR', ihdr),
      chunk('IDAT', deflateSync(Buffer.from(filtered.flat()))),
      chunk('IEND', Buffer.alloc(0)),
    ]);
    const decoded = decodePng(file);
    const rgb = [10, 20, 30, 40, 50, 60, 70, 80, 90];
    expect([...decoded.rgb]).toEqual([0, 1, 2, 3, 4].flatMap(() => rgb));
  });

  it('names what is wrong with a broken file', () => {
    const png = Buffer.from(encodePng({ width: 2, height: 2, rgb: new Uint8Array(12) }));
    expect(() => decodePng(Buffer.from('hello'), 'x.png')).toThrow(/x\.png: not a PNG file/);
    const corrupt = Buffer.from(png);
    corrupt[20] = corrupt[20]! ^ 1;
    expect(() => decodePng(corrupt)).toThrow(/IHDR chunk fails its CRC/);
    expect(() => decodePng(png.subarray(0, png.length - 20))).toThrow(/truncated/);
    expect(() => encodePng({ width: 2, height: 2, rgb: new Uint8Array(11) })).toThrow(/do not make a 2x2 RGB picture/);
    expect(() => encodePng({ width: 1, height: 1, rgb: new Uint8Array(3) }, { prompt: 'a\0b' })).toThrow(/PNG text prompt contains a NUL/);
  });
});

describe('resizeRgb', () => {
  it('keeps a flat colour flat at any size', () => {
    const rgb = new Uint8Array(4 * 4 * 3).fill(0).map((_, i) => [200, 100, 50][i % 3]!);
    for (const [w, h] of [[13, 7], [2, 3], [64, 64]] as const) {
      const out = resizeRgb({ width: 4, height: 4, rgb }, w, h);
      expect(out.rgb.every((v, i) => v === [200, 100, 50][i % 3])).toBe(true);
    }
  });

  it('averages areas when shrinking (2x2 → 1x1 is the mean)', () => {
    const rgb = Uint8Array.from([0, 0, 0, 100, 100, 100, 200, 200, 200, 100, 100, 100]);
    expect([...resizeRgb({ width: 2, height: 2, rgb }, 1, 1).rgb]).toEqual([100, 100, 100]);
  });

  it('interpolates between pixel centres when growing (1x2 → 1x4)', () => {
    const rgb = Uint8Array.from([0, 0, 0, 200, 200, 200]);
    const out = resizeRgb({ width: 2, height: 1, rgb }, 4, 1);
    expect([...out.rgb].filter((_, i) => i % 3 === 0)).toEqual([0, 50, 150, 200]);
  });
});
