// The plugin's icons, drawn at build time (no binary files in the repository): a film frame
// with a diagonal cut through it, light on transparent for dark themes and dark for light ones.
import { crc32, deflateSync } from 'node:zlib';

type Rgb = readonly [number, number, number];

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** Encodes RGBA pixels (row-major, 4 bytes each) as a PNG. */
export function encodePng(width: number, height: number, rgba: Uint8Array): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // colour type RGBA
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 4 + 1)] = 0; // filter: none
    Buffer.from(rgba.buffer, rgba.byteOffset + y * width * 4, width * 4).copy(raw, y * (width * 4 + 1) + 1);
  }
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

/** Draws the icon at `size` pixels in `colour`. */
export function drawIcon(size: number, colour: Rgb): Buffer {
  const rgba = new Uint8Array(size * size * 4);
  const stroke = Math.max(1, Math.round(size / 12));
  const inset = Math.round(size / 8);
  const hole = Math.max(1, Math.round(size / 24));
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const inFrame = x >= inset && x < size - inset && y >= inset && y < size - inset;
      const border = inFrame && (x < inset + stroke || x >= size - inset - stroke || y < inset + stroke || y >= size - inset - stroke);
      // Sprocket holes along the top and bottom edges.
      const sprocket = (y < inset - hole || y >= size - inset + hole) && y >= hole && y < size - hole && Math.floor(x / (hole * 3)) % 2 === 1;
      const cut = inFrame && Math.abs(x - (size - 1 - y)) < stroke;
      if (border || sprocket || cut) {
        const i = (y * size + x) * 4;
        rgba[i] = colour[0];
        rgba[i + 1] = colour[1];
        rgba[i + 2] = colour[2];
        rgba[i + 3] = 255;
      }
    }
  }
  return encodePng(size, size, rgba);
}

const LIGHT_GLYPH: Rgb = [230, 230, 230];
const DARK_GLYPH: Rgb = [50, 50, 50];
const BRAND: Rgb = [74, 144, 226];

/** The PNG for each icon path of the manifest. */
export function iconFor(path: string, size: number): Buffer {
  if (path.includes('panel-dark')) return drawIcon(size, LIGHT_GLYPH);
  if (path.includes('panel-light')) return drawIcon(size, DARK_GLYPH);
  return drawIcon(size, BRAND);
}
