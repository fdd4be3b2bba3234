import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { FramewrightError, findSchemaProblem, JobSchema, type Job } from '../protocol/index.js';
import { writeFileAtomic } from '../util/fs.js';

/** Job ids the queue makes (UUIDs) are safe file names; anything else is refused before touching disk. */
const SAFE_ID = /^[A-Za-z0-9-]{1,100}$/;

/** Why a job that was not finished when its server stopped is reported failed. */
export const INTERRUPTED_MESSAGE = 'the server stopped before this job finished; submit it again';

/**
 * The job journal: one JSON file per job (`<id>.json`), written atomically, so a restarted
 * server still answers for jobs it ran. Unreadable or invalid files are skipped, not fatal.
 */
export class JobJournal {
  /**
   * Opens the journal in `dir`; nothing is read or written until it is used.
   * @param dir - folder of the journal files (created on first write)
   * @param maxFiles - newest files kept; older ones are deleted when the journal is loaded
   */
  constructor(
    readonly dir: string,
    readonly maxFiles = 10_000,
  ) {}

  private fileOf(id: string): string {
    return join(this.dir, `${id}.json`);
  }

  /** Writes (or rewrites) a job's record. */
  async write(job: Job): Promise<void> {
    if (!SAFE_ID.test(job.id)) throw new FramewrightError('INTERNAL', `job id ${JSON.stringify(job.id)} is not a safe file name`);
    await mkdir(this.dir, { recursive: true });
    await writeFileAtomic(this.fileOf(job.id), `${JSON.stringify(job)}\n`);
  }

  /** Reads one job's record, or `undefined` when there is none (or it is unreadable). */
  async read(id: string): Promise<Job | undefined> {
    if (!SAFE_ID.test(id)) return undefined;
    try {
      const job: unknown = JSON.parse(await readFile(this.fileOf(id), 'utf8'));
      return findSchemaProblem(JobSchema, job) === undefined && (job as Job).id === id ? (job as Job) : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Reads one job's record as a restarted server must report it: a job the record shows as
   * queued or running was cut off when its server stopped, so it is rewritten as failed.
   */
  async recover(id: string): Promise<Job | undefined> {
    const job = await this.read(id);
    if (job === undefined || (job.state !== 'queued' && job.state !== 'running')) return job;
    const failed: Job = { ...job, state: 'failed', finishedAt: new Date().toISOString(), error: { code: 'INTERNAL', message: INTERRUPTED_MESSAGE } };
    await this.write(failed);
    return failed;
  }

  /**
   * Loads the newest `limit` jobs (by last write), newest first, through {@link JobJournal.recover}.
   * Files beyond `maxFiles` (the oldest) are deleted.
   */
  async load(limit: number): Promise<Job[]> {
    let names: string[];
    try {
      names = (await readdir(this.dir)).filter((n) => n.endsWith('.json') && !n.startsWith('.'));
    } catch {
      return [];
    }
    const dated = await Promise.all(
      names.map(async (name) => ({ name, mtime: await stat(join(this.dir, name)).then((s) => s.mtimeMs, () => -1) })),
    );
    dated.sort((a, b) => b.mtime - a.mtime);
    await Promise.all(dated.slice(this.maxFiles).map(({ name }) => rm(join(this.dir, name), { force: true })));
    const jobs: Job[] = [];
    for (const { name } of dated.slice(0, this.maxFiles)) {
      if (jobs.length >= limit) break;
      const job = await this.recover(name.slice(0, -'.json'.length));
      if (job !== undefined) jobs.push(job);
    }
    return jobs;
  }
}
