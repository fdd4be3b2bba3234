import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type RgbImage, decodePng, resizeRgb } from '../../image/index.js';
import { FramewrightError } from '../../protocol/errors.js';
import { PromptTokenizer } from '../../transformer/tokenizer.js';
import { Rng } from '../../transformer/random.js';
import { describeScene } from './captions.js';
import { NATIVE_SIZE, renderScene, sampleScene } from './scene.js';

/** Name of the caption list in a captioned-images folder. */
export const CAPTIONS_FILE = 'captions.jsonl';

/** One picture with its caption, at the size a model asks for. */
export interface CaptionedImage {
  /** What the picture shows, in words. */
  caption: string;
  /** The picture, resized to the model's size (area averaging when shrinking). */
  image: RgbImage;
}

/**
 * Reads a captioned-images folder: `captions.jsonl` holds one JSON object per line,
 * `{"image": "cat-01.png", "caption": "a grey cat on a sofa"}`, the image path relative to the
 * folder (PNG, RGB or RGBA; convert other formats first, e.g. `ffmpeg -i a.jpg a.png`). Blank
 * lines are skipped. Every picture is resized to `width × height`.
 *
 * @example
 * ```ts
 * const examples = await readCaptionedImages('my-pictures', 16, 16);
 * examples[0].caption; // 'a grey cat on a sofa'
 * ```
 * @throws FramewrightError `INPUT_NOT_FOUND` (no folder, no captions.jsonl, a missing image),
 *   `INVALID_PARAMS` naming the line of a bad entry, `UNSUPPORTED_MEDIA` for an image that is not a PNG
 */
export async function readCaptionedImages(dir: string, width: number, height: number): Promise<CaptionedImage[]> {
  const out: CaptionedImage[] = [];
  for (const entry of await readCaptionList(dir)) {
    let bytes: Uint8Array;
    try {
      bytes = await readFile(resolve(dir, entry.image));
    } catch {
      throw new FramewrightError('INPUT_NOT_FOUND', `${entry.where}: image ${entry.image} not found`);
    }
    const picture = decodePng(bytes, `${entry.image} (${entry.where})`);
    out.push({ caption: entry.caption, image: resizeRgb(picture, width, height) });
  }
  return out;
}

/** The entries of a folder's `captions.jsonl`, checked (see {@link readCaptionedImages}), pictures not read. */
async function readCaptionList(dir: string): Promise<{ image: string; caption: string; where: string }[]> {
  const listPath = join(dir, CAPTIONS_FILE);
  let text: string;
  try {
    text = await readFile(listPath, 'utf8');
  } catch {
    throw new FramewrightError('INPUT_NOT_FOUND', `captioned-images folder ${dir} has no ${CAPTIONS_FILE} (one {"image": "a.png", "caption": "…"} per line)`);
  }
  const out: { image: string; caption: string; where: string }[] = [];
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!.trim();
    if (line === '') continue;
    const where = `${listPath} line ${n + 1}`;
    let entry: { image?: unknown; caption?: unknown };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch (error) {
      throw new FramewrightError('INVALID_PARAMS', `${where} is not valid JSON: ${(error as Error).message}`);
    }
    if (typeof entry?.image !== 'string' || entry.image === '') throw new FramewrightError('INVALID_PARAMS', `${where} needs "image": a PNG file name relative to the folder`);
    if (typeof entry.caption !== 'string') throw new FramewrightError('INVALID_PARAMS', `${where} needs "caption": a string`);
    out.push({ image: entry.image, caption: entry.caption, where });
  }
  if (out.length === 0) throw new FramewrightError('INVALID_PARAMS', `${listPath} lists no images`);
  return out;
}

/**
 * A word tokenizer over every word of the folder's captions: the `tokenizer` to put in a
 * model's `text.encoder` before training on the folder (words outside it read as `<unk>`).
 */
export async function captionTokenizer(dir: string): Promise<PromptTokenizer> {
  return PromptTokenizer.fromCorpus((await readCaptionList(dir)).map((e) => e.caption), 'word');
}

/** A random procedural scene with a caption that names every attribute, at `width × height`. */
export function sampleCaptionedScene(rng: Rng, width: number, height: number): CaptionedImage {
  const scene = { ...sampleScene(rng, 'train'), jitter: [0, 0] as const };
  const caption = describeScene(scene, rng);
  return { caption, image: resizeRgb({ width: NATIVE_SIZE, height: NATIVE_SIZE, rgb: renderScene(scene) }, width, height) };
}

let shapesTokenizer: PromptTokenizer | undefined;

/** A word tokenizer covering every word the shapes caption generator writes. */
export function shapesCaptionTokenizer(): PromptTokenizer {
  if (shapesTokenizer === undefined) {
    // 20000 captions cover every word of every phrasing many times over.
    const rng = new Rng(1);
    const captions = Array.from({ length: 20000 }, () => describeScene(sampleScene(rng, 'train'), rng));
    shapesTokenizer = PromptTokenizer.fromCorpus(captions, 'word');
  }
  return shapesTokenizer;
}
