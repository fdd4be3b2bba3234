// What an operation run records about the files it creates, before it writes them, so that a
// failure - or a crash, read back from the job journal - removes exactly those and nothing that
// was there before. The ledger that fills a record during a run lives in ops/output-ledger.ts.
import { AsyncLocalStorage } from 'node:async_hooks';
import { lstat, rename, rm, rmdir } from 'node:fs/promises';

/** A name a run is putting its content at, with that content's identity (`device:inode`). */
export interface PlacedOutput {
  /** Absolute final path. */
  readonly path: string;
  /** `device:inode` of the run's file; a file at `path` with another identity is not the run's. */
  readonly id: string;
}

/** An existing folder moved aside so a run could put its own in place (overwriting). */
export interface SetAsideOutput {
  /** Where the old folder is now (a temporary name beside it). */
  readonly path: string;
  /** Where it was, and is put back when the run is undone. */
  readonly of: string;
}

/** Everything a run may have created, as the job journal keeps it. */
export interface OutputRecord {
  /** Folders the run created, outermost first (removed on undo when empty). */
  readonly dirs: readonly string[];
  /** Temporary names the run writes; random, so always the run's own. */
  readonly temps: readonly string[];
  /** Final names, with the identity of the run's content there. */
  readonly placed: readonly PlacedOutput[];
  /** Folders the run moved aside to replace them. */
  readonly aside: readonly SetAsideOutput[];
}

/** Receives the writes of a run (see `writeAtomic` in util/fs.ts). */
export interface OutputStager {
  /** Whether a write to `path` belongs to this run (it lies in the run's output folder). */
  covers(path: string): boolean;
  /** Produces `path` under a recorded temporary name, to be put in place when the run commits. */
  stage(path: string, produce: (tempPath: string) => Promise<void>): Promise<void>;
}

const scope = new AsyncLocalStorage<OutputStager>();

/** Runs `fn` with `stager` receiving every atomic write it makes to a path the stager covers. */
export function withOutputStager<T>(stager: OutputStager, fn: () => Promise<T>): Promise<T> {
  return scope.run(stager, fn);
}

/** The stager of the run this code runs in, when it covers `path`. */
export function currentOutputStager(path: string): OutputStager | undefined {
  const stager = scope.getStore();
  return stager?.covers(path) === true ? stager : undefined;
}

/** `device:inode` of `path` (not following a symlink), or undefined when nothing is there. */
export async function fileIdentity(path: string): Promise<string | undefined> {
  try {
    const s = await lstat(path, { bigint: true });
    return `${s.dev}:${s.ino}`;
  } catch {
    return undefined;
  }
}

async function exists(path: string): Promise<boolean> {
  return (await fileIdentity(path)) !== undefined;
}

/** What {@link undoOutputs} did. */
export interface UndoReport {
  /** Files removed: the run's outputs and temporary names. */
  readonly removed: string[];
  /** Folders the run created, removed once empty. */
  readonly folders: string[];
  /** Folders put back where the run had moved them aside. */
  readonly restored: string[];
  /** Paths that could not be removed, with why. */
  readonly failed: string[];
}

/**
 * Removes what a record says a run created, and nothing else: a final name only while it still
 * holds the run's content (same device and inode), every temporary name, the folders the run
 * created once empty; folders moved aside are put back. Never throws; what it cannot remove is
 * listed in `failed`.
 */
export async function undoOutputs(record: OutputRecord): Promise<UndoReport> {
  const report: UndoReport = { removed: [], folders: [], restored: [], failed: [] };
  const remove = async (path: string): Promise<void> => {
    try {
      await rm(path, { recursive: true, force: true });
      report.removed.push(path);
    } catch (error) {
      report.failed.push(`${path} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
  };
  for (const placed of record.placed) {
    if ((await fileIdentity(placed.path)) === placed.id) await remove(placed.path);
  }
  for (const aside of record.aside) {
    if (!(await exists(aside.path))) continue;
    if (await exists(aside.of)) await remove(aside.path);
    else {
      try {
        await rename(aside.path, aside.of);
        report.restored.push(aside.of);
      } catch (error) {
        report.failed.push(`${aside.path} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
      }
    }
  }
  for (const temp of record.temps) if (await exists(temp)) await remove(temp);
  for (const dir of [...record.dirs].reverse()) {
    // rmdir removes only an empty folder: anything someone else put there keeps it.
    if (await rmdir(dir).then(() => true, () => false)) report.folders.push(dir);
  }
  return report;
}

const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');
const isPairs = (v: unknown, a: string, b: string): boolean =>
  Array.isArray(v) && v.every((p) => typeof p === 'object' && p !== null && typeof (p as Record<string, unknown>)[a] === 'string' && typeof (p as Record<string, unknown>)[b] === 'string');

/** True when `value` has the shape of an {@link OutputRecord} (as read back from a journal file). */
export function isOutputRecord(value: unknown): value is OutputRecord {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  return isStringArray(r['dirs']) && isStringArray(r['temps']) && isPairs(r['placed'], 'path', 'id') && isPairs(r['aside'], 'path', 'of');
}
