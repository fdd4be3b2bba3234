// `framewright models import DIR`: adopts an export the user already has (a diffusers ONNX folder
// from Optimum or onnxruntime, or a single TransNetV2 .onnx) as it is: detects its family and
// layout, writes the manifest, verifies the pack.
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, posix, relative, sep } from 'node:path';
import { decodeOnnxModel } from '../onnx/index.js';
import { FramewrightError } from '../protocol/errors.js';
import { writeSdTurboManifest } from './create.js';
import { writeShotDetectionManifest } from './create-shot-detection.js';
import { writeFrameInterpolationManifest } from './create-frame-interpolation.js';
import { writeSpeechToTextManifest } from './create-speech-to-text.js';
import { detectLayout } from './layouts.js';
import { MODEL_MANIFEST_NAME, type ModelManifest } from './manifest.js';
import { defaultPackId } from './pull.js';
import { verifyModelPack, type PackVerification } from './verify.js';

/** What {@link importModel} did. */
export interface ImportResult {
  /** The layout it recognised, in words (`diffusers ONNX export (Optimum or onnxruntime)`). */
  readonly layout: string;
  /** The manifest written. */
  readonly manifest: ModelManifest;
  /** The verification of the finished pack. */
  readonly verification: PackVerification;
}

async function filesUnder(dir: string, root = dir): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path, root)));
    else if (entry.isFile() && entry.name !== MODEL_MANIFEST_NAME) out.push(relative(root, path).split(sep).join('/'));
  }
  return out.sort();
}

// Graph files that keep their weights outside are small; a model file larger than this holds its
// weights itself and is not parsed here.
const GRAPH_LIMIT_BYTES = 64 * 1024 * 1024;

/**
 * The external-data files (`model.onnx_data`, as Optimum writes them for models over 2 GB) the
 * ONNX files among `paths` name, with the model that names each.
 */
async function externalDataFiles(dir: string, paths: readonly string[]): Promise<Array<{ model: string; data: string }>> {
  const out: Array<{ model: string; data: string }> = [];
  for (const path of paths.filter((p) => p.endsWith('.onnx'))) {
    const full = join(dir, path);
    if ((await stat(full)).size > GRAPH_LIMIT_BYTES) continue;
    let locations: string[];
    try {
      const model = decodeOnnxModel(await readFile(full));
      locations = model.graph.initializer.flatMap((t) => (t.dataLocation === 1 ? (t.externalData ?? []).filter((e) => e.key === 'location').map((e) => e.value) : []));
    } catch {
      // Not parseable here: ONNX Runtime names what is wrong when the manifest is written.
      continue;
    }
    for (const location of new Set(locations)) out.push({ model: path, data: posix.normalize(posix.join(posix.dirname(path), location)) });
  }
  return out;
}

/** The licence a model card (README.md with YAML front matter, as the Hub writes it) names. */
export async function cardLicence(dir: string): Promise<{ name: string; url?: string } | undefined> {
  const text = await readFile(join(dir, 'README.md'), 'utf8').catch(() => '');
  const front = /^---\r?\n([\s\S]*?)\r?\n---/.exec(text)?.[1];
  if (front === undefined) return undefined;
  const field = (key: string) => new RegExp(`^${key}:\\s*["']?([^"'\\r\\n]+?)["']?\\s*$`, 'm').exec(front)?.[1];
  const name = field('license_name') ?? field('license');
  const url = field('license_link');
  return name === undefined ? undefined : { name, ...(url === undefined ? {} : { url }) };
}

/**
 * Makes a pack of a folder holding a public export, as it is: detects its layout (a file it
 * needs that is missing is named), takes the licence from its model card or `licence`, writes
 * `framewright-model.json` and verifies the result. `options`: `id` (default: the folder's name,
 * lowercased), `licence` (when the folder has no README.md model card naming it), `family`
 * (`sd-turbo`, `shot-detection` or `frame-interpolation`, for a folder whose files do not say it).
 *
 * @example
 * ```ts
 * const { manifest } = await importModel('/downloads/sd-turbo-onnx', { licence: 'sai-nc-community' });
 * ```
 * @throws FramewrightError `MODEL_NOT_FOUND` for a folder that is not there; `MODEL_INVALID`
 *   naming a missing file; `INVALID_PARAMS` when no licence is known
 */
export async function importModel(dir: string, options: { readonly id?: string; readonly licence?: string; readonly family?: string } = {}): Promise<ImportResult> {
  const paths = await filesUnder(dir).catch((error: unknown) => {
    throw new FramewrightError('MODEL_NOT_FOUND', `models import: no folder at ${dir}`, { cause: error });
  });
  const layout = detectLayout(paths, dir, options.family);
  for (const { model, data } of await externalDataFiles(dir, paths)) {
    if (!paths.includes(data)) throw new FramewrightError('MODEL_INVALID', `${dir} is incomplete: ${model} keeps its weights in ${data}, which is missing`);
  }
  const licence = options.licence === undefined ? await cardLicence(dir) : { name: options.licence };
  if (licence === undefined) throw new FramewrightError('INVALID_PARAMS', `models import: ${dir} has no model card (README.md) naming its licence; give --licence NAME (see the model's page)`);
  const id = options.id ?? defaultPackId(`local/${basename(dir)}`);
  const manifest =
    layout.family === 'shot-detection'
      ? await writeShotDetectionManifest(dir, { id, licence })
      : layout.family === 'frame-interpolation'
        ? await writeFrameInterpolationManifest(dir, { id, licence })
        : layout.family === 'speech-to-text'
          ? await writeSpeechToTextManifest(dir, { id, licence })
          : await writeSdTurboManifest(dir, { id, licence });
  return { layout: layout.name, manifest, verification: await verifyModelPack(dir) };
}
