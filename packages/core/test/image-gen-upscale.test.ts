import { describe, expect, it } from 'vitest';
import { resizeRgb, type RgbImage } from '../src/image/index.js';
import { esrganScaleFor, esrganUpscale, upscaleTo } from '../src/ops/image-gen/upscale.js';

/** A 32 px picture like the built-in model draws: a yellow disc on purple. */
function disc(size = 32): RgbImage {
  const rgb = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const inside = (x - 15.5) ** 2 + (y - 15.5) ** 2 < 81;
      rgb.set(inside ? [240, 220, 20] : [120, 40, 160], (y * size + x) * 3);
    }
  }
  return { width: size, height: size, rgb };
}

describe('ESRGAN upscaling (@upscalerjs/esrgan-slim on tfjs)', () => {
  it('picks the smallest shipped scale that reaches the target', () => {
    expect([0.5, 1, 1.5, 2, 2.5, 4, 5, 8, 16].map(esrganScaleFor)).toEqual([1, 1, 2, 2, 3, 4, 8, 8, 8]);
  });

  it('runs the real model: ×4 gives 128 px, keeps the colours, and is not a plain resize', async () => {
    const source = disc();
    const up = await esrganUpscale(source, 4);
    expect([up.width, up.height]).toEqual([128, 128]);
    const at = (img: RgbImage, x: number, y: number) => [...img.rgb.subarray((y * img.width + x) * 3, (y * img.width + x) * 3 + 3)];
    const near = (a: number[], b: number[]) => a.every((v, i) => Math.abs(v - b[i]!) < 24);
    expect(near(at(up, 64, 64), [240, 220, 20])).toBe(true);
    expect(near(at(up, 4, 4), [120, 40, 160])).toBe(true);
    const bilinear = resizeRgb(source, 128, 128);
    const differing = up.rgb.reduce((n, v, i) => n + (Math.abs(v - bilinear.rgb[i]!) > 8 ? 1 : 0), 0);
    expect(differing).toBeGreaterThan(100);
  });

  it('brings 32 px to any requested size, the same bytes every time, cropping to keep the aspect', async () => {
    const a = await upscaleTo(disc(), 256, 256);
    const b = await upscaleTo(disc(), 256, 256);
    expect([a.width, a.height]).toEqual([256, 256]);
    expect(Buffer.from(a.rgb).equals(Buffer.from(b.rgb))).toBe(true);
    const wide = await upscaleTo(disc(), 160, 80);
    expect([wide.width, wide.height]).toEqual([160, 80]);
    // The centre row of the wide crop is the centre row of the square one: nothing was stretched.
    const square = await upscaleTo(disc(), 160, 160);
    const row = (img: RgbImage, y: number) => Buffer.from(img.rgb.subarray(y * img.width * 3, (y + 1) * img.width * 3));
    expect(row(wide, 40).equals(row(square, 80))).toBe(true);
    const small = await upscaleTo(disc(), 16, 16);
    expect([small.width, small.height]).toEqual([16, 16]);
  });
});
