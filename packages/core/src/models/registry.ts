// Where model packs are found: folders the user points at (models pull stages its downloads in hidden folders beside them).
import { readdir, stat } from 'node:fs/promises';
import { delimiter, join, resolve } from 'node:path';
import { resolvePaths, type PathEnvironment } from '../config/index.js';
import { FramewrightError, isFramewrightError } from '../protocol/errors.js';
import { MODEL_MANIFEST_NAME, readModelPack, type ModelFamily, type ModelPack } from './manifest.js';

/** Environment variable naming folders of model packs (path-delimiter separated). */
export const MODELS_DIR_ENV = 'FRAMEWRIGHT_MODELS_DIR';

/** Where to look for packs besides the defaults. */
export interface ModelSearchOptions extends PathEnvironment {
  /** Extra folders (`--model-dir`), searched first. */
  readonly modelDirs?: readonly string[];
}

/** A pack as `framewright models list` shows it. */
export interface InstalledModel {
  /** The manifest id, or the folder name when the manifest is unreadable. */
  readonly id: string;
  /** The family, when the manifest is readable. */
  readonly family?: ModelFamily;
  /** Absolute pack folder. */
  readonly dir: string;
  /** The licence the manifest records (name), when the manifest is readable. */
  readonly licence?: string;
  /** Total bytes of the listed files that exist. */
  readonly bytes: number;
  /** `ok`: manifest valid and every file present with its listed size; otherwise what is wrong. */
  readonly status: 'ok' | 'missing-files' | 'invalid';
  /** One line on what is wrong; empty when ok. */
  readonly detail: string;
}

/**
 * The folders searched for packs, in order: `modelDirs`, each folder of
 * {@link MODELS_DIR_ENV}, then `models` in the config folder. A folder is a pack itself when it
 * holds `framewright-model.json`; otherwise each of its sub-folders that holds one is a pack.
 */
export function modelSearchDirs(options: ModelSearchOptions = {}): string[] {
  const env = options.env ?? process.env;
  const fromEnv = (env[MODELS_DIR_ENV] ?? '').split(delimiter).filter((d) => d.trim() !== '');
  const dirs = [...(options.modelDirs ?? []), ...fromEnv, join(resolvePaths(options).configDir.path, 'models')];
  return [...new Set(dirs.map((d) => resolve(d)))];
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isFile(), () => false);
}

/** Every pack folder under the search folders (valid or not), in search order. */
export async function findPackDirs(options: ModelSearchOptions = {}): Promise<string[]> {
  const found: string[] = [];
  for (const dir of modelSearchDirs(options)) {
    if (await isFile(join(dir, MODEL_MANIFEST_NAME))) {
      found.push(dir);
      continue;
    }
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      // Hidden folders are packs being pulled (staged until complete), never packs.
      if (entry.isDirectory() && !entry.name.startsWith('.') && (await isFile(join(dir, entry.name, MODEL_MANIFEST_NAME)))) found.push(join(dir, entry.name));
    }
  }
  return found;
}

/** Reads a pack and checks that its files are there with their listed sizes (no hashing). */
export async function describePack(dir: string): Promise<InstalledModel> {
  let pack: ModelPack;
  try {
    pack = await readModelPack(dir);
  } catch (error) {
    const detail = isFramewrightError(error) ? error.message : String(error);
    return { id: dir.split(/[\\/]/).pop() ?? dir, dir, bytes: 0, status: 'invalid', detail };
  }
  let bytes = 0;
  const problems: string[] = [];
  for (const file of pack.manifest.files) {
    const info = await stat(join(dir, file.path)).catch(() => undefined);
    if (info === undefined || !info.isFile()) problems.push(`${file.path} is missing`);
    else {
      bytes += info.size;
      if (info.size !== file.size) problems.push(`${file.path} has ${info.size} bytes, the manifest says ${file.size}`);
    }
  }
  const { id, family } = pack.manifest;
  return { id, family, licence: pack.manifest.licence.name, dir, bytes, status: problems.length === 0 ? 'ok' : 'missing-files', detail: problems.join('; ') };
}

/** Every pack in the search folders with its status. */
export async function listInstalledModels(options: ModelSearchOptions = {}): Promise<InstalledModel[]> {
  return Promise.all((await findPackDirs(options)).map(describePack));
}

/**
 * The pack with manifest id `id` (the first in search order).
 * @throws FramewrightError `MODEL_NOT_FOUND` naming the ids that are installed; `MODEL_INVALID`
 *   when that pack's manifest or files are broken
 */
export async function findModelPack(id: string, options: ModelSearchOptions = {}): Promise<ModelPack> {
  const installed = await listInstalledModels(options);
  const match = installed.find((m) => m.id === id && m.status !== 'invalid');
  if (match === undefined) {
    const known = installed.filter((m) => m.status !== 'invalid').map((m) => m.id);
    // A pack whose manifest is broken has no id; name it, since it may be the one meant.
    const broken = installed.filter((m) => m.status === 'invalid').map((m) => ` ${m.dir} has an invalid manifest: ${m.detail}`);
    throw new FramewrightError(
      'MODEL_NOT_FOUND',
      `unknown model ${JSON.stringify(id)}; installed packs: ${known.length === 0 ? 'none' : known.join(', ')} (searched ${modelSearchDirs(options).join(', ')})${broken.length === 0 ? '' : `;${broken.join(';')}`}`,
    );
  }
  if (match.status !== 'ok') throw new FramewrightError('MODEL_INVALID', `model pack ${id} at ${match.dir} is incomplete: ${match.detail}`);
  return readModelPack(match.dir);
}
