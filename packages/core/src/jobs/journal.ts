import { chmod, mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { FramewrightError, findSchemaProblem, JobSchema, type Job } from '../protocol/index.js';
import { writeFileDurable } from '../util/fs.js';
import { isOutputRecord, undoOutputs, type OutputRecord } from '../util/outputs.js';
import { CURRENT_OWNER, isJobOwner, ownedElsewhere, type JobOwner } from './owner.js';

/** Job ids the queue makes (UUIDs) are safe file names; anything else is refused before touching disk. */
const SAFE_ID = /^[A-Za-z0-9-]{1,100}$/;

/** Why a job that was not finished when its server stopped is reported failed. */
export const INTERRUPTED_MESSAGE = 'the server stopped before this job finished; submit it again';

/** Records read at once when loading. */
const READ_BATCH = 64;

/** Names of removed files a job's error message lists (the server's log lists them all). */
const LISTED_NAMES = 5;

/** One journal file: the job, the process that wrote it, and what the job's run may have created. */
interface JournalRecord {
  readonly job: Job;
  readonly owner?: JobOwner;
  readonly outputs?: OutputRecord;
}

/** A job a restarted server found cut off, reported failed, and what it removed of its outputs. */
export interface RecoveredJob {
  /** The job as it now reads: `failed` with `INTERRUPTED`. */
  readonly job: Job;
  /** Files of the job's run that were removed (its partial and finished outputs). */
  readonly removed: readonly string[];
  /** Folders the run had created, removed once empty. */
  readonly folders: readonly string[];
  /** Paths that could not be removed, with why. */
  readonly failed: readonly string[];
}

/** What {@link JobJournal.load} found. */
export interface LoadedJournal {
  /** The newest jobs, newest first. */
  readonly jobs: Job[];
  /** Jobs cut off by the stop of their server, now reported failed, with what was removed. */
  readonly recovered: RecoveredJob[];
}

const isActive = (job: Job) => job.state === 'queued' || job.state === 'running';

function listed(paths: readonly string[]): string {
  const names = paths.slice(0, LISTED_NAMES).map((p) => basename(p));
  return paths.length > LISTED_NAMES ? `${names.join(', ')} and ${paths.length - LISTED_NAMES} more` : names.join(', ');
}

/** The error message of a cut-off job: what happened, and what was removed of its outputs. */
function interruptedMessage(removed: readonly string[], failed: readonly string[]): string {
  const notes = [
    ...(removed.length === 0 ? [] : [`removed ${removed.length} unfinished output${removed.length === 1 ? '' : 's'}: ${listed(removed)}`]),
    ...(failed.length === 0 ? [] : [`could not remove ${listed(failed)}`]),
  ];
  return notes.length === 0 ? INTERRUPTED_MESSAGE : `${INTERRUPTED_MESSAGE} (${notes.join('; ')})`;
}

/**
 * The job journal: one JSON file per job (`<id>.json`, mode 0600 in a 0700 folder: job history
 * is the user's alone), each written durably (flushed, renamed, folder flushed), so a restarted
 * server still answers for every job it accepted. A record of a running job also lists what its
 * run may have created, so a job cut off by a crash is reported failed and its outputs removed.
 * At most `maxFiles` files are kept: each write removes the oldest finished ones beyond it.
 * Unreadable or invalid files are skipped, not fatal.
 */
export class JobJournal {
  /** Job id → whether its last record is final, oldest write first. */
  readonly #order = new Map<string, boolean>();
  #indexed: Promise<void> | undefined;
  #prepared: Promise<void> | undefined;

  /**
   * Opens the journal in `dir`; nothing is read or written until it is used.
   * @param dir - folder of the journal files (created on first write)
   * @param maxFiles - files kept: a write beyond it removes the oldest finished jobs' files
   */
  constructor(
    readonly dir: string,
    readonly maxFiles = 10_000,
  ) {}

  private fileOf(id: string): string {
    return join(this.dir, `${id}.json`);
  }

  /** Creates the folder (0700), or tightens the mode of one an older version made world-readable. */
  #prepare(): Promise<void> {
    this.#prepared ??= (async () => {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      if (process.platform !== 'win32' && ((await stat(this.dir)).mode & 0o077) !== 0) await chmod(this.dir, 0o700);
    })().catch((error: unknown) => {
      this.#prepared = undefined;
      throw error;
    });
    return this.#prepared;
  }

  /** The journal's files, oldest write first, with the folder's stray temporary files removed. */
  async #scan(): Promise<Array<{ id: string; mode: number }>> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return [];
    }
    // A crash mid-write leaves a temporary name behind; the record it was replacing is intact.
    await Promise.all(names.filter((n) => n.startsWith('.') && n.includes('.partial')).map((n) => rm(join(this.dir, n), { force: true })));
    const dated = await Promise.all(
      names
        .filter((n) => n.endsWith('.json') && !n.startsWith('.'))
        .map(async (name) => {
          const s = await stat(join(this.dir, name)).catch(() => undefined);
          return { id: name.slice(0, -'.json'.length), mtime: s?.mtimeMs ?? -1, mode: s?.mode ?? 0 };
        }),
    );
    return dated.sort((a, b) => a.mtime - b.mtime);
  }

  /** Fills the write order from the folder once, for a journal written before it was loaded. */
  #index(): Promise<void> {
    this.#indexed ??= this.#scan().then((files) => {
      for (const { id } of files) if (!this.#order.has(id)) this.#order.set(id, true);
    });
    return this.#indexed;
  }

  /**
   * Writes (or rewrites) a job's record durably: once this resolves the record survives a crash.
   * @param outputs - what the job's run may have created so far (a running job); left out once final
   */
  async write(job: Job, outputs?: OutputRecord): Promise<void> {
    if (!SAFE_ID.test(job.id)) throw new FramewrightError('INTERNAL', `job id ${JSON.stringify(job.id)} is not a safe file name`);
    await this.#prepare();
    await this.#index();
    const record: JournalRecord = { job, owner: CURRENT_OWNER, ...(outputs === undefined ? {} : { outputs }) };
    await writeFileDurable(this.fileOf(job.id), `${JSON.stringify(record)}\n`, 0o600);
    this.#order.delete(job.id);
    this.#order.set(job.id, !isActive(job));
    await this.#prune();
  }

  /** Removes the oldest finished jobs' files beyond `maxFiles` (jobs still queued or running are kept). */
  async #prune(): Promise<void> {
    let excess = this.#order.size - this.maxFiles;
    if (excess <= 0) return;
    const doomed: string[] = [];
    for (const [id, final] of this.#order) {
      if (excess <= 0) break;
      if (!final) continue;
      doomed.push(id);
      excess--;
    }
    for (const id of doomed) this.#order.delete(id);
    await Promise.all(doomed.map((id) => rm(this.fileOf(id), { force: true })));
  }

  async #readRecord(id: string): Promise<JournalRecord | undefined> {
    if (!SAFE_ID.test(id)) return undefined;
    try {
      const parsed: unknown = JSON.parse(await readFile(this.fileOf(id), 'utf8'));
      if (typeof parsed !== 'object' || parsed === null) return undefined;
      const fields = parsed as Record<string, unknown>;
      // Records of earlier versions are the bare job.
      const job = 'job' in fields ? fields['job'] : parsed;
      if (findSchemaProblem(JobSchema, job) !== undefined || (job as Job).id !== id) return undefined;
      return {
        job: job as Job,
        ...(isJobOwner(fields['owner']) ? { owner: fields['owner'] } : {}),
        ...(isOutputRecord(fields['outputs']) ? { outputs: fields['outputs'] } : {}),
      };
    } catch {
      return undefined;
    }
  }

  /** Reads one job's record, or `undefined` when there is none (or it is unreadable). */
  async read(id: string): Promise<Job | undefined> {
    return (await this.#readRecord(id))?.job;
  }

  /**
   * A record as a restarted server must report it. A job the record shows queued or running was
   * cut off when its server stopped - unless that server still runs (another process on this
   * data folder) - so the outputs its run created are removed and it is rewritten as failed with
   * `INTERRUPTED`, saying what was removed.
   */
  async #recover(record: JournalRecord): Promise<{ job: Job; recovered?: RecoveredJob }> {
    const { job } = record;
    if (!isActive(job) || (record.owner !== undefined && ownedElsewhere(record.owner))) return { job };
    const undone = record.outputs === undefined ? { removed: [], folders: [], failed: [] } : await undoOutputs(record.outputs);
    const failed: Job = {
      ...job,
      state: 'failed',
      finishedAt: new Date().toISOString(),
      error: { code: 'INTERRUPTED', message: interruptedMessage(undone.removed, undone.failed) },
    };
    await this.write(failed);
    return { job: failed, recovered: { job: failed, removed: undone.removed, folders: undone.folders, failed: undone.failed } };
  }

  /**
   * Reads one job's record as a restarted server must report it (see {@link JobJournal.load}).
   * @param onRecovered - told when the job was cut off and is now reported failed
   */
  async recover(id: string, onRecovered?: (recovered: RecoveredJob) => void): Promise<Job | undefined> {
    const record = await this.#readRecord(id);
    if (record === undefined) return undefined;
    const { job, recovered } = await this.#recover(record);
    if (recovered !== undefined) onRecovered?.(recovered);
    return job;
  }

  /**
   * Loads the journal when a server starts: every record is read, each job cut off by the stop
   * of its server is reported failed with `INTERRUPTED` and the outputs its run created removed,
   * and the newest `limit` jobs are returned, newest first. Files beyond `maxFiles` (the oldest)
   * are removed, and files an older version left readable by others are made 0600.
   */
  async load(limit: number): Promise<LoadedJournal> {
    const files = await this.#scan();
    const doomed = files.slice(0, Math.max(0, files.length - this.maxFiles));
    await Promise.all(doomed.map(({ id }) => rm(this.fileOf(id), { force: true })));
    const kept = files.slice(doomed.length);
    if (process.platform !== 'win32') {
      await Promise.all(kept.filter((f) => (f.mode & 0o077) !== 0).map((f) => chmod(this.fileOf(f.id), 0o600).catch(() => undefined)));
    }
    const records: Array<JournalRecord | undefined> = [];
    // Read a batch at a time: thousands of small files, without thousands of open handles.
    for (let i = 0; i < kept.length; i += READ_BATCH) {
      records.push(...(await Promise.all(kept.slice(i, i + READ_BATCH).map(({ id }) => this.#readRecord(id)))));
    }
    this.#order.clear();
    this.#indexed = Promise.resolve();
    const jobs: Job[] = [];
    const recovered: RecoveredJob[] = [];
    for (const record of records) if (record !== undefined) this.#order.set(record.job.id, !isActive(record.job));
    for (const record of records) {
      if (record === undefined) continue;
      const outcome = await this.#recover(record);
      if (outcome.recovered !== undefined) recovered.push(outcome.recovered);
      // A job another live server runs is its to report; this one answers for it from the file.
      if (!isActive(outcome.job)) jobs.push(outcome.job);
    }
    return { jobs: jobs.reverse().slice(0, limit), recovered };
  }
}
