// `framewright models pull REPO[@REVISION]`: the files a family needs, downloaded concurrently
// into a hidden staging folder, each resumed after a cut and verified against the Hub's hash,
// then the manifest, then one rename: a pack is complete or absent.
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { resolvePaths, type PathEnvironment } from '../config/index.js';
import { cancelled, FramewrightError } from '../protocol/errors.js';
import { fsyncDir } from '../util/fs.js';
import { writeSdTurboManifest } from './create.js';
import { writeShotDetectionManifest } from './create-shot-detection.js';
import { writeFrameInterpolationManifest } from './create-frame-interpolation.js';
import { writeSpeechToTextManifest } from './create-speech-to-text.js';
import { HubClient, hubConfig, verifyDownload, type HubFileMetadata } from './hub.js';
import { detectLayout, selectFiles, type ExportLayout } from './layouts.js';
import { repoLicence } from './licence.js';
import { readModelPack, type ModelManifest } from './manifest.js';

/** How far a pull is (what {@link PullOptions.onProgress} gets). */
export type PullProgress = Parameters<NonNullable<PullOptions['onProgress']>>[0];

/** What {@link pullModel} can be told. */
export interface PullOptions extends PathEnvironment {
  /** Folder the pack goes into (default: `models` in the config folder, which is searched). */
  readonly into?: string;
  /** Pack id (default: the repository's name, lowercased). */
  readonly id?: string;
  /** Globs of the files to fetch instead of the family's (fnmatch, as huggingface_hub's allow_patterns). */
  readonly include?: readonly string[];
  /** `shot-detection` or `frame-interpolation` for a single .onnx file, whose name says nothing of its family. */
  readonly family?: string;
  /** Accept a non-commercial, unknown or gated licence (it is printed; without this, such a pull stops). */
  readonly acceptLicence?: boolean;
  /** Files downloaded at once (default 4). */
  readonly concurrency?: number;
  /**
   * Called as bytes arrive (often: throttle before drawing) with the bytes of the selected files
   * on disk (resumed ones included) and in all, this run's rate in bytes per second (0 before the
   * first chunk), the seconds left at that rate, and the files verified so far and in all.
   */
  readonly onProgress?: (progress: { bytesDone: number; bytesTotal: number; bytesPerSecond: number; etaSeconds?: number; filesDone: number; filesTotal: number }) => void;
  /**
   * Called once the licence is known, before anything is downloaded: its name (the card's
   * `license_name` or `license`), where to read it, and why it needs `acceptLicence`, if it does.
   */
  readonly onLicence?: (licence: { name: string; url: string; needsAcceptance?: string }) => void;
  /** Cancels the pull; what was downloaded stays staged for the next pull to resume, unless `keepOnCancel` is false. */
  readonly signal?: AbortSignal;
  /** False: a pull cancelled through `signal` removes what it downloaded, so nothing is left (a cancelled job). Default true. */
  readonly keepOnCancel?: boolean;
}

/** What a pull did. */
export interface PullResult {
  /** The pack folder. */
  readonly dir: string;
  /** Its manifest. */
  readonly manifest: ModelManifest;
  /** The repository's licence: name, where to read it, and why it needed acceptance, if it did. */
  readonly licence: { readonly name: string; readonly url: string; readonly needsAcceptance?: string };
  /** The commit the files are from. */
  readonly commit: string;
  /** Files in the pack from the Hub. */
  readonly files: readonly string[];
  /** Bytes of those files. */
  readonly bytes: number;
  /** Bytes that were already staged by an earlier, interrupted pull and not fetched again. */
  readonly resumedBytes: number;
  /** True when the pack was already there at this commit: nothing was fetched. */
  readonly upToDate: boolean;
}

const REPO = /^[A-Za-z0-9][\w.-]*\/[A-Za-z0-9][\w.-]*$/;

/** `owner/name[@revision]` → its parts (revision default `main`). */
export function parseRepoRef(ref: string): { repo: string; revision: string } {
  const at = ref.indexOf('@');
  const repo = at < 0 ? ref : ref.slice(0, at);
  const revision = at < 0 ? 'main' : ref.slice(at + 1);
  if (!REPO.test(repo) || repo.includes('..')) throw new FramewrightError('INVALID_PARAMS', `models pull: ${JSON.stringify(ref)} is not a Hub repository (owner/name, optionally @revision)`);
  if (revision === '' || /[\s]/.test(revision)) throw new FramewrightError('INVALID_PARAMS', `models pull: ${JSON.stringify(ref)} has an empty or invalid revision`);
  return { repo, revision };
}

/** The default pack id of a repository: its name, lowercased, with other characters as `-`. */
export function defaultPackId(repo: string): string {
  const name = repo.split('/')[1]!.toLowerCase().replace(/[^a-z0-9._-]/g, '-').replace(/^[^a-z0-9]+/, '');
  return name.slice(0, 100) || 'model';
}

/** Runs `work` on each item, at most `limit` at a time; the first failure is thrown after the rest stop starting. */
async function pool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (failure === undefined && next < items.length) {
      const item = items[next++]!;
      try {
        await work(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure !== undefined) throw failure.error;
}

interface StagingState {
  repo: string;
  commit: string;
}

const STATE_FILE = '.framewright-pull.json';

/**
 * Pulls a model from the Hugging Face Hub (or the Hub at `HF_ENDPOINT`) into a pack: lists the
 * revision's files, keeps those its family needs (or `include`), checks the licence, downloads
 * them concurrently into a hidden staging folder (each resumed with `Range` after a cut and
 * verified against the Hub's sha256 or git sha1 before it is kept), writes the manifest and
 * renames the folder into place. An interrupted pull leaves only the hidden staging folder, which
 * the next pull of the same commit resumes; a file that fails verification ends the pull and
 * removes it. `HF_TOKEN` is sent to the Hub only, never printed.
 *
 * @example
 * ```ts
 * const pulled = await pullModel('onnxruntime/sd-turbo', { acceptLicence: true });
 * console.log(pulled.dir, pulled.licence.name);
 * ```
 * @throws FramewrightError `INVALID_PARAMS` for a bad reference or a licence not accepted;
 *   `MODEL_NOT_FOUND` when the Hub cannot be reached, refuses or lacks the repository;
 *   `MODEL_INVALID` for a download that does not match its hash or an incomplete export;
 *   `OUTPUT_EXISTS` when another pack has the id
 */
export async function pullModel(ref: string, options: PullOptions = {}): Promise<PullResult> {
  const { repo, revision } = parseRepoRef(ref);
  const env = options.env ?? process.env;
  const config = hubConfig(env);
  const client = new HubClient(config);
  const info = await client.repoInfo(repo, revision);
  const where = `${repo}@${revision}`;
  const layout: ExportLayout | undefined = options.include === undefined ? detectLayout(info.files, where, options.family) : undefined;
  const selected = selectFiles(info.files, options.include ?? layout!.include);
  if (selected.length === 0) throw new FramewrightError('INVALID_PARAMS', `no file of ${where} matches ${(options.include ?? []).join(', ')}; it has ${info.files.slice(0, 10).join(', ')}${info.files.length > 10 ? ', ...' : ''}`);
  // With --include the files still have to make a pack of a family.
  const packLayout = layout ?? detectLayout(selected, `the files of ${where} matching --include`, options.family);
  const licence = repoLicence(info, config.endpoint);
  options.onLicence?.(licence);
  if (licence.needsAcceptance !== undefined && options.acceptLicence !== true) {
    throw new FramewrightError('INVALID_PARAMS', `${repo} is published under the licence ${licence.name}, and ${licence.needsAcceptance}; read it at ${licence.url} and run again with --accept-licence`);
  }

  const root = options.into ?? join(resolvePaths(options).configDir.path, 'models');
  const id = options.id ?? defaultPackId(repo);
  const target = join(root, id);
  const source = { endpoint: config.endpoint, repo: info.id, revision: info.sha };
  const existing = await readModelPack(target).catch(() => undefined);
  if (existing !== undefined && existing.manifest.source?.repo === source.repo && existing.manifest.source.revision === source.revision) {
    const bytes = existing.manifest.files.reduce((a, f) => a + f.size, 0);
    return { dir: target, manifest: existing.manifest, licence, commit: info.sha, files: existing.manifest.files.map((f) => f.path), bytes, resumedBytes: 0, upToDate: true };
  }
  if (await stat(target).then(() => true, () => false)) {
    throw new FramewrightError('OUTPUT_EXISTS', `${target} already exists${existing?.manifest.source === undefined ? '' : ` (${existing.manifest.source.repo}@${existing.manifest.source.revision.slice(0, 12)})`}; remove it, or give another --id`);
  }

  const staging = join(root, `.${id}.pull`);
  const state: StagingState = { repo: info.id, commit: info.sha };
  const previous = await readFile(join(staging, STATE_FILE), 'utf8').then((t) => JSON.parse(t) as StagingState, () => undefined);
  if (previous === undefined || previous.repo !== state.repo || previous.commit !== state.commit) await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  await writeFile(join(staging, STATE_FILE), JSON.stringify(state));

  const metas = new Map<string, HubFileMetadata>();
  await pool(selected, 8, async (path) => void metas.set(path, await client.fileMetadata(repo, info.sha, path)));
  const bytesTotal = [...metas.values()].reduce((a, m) => a + m.size, 0);
  let bytesDone = 0;
  let fetched = 0;
  let filesDone = 0;
  const started = Date.now();
  const report = () => {
    const seconds = (Date.now() - started) / 1000;
    const rate = seconds > 0 ? fetched / seconds : 0;
    options.onProgress?.({ bytesDone, bytesTotal, bytesPerSecond: rate, ...(rate > 0 ? { etaSeconds: (bytesTotal - bytesDone) / rate } : {}), filesDone, filesTotal: selected.length });
  };
  let resumedBytes = 0;
  const hashes = new Map<string, string>();
  try {
    await pool(selected, options.concurrency ?? 4, async (path) => {
      const meta = metas.get(path)!;
      const final = join(staging, path);
      // A file in place under its own name was verified before it was renamed there.
      if ((await stat(final).then((s) => s.size, () => -1)) === meta.size) {
        bytesDone += meta.size;
        resumedBytes += meta.size;
        filesDone++;
        report();
        return;
      }
      await mkdir(dirname(final), { recursive: true });
      const part = `${final}.incomplete`;
      const { resumed: before, sha256 } = await client.download(
        meta,
        part,
        `${repo}/${path}`,
        (n) => {
          bytesDone += n;
          fetched += n;
          report();
        },
        options.signal,
      );
      bytesDone += before;
      resumedBytes += before;
      hashes.set(path, await verifyDownload(part, final, meta, `${repo}/${path}`, sha256));
      filesDone++;
      report();
    });
  } catch (error) {
    // A file that is not what the Hub says leaves nothing behind; a cut or cancelled download is
    // kept, hidden, for the next pull to resume.
    if (error instanceof FramewrightError && error.code === 'MODEL_INVALID') await rm(staging, { recursive: true, force: true });
    if (options.signal?.aborted) {
      if (options.keepOnCancel === false) {
        await rm(staging, { recursive: true, force: true });
        throw cancelled(`the pull of ${repo}`, '(nothing of it was kept)');
      }
      throw cancelled(`the pull of ${repo}`, '(the files so far are kept: run the same pull again to resume)');
    }
    throw error;
  }

  await rm(join(staging, STATE_FILE), { force: true });
  const manifestLicence = { name: licence.name, url: licence.url };
  try {
    const manifest =
      packLayout.family === 'shot-detection'
        ? await writeShotDetectionManifest(staging, { id, licence: manifestLicence, source })
        : packLayout.family === 'frame-interpolation'
          ? await writeFrameInterpolationManifest(staging, { id, licence: manifestLicence, source })
          : packLayout.family === 'speech-to-text'
            ? await writeSpeechToTextManifest(staging, { id, licence: manifestLicence, source, sha256: hashes })
            : await writeSdTurboManifest(staging, { id, licence: manifestLicence, source, sha256: hashes });
    await rename(staging, target);
    await fsyncDir(root);
    return { dir: target, manifest, licence, commit: info.sha, files: selected, bytes: bytesTotal, resumedBytes, upToDate: false };
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}
