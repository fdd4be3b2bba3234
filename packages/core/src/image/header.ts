// The pixel size of a PNG or JPEG read from its header, so a request can be sized at submit
// without decoding anything (or starting ffprobe) - a few small reads per file.
import { open } from 'node:fs/promises';

/** Width and height in pixels. */
export interface PixelSize {
  /** Width in pixels. */
  readonly width: number;
  /** Height in pixels. */
  readonly height: number;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** JPEG segments read before giving up on finding the frame header (EXIF, ICC, thumbnails come first). */
const MAX_JPEG_SEGMENTS = 256;

const isStartOfFrame = (marker: number): boolean => marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;

/**
 * The size of the PNG or JPEG at `path` from its header, or undefined when it is neither (a
 * video, another format), cannot be read, or its header is broken. Reads at most a few hundred
 * small pieces of the file, never the pixels.
 *
 * @example
 * ```ts
 * const size = await readPictureSize('key-1.png'); // { width: 1920, height: 1080 }
 * ```
 */
export async function readPictureSize(path: string): Promise<PixelSize | undefined> {
  let file;
  try {
    file = await open(path, 'r');
  } catch {
    return undefined;
  }
  try {
    const read = async (position: number, length: number): Promise<Buffer | undefined> => {
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await file.read(buffer, 0, length, position);
      return bytesRead === length ? buffer : undefined;
    };
    const head = await read(0, 24);
    if (head === undefined) return undefined;
    if (PNG_SIGNATURE.every((b, i) => head[i] === b)) {
      if (head.toString('latin1', 12, 16) !== 'IHDR') return undefined;
      return positive(head.readUInt32BE(16), head.readUInt32BE(20));
    }
    if (head[0] !== 0xff || head[1] !== 0xd8) return undefined;
    let position = 2;
    for (let segment = 0; segment < MAX_JPEG_SEGMENTS; segment++) {
      const marker = await read(position, 4);
      if (marker === undefined || marker[0] !== 0xff) return undefined;
      const kind = marker[1]!;
      // Fill bytes and markers without a length (RSTn, TEM) carry no segment.
      if (kind === 0xff) {
        position += 1;
        continue;
      }
      if ((kind >= 0xd0 && kind <= 0xd7) || kind === 0x01) {
        position += 2;
        continue;
      }
      if (kind === 0xd9 || kind === 0xda) return undefined; // end of image, or pixels before any frame header
      if (isStartOfFrame(kind)) {
        const frame = await read(position + 4, 5);
        return frame === undefined ? undefined : positive(frame.readUInt16BE(3), frame.readUInt16BE(1));
      }
      position += 2 + marker.readUInt16BE(2);
    }
    return undefined;
  } catch {
    return undefined;
  } finally {
    await file.close();
  }
}

function positive(width: number, height: number): PixelSize | undefined {
  return width > 0 && height > 0 ? { width, height } : undefined;
}
