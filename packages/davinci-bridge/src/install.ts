import { createHash, randomBytes } from 'node:crypto';
import { copyFile, mkdir, readdir, readFile, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { FramewrightError } from '@framewright/core/protocol';
import { pathApi, SCRIPTS_SUBFOLDER, type ResolveOs } from './paths.js';

/** Name of the file that records what an install put in place, kept beside the scripts. */
export const MANIFEST_NAME = '.framewright-manifest.json';

/** One file an install copies. */
export interface PlannedFile {
  /** The shipped file. */
  source: string;
  /** Where it goes. */
  target: string;
}

/** What an install will do: computed without touching the disk's Scripts folder. */
export interface InstallPlan {
  /** The OS whose path rules the plan uses. */
  os: ResolveOs;
  /** Resolve's Scripts folder. */
  scriptsDir: string;
  /** The folder that receives the scripts (`<scriptsDir>/Utility/Framewright`). */
  targetDir: string;
  /** The manifest written last. */
  manifest: string;
  /** The files to copy, in name order. */
  files: PlannedFile[];
}

/** The manifest's content: paths are relative to the Scripts folder, with `/` separators. */
interface Manifest {
  installer: '@framewright/davinci-bridge';
  files: { path: string; sha256: string }[];
  /** Folders the install created, deepest last; uninstall removes them when they are empty again. */
  createdDirs: string[];
}

/** What an uninstall did. */
export interface UninstallReport {
  /** Files removed. */
  removed: string[];
  /** Installed files the user changed since: kept, not removed. */
  keptModified: string[];
  /** Folders removed because the install had created them and they are empty again. */
  removedDirs: string[];
}

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/**
 * Plans an install of the shipped scripts into `scriptsDir` for `os`.
 * @param shippedDir - the folder holding the scripts to install
 */
export async function planInstall(os: ResolveOs, scriptsDir: string, shippedDir: string): Promise<InstallPlan> {
  const p = pathApi(os);
  const targetDir = p.join(scriptsDir, ...SCRIPTS_SUBFOLDER);
  const names = (await readdir(shippedDir, { withFileTypes: true }))
    .filter((e) => e.isFile() && /\.(lua|luainc|py|pyinc)$/.test(e.name))
    .map((e) => e.name)
    .sort();
  if (names.length === 0) throw new FramewrightError('INTERNAL', `no scripts found in ${shippedDir}; the package is incomplete`);
  return {
    os,
    scriptsDir,
    targetDir,
    manifest: p.join(targetDir, MANIFEST_NAME),
    files: names.map((name) => ({ source: `${shippedDir.replace(/[\\/]$/, '')}/${name}`, target: p.join(targetDir, name) })),
  };
}

async function readManifest(path: string): Promise<Manifest | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  const value = JSON.parse(text) as Partial<Manifest>;
  if (value.installer !== '@framewright/davinci-bridge' || !Array.isArray(value.files) || !Array.isArray(value.createdDirs)) {
    throw new FramewrightError('INVALID_REQUEST', `${path} is not a Framewright install manifest; remove it by hand`);
  }
  return value as Manifest;
}

/** Folders from `scriptsDir` down to `targetDir` that do not exist yet, outermost first. */
async function missingDirs(plan: InstallPlan): Promise<string[]> {
  const p = pathApi(plan.os);
  const missing: string[] = [];
  let dir = plan.targetDir;
  while (!(await exists(dir))) {
    missing.unshift(dir);
    const parent = p.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return missing;
}

/** Copies to a temporary name in the same folder, then renames: Resolve never sees half a script. */
async function copyAtomic(source: string, target: string): Promise<void> {
  const temp = `${target}.${randomBytes(4).toString('hex')}.partial`;
  try {
    await copyFile(source, temp);
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/**
 * Installs the scripts. Each file is copied atomically and the manifest is written last; a file
 * of the same name that an earlier install did not put there is never overwritten. On failure,
 * what this run placed is removed again.
 */
export async function installScripts(plan: InstallPlan): Promise<void> {
  const p = pathApi(plan.os);
  const rel = (path: string): string => p.relative(plan.scriptsDir, path).split(p.sep).join('/');
  const previous = await readManifest(plan.manifest);
  const ours = new Set(previous?.files.map((f) => f.path));
  for (const file of plan.files) {
    if ((await exists(file.target)) && !ours.has(rel(file.target))) {
      throw new FramewrightError('OUTPUT_NOT_ALLOWED', `${file.target} exists and was not installed by Framewright; move it away and install again`);
    }
  }
  const created = await missingDirs(plan);
  const placed: string[] = [];
  try {
    if (created.length > 0) await mkdir(plan.targetDir, { recursive: true });
    const files: Manifest['files'] = [];
    for (const file of plan.files) {
      const isNew = !(await exists(file.target));
      await copyAtomic(file.source, file.target);
      if (isNew) placed.push(file.target);
      files.push({ path: rel(file.target), sha256: sha256(await readFile(file.target)) });
    }
    const manifest: Manifest = {
      installer: '@framewright/davinci-bridge',
      files,
      createdDirs: previous ? previous.createdDirs : created.map(rel),
    };
    const temp = `${plan.manifest}.${randomBytes(4).toString('hex')}.partial`;
    await writeFile(temp, `${JSON.stringify(manifest, null, 2)}\n`);
    await rename(temp, plan.manifest);
  } catch (error) {
    for (const path of placed) await rm(path, { force: true });
    for (const dir of [...created].reverse()) await rmdir(dir).catch(() => undefined);
    throw error;
  }
}

/**
 * Removes what {@link installScripts} put in `scriptsDir` and nothing else: files it installed
 * (unless changed since), its manifest, and the folders it created once they are empty.
 */
export async function uninstallScripts(os: ResolveOs, scriptsDir: string): Promise<UninstallReport> {
  const p = pathApi(os);
  const manifestPath = p.join(scriptsDir, ...SCRIPTS_SUBFOLDER, MANIFEST_NAME);
  const manifest = await readManifest(manifestPath);
  if (!manifest) throw new FramewrightError('INPUT_NOT_FOUND', `no Framewright scripts are installed in ${scriptsDir} (no ${MANIFEST_NAME})`);
  const abs = (relPath: string): string => p.join(scriptsDir, ...relPath.split('/'));
  const report: UninstallReport = { removed: [], keptModified: [], removedDirs: [] };
  for (const file of manifest.files) {
    const path = abs(file.path);
    let data: Uint8Array;
    try {
      data = await readFile(path);
    } catch {
      continue; // already gone
    }
    if (sha256(data) === file.sha256) {
      await rm(path);
      report.removed.push(path);
    } else {
      report.keptModified.push(path);
    }
  }
  await rm(manifestPath);
  for (const dir of [...manifest.createdDirs].reverse()) {
    const path = abs(dir);
    if ((await exists(path)) && (await readdir(path)).length === 0) {
      await rmdir(path);
      report.removedDirs.push(path);
    }
  }
  return report;
}
