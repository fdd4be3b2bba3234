// The output ledger of one operation run: every file the run writes is produced under a temporary
// name that is recorded (durably, in the job journal, when the run is a job) before it is written,
// and all of them are put in place together when the run succeeds. So a run never replaces a file
// it did not create unless it was asked to, and a failure - or, read back from the journal after
// a crash, an interrupted job - removes only what the run created.
import { link, lstat, rename, rm, unlink } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { cancelled, FramewrightError, isFramewrightError, oneLine } from '../protocol/index.js';
import { tempPathFor } from '../util/fs.js';
import { fileIdentity, undoOutputs, withOutputStager, type OutputRecord, type OutputStager, type PlacedOutput, type SetAsideOutput, type UndoReport } from '../util/outputs.js';

/** Options of {@link OutputLedger}. */
export interface OutputLedgerOptions {
  /** The run's output folder: writes to paths inside it go through the ledger. */
  readonly dir: string;
  /** Replace files that exist (the run's `overwrite: true`); otherwise an existing name is refused. Default false. */
  readonly overwrite?: boolean;
  /** Stores the record durably; awaited before each new name is written (the job queue journals it). */
  readonly record?: (record: OutputRecord) => Promise<void>;
}

const isErrno = (error: unknown, ...codes: string[]): boolean => codes.includes((error as NodeJS.ErrnoException).code ?? '');

/** The refusal of a name that exists, telling how to get past it. */
export function outputExistsError(path: string): FramewrightError {
  return new FramewrightError('OUTPUT_EXISTS', `${path} already exists: pass overwrite: true (--overwrite) to replace it, or choose another name or output folder`);
}

function isInside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

/**
 * Stages, commits and undoes the outputs of one run. An operation writes through `writeAtomic`
 * inside {@link OutputLedger.transact}; the engine gives each run its ledger (see `OperationContext.outputs`).
 *
 * @example
 * ```ts
 * const outputs = new OutputLedger({ dir: '/out' });
 * await outputs.transact(() => writeFileAtomic('/out/cuts.edl', edl)); // in place once this resolves
 * ```
 */
export class OutputLedger implements OutputStager {
  /** Whether existing files may be replaced. */
  readonly overwrite: boolean;
  /** The run's output folder. */
  readonly dir: string;
  readonly #record: OutputLedgerOptions['record'];
  readonly #dirs: string[] = [];
  readonly #temps: string[] = [];
  readonly #placed: PlacedOutput[] = [];
  readonly #aside: SetAsideOutput[] = [];
  /** Final name → temporary name, in the order written. */
  readonly #staged = new Map<string, string>();
  #state: 'open' | 'committed' | 'undone' = 'open';
  #saving: Promise<void> = Promise.resolve();

  /** Makes an empty ledger for a run writing into `options.dir`. */
  constructor(options: OutputLedgerOptions) {
    this.dir = resolve(options.dir);
    this.overwrite = options.overwrite === true;
    this.#record = options.record;
  }

  /** What the ledger holds now, as the journal keeps it. */
  snapshot(): OutputRecord {
    return { dirs: [...this.#dirs], temps: [...this.#temps], placed: [...this.#placed], aside: [...this.#aside] };
  }

  #save(): Promise<void> {
    const record = this.#record;
    if (record === undefined) return Promise.resolve();
    const snapshot = this.snapshot();
    // Saves are chained so an older record never lands after a newer one.
    const saved = this.#saving.catch(() => undefined).then(() => record(snapshot));
    this.#saving = saved;
    return saved;
  }

  /** True for paths inside the output folder. */
  covers(path: string): boolean {
    return isInside(this.dir, resolve(path));
  }

  /**
   * Refuses, before any work, names the run will write that exist already (unless overwriting).
   * @throws FramewrightError `OUTPUT_EXISTS` naming the first one
   */
  async refuseExisting(paths: Iterable<string>): Promise<void> {
    if (this.overwrite) return;
    for (const path of paths) if ((await fileIdentity(path)) !== undefined) throw outputExistsError(path);
  }

  /** Records the folders of `dir` that do not exist yet, before the run creates them (removed on undo once empty). */
  async willCreateDir(dir: string): Promise<void> {
    const missing: string[] = [];
    for (let d = resolve(dir); (await fileIdentity(d)) === undefined; d = dirname(d)) {
      missing.unshift(d);
      if (dirname(d) === d) break;
    }
    if (missing.length === 0) return;
    this.#dirs.push(...missing);
    await this.#save();
  }

  /**
   * Records a work file or folder of the run outside its output folder (made with a random name
   * just before), so an undo - after a crash too - removes it; the run removes it itself when done.
   */
  async scratch(path: string): Promise<void> {
    this.#checkOpen();
    this.#temps.push(resolve(path));
    await this.#save();
  }

  /**
   * Produces `path`: `produce` writes a temporary name, recorded before it is called; the file is
   * put at `path` by {@link OutputLedger.commit}.
   * @throws FramewrightError `OUTPUT_EXISTS` when `path` exists and overwriting was not asked
   */
  async stage(path: string, produce: (tempPath: string) => Promise<void>): Promise<void> {
    this.#checkOpen();
    const target = resolve(path);
    if (this.#staged.has(target)) throw new FramewrightError('INTERNAL', `engine bug: one run writes ${target} twice`);
    await this.refuseExisting([target]);
    const temp = tempPathFor(target);
    this.#temps.push(temp);
    await this.#save();
    try {
      await produce(temp);
    } catch (error) {
      await rm(temp, { force: true, recursive: true });
      throw error;
    }
    this.#staged.set(target, temp);
  }

  /** The final names staged so far, in the order written. */
  get staged(): string[] {
    return [...this.#staged.keys()];
  }

  /**
   * Puts every staged file in place: renamed over an existing file when overwriting, else linked
   * to its name, which fails when the name was taken meanwhile (then nothing of the run stays).
   * The identity of each file is recorded before, so an undo after a crash removes only the run's.
   * @throws FramewrightError `OUTPUT_EXISTS`, or the file system's error
   */
  async commit(): Promise<void> {
    if (this.#state === 'committed') return;
    this.#checkOpen();
    try {
      for (const [path, temp] of this.#staged) {
        const id = await fileIdentity(temp);
        if (id === undefined) throw new FramewrightError('INTERNAL', `engine bug: ${temp} was staged but not written`);
        this.#placed.push({ path, id });
      }
      await this.#save();
      for (const [path, temp] of this.#staged) await this.#place(path, temp);
    } catch (error) {
      await this.undo();
      if (isFramewrightError(error)) throw error;
      throw new FramewrightError('OUTPUT_FAILED', `cannot put the outputs in place in ${this.dir}: ${oneLine(String((error as Error).message ?? error))}`, { cause: error });
    }
    this.#state = 'committed';
  }

  async #place(path: string, temp: string): Promise<void> {
    const folder = (await lstat(temp)).isDirectory();
    if (this.overwrite) {
      try {
        await rename(temp, path);
      } catch (error) {
        // A folder (or a file where a folder goes) cannot be renamed over: set the old one aside.
        if (!isErrno(error, 'EISDIR', 'ENOTEMPTY', 'EEXIST', 'ENOTDIR', 'EPERM')) throw error;
        const aside = tempPathFor(path);
        this.#aside.push({ path: aside, of: path });
        await this.#save();
        await rename(path, aside);
        await rename(temp, path);
        await rm(aside, { recursive: true, force: true });
      }
      return;
    }
    if (folder) {
      // rename never replaces a folder that holds files, nor puts a folder over a file.
      if ((await fileIdentity(path)) !== undefined) throw outputExistsError(path);
      try {
        await rename(temp, path);
      } catch (error) {
        throw isErrno(error, 'ENOTEMPTY', 'EEXIST', 'ENOTDIR', 'EISDIR') ? outputExistsError(path) : error;
      }
      return;
    }
    try {
      await link(temp, path);
    } catch (error) {
      if (isErrno(error, 'EEXIST')) throw outputExistsError(path);
      // File systems without hard links (FAT, some network shares): check, then rename.
      if (!isErrno(error, 'EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EMLINK', 'ENOSYS')) throw error;
      if ((await fileIdentity(path)) !== undefined) throw outputExistsError(path);
      await rename(temp, path);
      return;
    }
    await unlink(temp);
  }

  /**
   * Removes what the run created (never a file it did not create) unless it committed; a second
   * call does nothing.
   */
  async undo(): Promise<UndoReport> {
    if (this.#state !== 'open') return { removed: [], folders: [], restored: [], failed: [] };
    this.#state = 'undone';
    await this.#saving.catch(() => undefined);
    return undoOutputs(this.snapshot());
  }

  /**
   * Runs `write` with every atomic write to the output folder staged here, then commits; when
   * `write` or the commit fails, undoes and rethrows.
   */
  async transact<T>(write: () => Promise<T>): Promise<T> {
    try {
      const result = await withOutputStager(this, write);
      await this.commit();
      return result;
    } catch (error) {
      await this.undo();
      throw error;
    }
  }

  #checkOpen(): void {
    if (this.#state !== 'open') throw new FramewrightError('INTERNAL', `engine bug: the outputs of this run were already ${this.#state}`);
  }
}

/** The ledger of a run: the one its caller gave (the engine's), else a new one for its output folder. */
export function ledgerOf(context: { readonly outputDir: string; readonly outputs?: OutputLedger | undefined }, overwrite: boolean | undefined): OutputLedger {
  return context.outputs ?? new OutputLedger({ dir: context.outputDir, overwrite: overwrite === true });
}

/**
 * Runs an operation's `work` in its run's ledger ({@link ledgerOf}): the outputs it records are
 * in place when it resolves, and none are left when it fails. A failure after the run was
 * cancelled is `CANCELLED` for `op`, whatever the work threw as it stopped.
 */
export async function runInLedger<T>(
  op: string,
  context: { readonly outputDir: string; readonly outputs?: OutputLedger | undefined; readonly signal: AbortSignal },
  overwrite: boolean | undefined,
  work: (outputs: OutputLedger) => Promise<T>,
): Promise<T> {
  const outputs = ledgerOf(context, overwrite);
  try {
    return await outputs.transact(() => work(outputs));
  } catch (error) {
    if (context.signal.aborted) throw cancelled(op);
    throw error;
  }
}
