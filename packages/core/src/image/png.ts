// PNG encode/decode with text chunks, written here on node:zlib so outputs are deterministic:
// fixed filter choice, fixed zlib level, no timestamps.
import { crc32, deflateSync, inflateSync } from 'node:zlib';
import { FramewrightError } from '../protocol/errors.js';

/** An 8-bit RGB picture, rows top to bottom, 3 bytes per pixel. */
export interface RgbImage {
  /** Width in pixels. */
  readonly width: number;
  /** Height in pixels. */
  readonly height: number;
  /** `width × height × 3` bytes. */
  readonly rgb: Uint8Array;
}

/** A decoded PNG: its pixels as RGB and its text chunks (tEXt and iTXt) by keyword. */
export interface DecodedPng extends RgbImage {
  /** Text chunks in file order; a later chunk with the same keyword wins. */
  readonly text: Record<string, string>;
}

const SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);


function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(Buffer.from(type, 'latin1'), 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

const KEYWORD = /^[\x20-\x7e]{1,79}$/;

/** tEXt for Latin-1 values (readable by every tool), iTXt (UTF-8) for anything else. */
function textChunk(keyword: string, value: string): Uint8Array {
  if (!KEYWORD.test(keyword) || keyword.startsWith(' ') || keyword.endsWith(' ')) {
    throw new FramewrightError('INVALID_PARAMS', `PNG text keyword ${JSON.stringify(keyword)} must be 1-79 printable Latin-1 characters`);
  }
  const key = Buffer.from(keyword, 'latin1');
  // NUL separates the fields of a text chunk, so it cannot be part of a value.
  if (value.includes('\0')) throw new FramewrightError('INVALID_PARAMS', `PNG text ${keyword} contains a NUL character`);
  if (/^[\x0a\x20-\x7e\xa0-\xff]*$/.test(value)) return chunk('tEXt', Buffer.concat([key, Uint8Array.of(0), Buffer.from(value, 'latin1')]));
  // keyword \0, compression flag 0, method 0, empty language tag \0, empty translated keyword \0, text.
  return chunk('iTXt', Buffer.concat([key, Uint8Array.of(0, 0, 0, 0, 0), Buffer.from(value, 'utf8')]));
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/**
 * Encodes an RGB picture as a PNG (8-bit truecolour, no interlace) with `text` as tEXt/iTXt
 * chunks in the given order. Same input → same bytes: every row uses the Paeth filter and zlib
 * runs at a fixed level.
 *
 * @example
 * ```ts
 * const png = encodePng({ width: 2, height: 1, rgb: Uint8Array.of(255, 0, 0, 0, 0, 255) }, { Software: 'Framewright' });
 * ```
 * @throws FramewrightError `INVALID_PARAMS` when the pixels do not fill the size or a keyword is invalid
 */
export function encodePng(image: RgbImage, text: Readonly<Record<string, string>> = {}): Uint8Array {
  const { width, height, rgb } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || rgb.length !== width * height * 3) {
    throw new FramewrightError('INVALID_PARAMS', `PNG: ${rgb.length} bytes do not make a ${width}x${height} RGB picture`);
  }
  const stride = width * 3;
  const raw = new Uint8Array((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * stride;
    const out = y * (stride + 1);
    raw[out] = 4;
    for (let x = 0; x < stride; x++) {
      const a = x >= 3 ? rgb[row + x - 3]! : 0;
      const b = y > 0 ? rgb[row - stride + x]! : 0;
      const c = x >= 3 && y > 0 ? rgb[row - stride + x - 3]! : 0;
      raw[out + 1 + x] = (rgb[row + x]! - paeth(a, b, c)) & 0xff;
    }
  }
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header.set([8, 2, 0, 0, 0], 8);
  const parts = [SIGNATURE, chunk('IHDR', header)];
  for (const [key, value] of Object.entries(text)) parts.push(textChunk(key, value));
  parts.push(chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', new Uint8Array(0)));
  return Buffer.concat(parts);
}

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 4: 2, 6: 4 };

/**
 * Decodes an 8-bit, non-interlaced PNG (grey, grey+alpha, RGB or RGBA; alpha is dropped) and
 * its text chunks. Every chunk CRC is checked.
 * @throws FramewrightError `UNSUPPORTED_MEDIA` naming what is wrong with the file
 */
export function decodePng(bytes: Uint8Array, what = 'PNG'): DecodedPng {
  const bad = (why: string) => new FramewrightError('UNSUPPORTED_MEDIA', `${what}: ${why}`);
  if (bytes.length < 8 || !SIGNATURE.every((b, i) => bytes[i] === b)) throw bad('not a PNG file');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Uint8Array[] = [];
  const text: Record<string, string> = {};
  for (let at = 8; ; ) {
    if (at + 12 > bytes.length) throw bad('truncated (no IEND chunk)');
    const length = view.getUint32(at);
    const type = Buffer.from(bytes.subarray(at + 4, at + 8)).toString('latin1');
    if (at + 12 + length > bytes.length) throw bad(`truncated ${type} chunk`);
    const data = bytes.subarray(at + 8, at + 8 + length);
    if (crc32(bytes.subarray(at + 4, at + 8 + length)) !== view.getUint32(at + 8 + length)) throw bad(`${type} chunk fails its CRC`);
    at += 12 + length;
    if (type === 'IHDR') {
      const h = new DataView(data.buffer, data.byteOffset, data.byteLength);
      width = h.getUint32(0);
      height = h.getUint32(4);
      channels = CHANNELS[data[9]!] ?? 0;
      if (data[8] !== 8 || channels === 0 || data[12] !== 0) throw bad('only 8-bit, non-interlaced grey/RGB(A) PNGs are supported');
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'tEXt') {
      const zero = data.indexOf(0);
      text[Buffer.from(data.subarray(0, zero)).toString('latin1')] = Buffer.from(data.subarray(zero + 1)).toString('latin1');
    } else if (type === 'iTXt') {
      const zero = data.indexOf(0);
      if (data[zero + 1] !== 0) throw bad('compressed iTXt chunks are not supported');
      const lang = data.indexOf(0, zero + 3);
      const translated = data.indexOf(0, lang + 1);
      text[Buffer.from(data.subarray(0, zero)).toString('latin1')] = Buffer.from(data.subarray(translated + 1)).toString('utf8');
    } else if (type === 'IEND') break;
  }
  if (width === 0) throw bad('no IHDR chunk');
  const bpp = channels;
  const stride = width * bpp;
  let raw: Uint8Array;
  try {
    raw = inflateSync(Buffer.concat(idat));
  } catch {
    throw bad('its image data does not inflate');
  }
  if (raw.length !== (stride + 1) * height) throw bad('image data has the wrong length');
  const pixels = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const src = y * (stride + 1) + 1;
    const row = y * stride;
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? pixels[row + x - bpp]! : 0;
      const b = y > 0 ? pixels[row - stride + x]! : 0;
      const c = x >= bpp && y > 0 ? pixels[row - stride + x - bpp]! : 0;
      const predictor = filter === 0 ? 0 : filter === 1 ? a : filter === 2 ? b : filter === 3 ? (a + b) >> 1 : filter === 4 ? paeth(a, b, c) : -1;
      if (predictor < 0) throw bad(`unknown row filter ${filter}`);
      pixels[row + x] = (raw[src + x]! + predictor) & 0xff;
    }
  }
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    for (let k = 0; k < 3; k++) rgb[i * 3 + k] = pixels[i * bpp + (channels < 3 ? 0 : k)]!;
  }
  return { width, height, rgb, text };
}
