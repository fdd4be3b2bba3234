import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { INTERRUPTED_MESSAGE, JobJournal, JobQueue, type JobEvent } from '../src/jobs/index.js';
import { engineJobRunner } from '../src/server/engine-runner.js';
import { ownerOfProcess } from '../src/jobs/owner.js';
import { fileIdentity, type OutputRecord } from '../src/util/outputs.js';
import { JobSchema, findSchemaProblem, isTerminal, type Job } from '../src/protocol/index.js';
import { fakeRegistry, tempDir } from './engine-fakes.js';

async function openQueue(options: { steps?: number; concurrency?: number; journalDir?: string; maxFinishedInMemory?: number; log?: string[] } = {}) {
  const { registry, probe } = fakeRegistry({ steps: options.steps ?? 5 });
  const outputRoot = tempDir();
  const queue = await JobQueue.open({
    runner: engineJobRunner({ outputRoot, registry }),
    concurrency: options.concurrency ?? 2,
    progressIntervalMs: 0,
    ...(options.journalDir === undefined ? {} : { journal: new JobJournal(options.journalDir) }),
    ...(options.maxFinishedInMemory === undefined ? {} : { maxFinishedInMemory: options.maxFinishedInMemory }),
    ...(options.log === undefined ? {} : { log: (line: string) => options.log!.push(line) }),
  });
  const events: JobEvent[] = [];
  queue.subscribe((e) => events.push(e));
  return { queue, probe, events, outputRoot };
}

function settled(queue: JobQueue, id: string): Promise<Job> {
  return new Promise((resolve) => {
    const stop = queue.subscribe((e) => {
      if (e.type === 'state' && e.job.id === id && isTerminal(e.job.state)) {
        stop();
        resolve(e.job);
      }
    });
  });
}

describe('job lifecycle', () => {
  it('goes queued → running → succeeded with progress, ETA and the result, each state a valid Job', async () => {
    const { queue, events, outputRoot } = await openQueue({ steps: 4 });
    const job = await queue.submit('clip-cut', { input: 'a.mp4' });
    expect(job.state).toBe('queued');
    const done = await settled(queue, job.id);
    expect(done.state).toBe('succeeded');
    expect(done.result).toMatchObject({ files: [join(outputRoot, job.id, 'cuts.json')] });
    const mine = events.filter((e) => (e.type === 'state' ? e.job.id : e.jobId) === job.id);
    expect(mine.filter((e) => e.type === 'state').map((e) => (e.type === 'state' ? e.job.state : ''))).toEqual(['queued', 'running', 'succeeded']);
    const progress = mine.flatMap((e) => (e.type === 'progress' ? [e.progress as { fraction: number; etaSeconds?: number }] : []));
    expect(progress.map((p) => p.fraction)).toEqual([0.25, 0.5, 0.75, 1]);
    expect(progress[0]!.etaSeconds).toBeGreaterThanOrEqual(0);
    for (const e of mine) if (e.type === 'state') expect(findSchemaProblem(JobSchema, e.job)).toBeUndefined();
  });

  it('refuses bad params at submit, before anything is queued', async () => {
    const { queue, probe } = await openQueue();
    await expect(queue.submit('clip-cut', { input: 'a.mp4', bogus: 1 })).rejects.toMatchObject({ code: 'INVALID_PARAMS', pointer: '/bogus' });
    await expect(queue.submit('image-gen', { prompt: 'x' })).rejects.toMatchObject({ code: 'OPERATION_UNAVAILABLE' });
    await expect(queue.submit('clip-cut', { input: 'a.mp4', outputDir: '/etc' })).rejects.toMatchObject({ code: 'OUTPUT_NOT_ALLOWED' });
    expect(queue.list()).toEqual([]);
    expect(probe.started).toBe(0);
  });

  it('never runs more jobs at once than the concurrency limit', async () => {
    const { queue, probe } = await openQueue({ steps: 3, concurrency: 2 });
    let peak = 0;
    queue.subscribe(() => (peak = Math.max(peak, probe.live)));
    const jobs = await Promise.all(Array.from({ length: 6 }, () => queue.submit('clip-cut', { input: 'a.mp4' })));
    const finals = await Promise.all(jobs.map((j) => settled(queue, j.id)));
    expect(finals.every((j) => j.state === 'succeeded')).toBe(true);
    expect(peak).toBe(2);
  });

  it('cancels a queued job at once and a running one by aborting it', async () => {
    const { queue, probe } = await openQueue({ steps: 10_000, concurrency: 1 });
    const running = await queue.submit('clip-cut', { input: 'a.mp4' });
    const waiting = await queue.submit('clip-cut', { input: 'a.mp4' });
    await new Promise((r) => setTimeout(r, 50));
    const cancelledWaiting = await queue.cancel(waiting.id);
    expect(cancelledWaiting).toMatchObject({ state: 'cancelled', error: { code: 'CANCELLED', message: 'clip-cut was cancelled before it started' } });
    const cancelledRunning = await queue.cancel(running.id);
    expect(cancelledRunning).toMatchObject({ state: 'cancelled', error: { code: 'CANCELLED', message: 'clip-cut was cancelled' } });
    expect(probe.live).toBe(0);
    expect(probe.started).toBe(1);
    // Cancelling a finished job changes nothing.
    expect(await queue.cancel(running.id)).toEqual(cancelledRunning);
  });

  it('keeps running and telling the other listeners when one listener throws, and logs it', async () => {
    const { registry } = fakeRegistry({ steps: 3 });
    const logged: { line: string; level: string }[] = [];
    const queue = await JobQueue.open({
      runner: engineJobRunner({ outputRoot: tempDir(), registry }),
      progressIntervalMs: 0,
      log: (line, level) => logged.push({ line, level }),
    });
    let calls = 0;
    queue.subscribe(() => {
      calls++;
      throw new Error('listener bug');
    });
    const heard: JobEvent[] = [];
    queue.subscribe((e) => heard.push(e));
    const job = await queue.submit('clip-cut', { input: 'a.mp4' });
    const done = await settled(queue, job.id);
    expect(done.state).toBe('succeeded');
    expect(heard.filter((e) => e.type === 'state').map((e) => (e.type === 'state' ? e.job.state : ''))).toEqual(['queued', 'running', 'succeeded']);
    expect(heard.filter((e) => e.type === 'progress')).toHaveLength(3);
    // Every event reached the broken listener too, and each of its failures was logged once.
    expect(calls).toBe(heard.length);
    expect(logged).toHaveLength(calls);
    expect(logged[0]).toEqual({ level: 'warn', line: `a queue listener failed on the queued of job ${job.id}: listener bug` });
    expect(logged.every((l) => l.level === 'warn' && l.line.endsWith(': listener bug'))).toBe(true);
    expect(logged.some((l) => l.line.startsWith(`a queue listener failed on the progress of job ${job.id}`))).toBe(true);
    await queue.close();
  });

  it('answers JOB_NOT_FOUND for an unknown id', async () => {
    const { queue } = await openQueue();
    await expect(queue.get('nope')).rejects.toMatchObject({ code: 'JOB_NOT_FOUND' });
    await expect(queue.cancel('nope')).rejects.toMatchObject({ code: 'JOB_NOT_FOUND' });
  });

  it('close cancels what is running and refuses new jobs', async () => {
    const { queue, probe } = await openQueue({ steps: 10_000 });
    const job = await queue.submit('clip-cut', { input: 'a.mp4' });
    await new Promise((r) => setTimeout(r, 30));
    await queue.close();
    expect((await queue.get(job.id)).state).toBe('cancelled');
    expect(probe.live).toBe(0);
    await expect(queue.submit('clip-cut', { input: 'a.mp4' })).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
  });
});

/** A journal that holds back the write of every final state until `release` is called. */
class HeldJournal extends JobJournal {
  finalWrites = 0;
  release!: () => void;
  private readonly gate = new Promise<void>((r) => (this.release = r));

  override async write(job: Job, outputs?: OutputRecord): Promise<void> {
    if (isTerminal(job.state)) {
      this.finalWrites++;
      await this.gate;
    }
    return super.write(job, outputs);
  }
}

describe('journal', () => {
  it('shows a final state to nobody before it is on disk: lookups read it as running, listeners hear nothing', async () => {
    const journal = new HeldJournal(tempDir());
    const { registry } = fakeRegistry({ steps: 1 });
    const queue = await JobQueue.open({ runner: engineJobRunner({ outputRoot: tempDir(), registry }), progressIntervalMs: 0, journal });
    const events: JobEvent[] = [];
    queue.subscribe((e) => events.push(e));
    const job = await queue.submit('clip-cut', { input: 'a.mp4' });
    while (journal.finalWrites === 0) await new Promise((r) => setTimeout(r, 5));
    expect((await queue.get(job.id)).state).toBe('running');
    expect(queue.list()[0]?.state).toBe('running');
    expect(events.some((e) => e.type === 'state' && isTerminal(e.job.state))).toBe(false);
    const done = settled(queue, job.id);
    journal.release();
    expect((await done).state).toBe('succeeded');
    expect(await queue.get(job.id)).toEqual(await done);
    await queue.close();
  });

  it('a queued job cancelled twice while its final state is written ends once', async () => {
    const journal = new HeldJournal(tempDir());
    const { registry } = fakeRegistry({ steps: 10_000 });
    const queue = await JobQueue.open({ runner: engineJobRunner({ outputRoot: tempDir(), registry }), concurrency: 1, progressIntervalMs: 0, journal });
    const events: JobEvent[] = [];
    queue.subscribe((e) => events.push(e));
    const running = await queue.submit('clip-cut', { input: 'a.mp4' });
    const queued = await queue.submit('clip-cut', { input: 'b.mp4' });
    const cancels = [queue.cancel(queued.id), queue.cancel(queued.id)];
    while (journal.finalWrites === 0) await new Promise((r) => setTimeout(r, 5));
    journal.release();
    expect((await Promise.all(cancels)).map((j) => j.state)).toEqual(['cancelled', 'cancelled']);
    expect(journal.finalWrites).toBe(1);
    expect(events.filter((e) => e.type === 'state' && e.job.id === queued.id && e.job.state === 'cancelled')).toHaveLength(1);
    await queue.cancel(running.id);
    await queue.close();
  });

  it('a reopened queue still answers for finished jobs', async () => {
    const journalDir = tempDir();
    const first = await openQueue({ journalDir });
    const job = await first.queue.submit('clip-cut', { input: 'a.mp4' });
    const done = await settled(first.queue, job.id);
    await first.queue.close();
    const second = await openQueue({ journalDir });
    expect(await second.queue.get(job.id)).toEqual(done);
    expect(second.queue.list().map((j) => j.id)).toEqual([job.id]);
    expect(readdirSync(journalDir)).toEqual([`${job.id}.json`]);
  });

  it('reports a job that was running when the server died as failed, with a clear message', async () => {
    const journalDir = tempDir();
    const job: Job = { id: 'abc-123', op: 'clip-cut', state: 'running', createdAt: new Date().toISOString() };
    writeFileSync(join(journalDir, 'abc-123.json'), JSON.stringify(job));
    writeFileSync(join(journalDir, 'garbage.json'), '{not json');
    const { queue } = await openQueue({ journalDir });
    expect(await queue.get('abc-123')).toMatchObject({ state: 'failed', error: { code: 'INTERRUPTED', message: INTERRUPTED_MESSAGE } });
    expect(JSON.parse(readFileSync(join(journalDir, 'abc-123.json'), 'utf8'))).toMatchObject({ job: { state: 'failed' } });
    expect(queue.list().map((j) => j.id)).toEqual(['abc-123']);
  });

  it('keeps memory bounded: old finished jobs leave memory but are still answered from disk', async () => {
    const journalDir = tempDir();
    const { queue } = await openQueue({ journalDir, maxFinishedInMemory: 2, steps: 1 });
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const job = await queue.submit('clip-cut', { input: 'a.mp4' });
      ids.push(job.id);
      await settled(queue, job.id);
    }
    expect(queue.list().map((j) => j.id)).toEqual([ids[3], ids[2]]);
    expect(await queue.get(ids[0]!)).toMatchObject({ id: ids[0], state: 'succeeded' });
  });
});

/** A journal record as a server that died mid-job left it. */
function cutOffRecord(journalDir: string, id: string, outputs?: OutputRecord, owner?: { pid: number; started?: string }): void {
  const job: Job = { id, op: 'clip-cut', state: 'running', createdAt: new Date().toISOString(), startedAt: new Date().toISOString() };
  writeFileSync(join(journalDir, `${id}.json`), JSON.stringify({ job, ...(owner === undefined ? {} : { owner }), ...(outputs === undefined ? {} : { outputs }) }));
}

describe('journal on disk', () => {
  it('has the job on disk, as queued, when submit resolves', async () => {
    const journalDir = tempDir();
    const { queue } = await openQueue({ journalDir, steps: 10_000 });
    const job = await queue.submit('clip-cut', { input: 'a.mp4' });
    // Read at once, before any other turn of the event loop: the write already happened.
    expect(JSON.parse(readFileSync(join(journalDir, `${job.id}.json`), 'utf8'))).toMatchObject({ job: { id: job.id, state: 'queued' } });
    await queue.close();
  });

  it('refuses a job it cannot journal, and keeps nothing of it', async () => {
    const dir = tempDir();
    const journalDir = join(dir, 'jobs');
    writeFileSync(journalDir, 'a file where the journal folder must go');
    const { queue, probe } = await openQueue({ journalDir, log: [] });
    await expect(queue.submit('clip-cut', { input: 'a.mp4' })).rejects.toMatchObject({ code: 'OUTPUT_FAILED', message: expect.stringContaining('journal') });
    expect(queue.list()).toEqual([]);
    await new Promise((r) => setTimeout(r, 30));
    expect(probe.started).toBe(0);
  });

  it.skipIf(process.platform === 'win32')('keeps job history private: files 0600 in a 0700 folder, older loose modes tightened', async () => {
    const journalDir = join(tempDir(), 'jobs');
    const first = await openQueue({ journalDir, steps: 1 });
    const job = await first.queue.submit('clip-cut', { input: 'a.mp4' });
    await settled(first.queue, job.id);
    await first.queue.close();
    expect(statSync(journalDir).mode & 0o777).toBe(0o700);
    expect(statSync(join(journalDir, `${job.id}.json`)).mode & 0o777).toBe(0o600);

    // A journal an older version wrote world-readable is tightened when loaded.
    chmodSync(journalDir, 0o755);
    chmodSync(join(journalDir, `${job.id}.json`), 0o644);
    const second = await openQueue({ journalDir });
    expect(statSync(join(journalDir, `${job.id}.json`)).mode & 0o777).toBe(0o600);
    await second.queue.submit('clip-cut', { input: 'a.mp4' });
    expect(statSync(journalDir).mode & 0o777).toBe(0o700);
    await second.queue.close();
  });

  it('prunes on write: the oldest finished files go beyond maxFiles, jobs still waiting stay', async () => {
    const journalDir = tempDir();
    const journal = new JobJournal(journalDir, 3);
    const at = (i: number) => new Date(Date.UTC(2024, 0, 1, 0, 0, i)).toISOString();
    await journal.write({ id: 'waiting', op: 'clip-cut', state: 'queued', createdAt: at(0) });
    for (let i = 1; i <= 5; i++) await journal.write({ id: `done-${i}`, op: 'clip-cut', state: 'succeeded', createdAt: at(i), finishedAt: at(i) });
    expect(readdirSync(journalDir).sort()).toEqual(['done-4.json', 'done-5.json', 'waiting.json']);
    // A journal that was loaded keeps pruning as it is written.
    const reopened = new JobJournal(journalDir, 3);
    await reopened.load(10);
    await reopened.write({ id: 'done-6', op: 'clip-cut', state: 'succeeded', createdAt: at(6), finishedAt: at(6) });
    expect(readdirSync(journalDir).sort()).toEqual(['done-5.json', 'done-6.json', 'waiting.json']);
  });

  it('removes the outputs a cut-off job created, never a file that is not its own, and says what it removed', async () => {
    const journalDir = tempDir();
    const out = join(tempDir(), 'job-folder');
    mkdirSync(out);
    const partial = join(out, '.talk-clip-002.mp4.1a2b3c4d.partial.mp4');
    const finished = join(out, 'talk-clip-001.mp4');
    const theirs = join(out, 'talk.json');
    writeFileSync(partial, 'half a clip');
    writeFileSync(finished, 'a whole clip');
    writeFileSync(theirs, 'another run made this');
    const record: OutputRecord = {
      dirs: [out],
      temps: [partial, join(out, '.talk-clip-001.mp4.00000000.partial.mp4')],
      placed: [
        { path: finished, id: (await fileIdentity(finished))! },
        // The run was about to put a talk.json in place, but the file there is another's.
        { path: theirs, id: '1:1' },
      ],
      aside: [],
    };
    cutOffRecord(journalDir, 'cut-off', record);
    const log: string[] = [];
    const { queue } = await openQueue({ journalDir, log });
    const job = await queue.get('cut-off');
    expect(job).toMatchObject({ state: 'failed', error: { code: 'INTERRUPTED' } });
    expect(job.error!.message).toBe(`${INTERRUPTED_MESSAGE} (removed 2 unfinished outputs: talk-clip-001.mp4, .talk-clip-002.mp4.1a2b3c4d.partial.mp4)`);
    expect(readdirSync(out)).toEqual(['talk.json']);
    expect(readFileSync(theirs, 'utf8')).toBe('another run made this');
    expect(log).toEqual([`job cut-off (clip-cut) was cut off when its server stopped and is reported failed (INTERRUPTED); removed ${finished}, ${partial}`]);
    // The record no longer lists outputs: a second restart has nothing to undo and says nothing.
    expect(JSON.parse(readFileSync(join(journalDir, 'cut-off.json'), 'utf8'))).not.toHaveProperty('outputs');
    const again: string[] = [];
    await openQueue({ journalDir, log: again });
    expect(again).toEqual([]);
  });

  it('removes a cut-off job\'s folder once empty, and keeps a folder someone else put files in', async () => {
    const journalDir = tempDir();
    const root = tempDir();
    const [mine, shared] = [join(root, 'mine'), join(root, 'shared')];
    mkdirSync(mine);
    mkdirSync(shared);
    writeFileSync(join(shared, 'keep.txt'), 'not the job\'s');
    cutOffRecord(journalDir, 'a', { dirs: [mine], temps: [], placed: [], aside: [] });
    cutOffRecord(journalDir, 'b', { dirs: [shared], temps: [], placed: [], aside: [] });
    await openQueue({ journalDir, log: [] });
    expect(readdirSync(root)).toEqual(['shared']);
    expect(readdirSync(shared)).toEqual(['keep.txt']);
  });

  it.skipIf(process.platform !== 'linux')('leaves alone the jobs of another server that still runs on the same data folder', async () => {
    const journalDir = tempDir();
    const out = tempDir();
    const temp = join(out, '.x.mp4.00000000.partial.mp4');
    writeFileSync(temp, 'being written by the other server');
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      await new Promise((r) => other.once('spawn', r));
      cutOffRecord(journalDir, 'theirs', { dirs: [], temps: [temp], placed: [], aside: [] }, ownerOfProcess(other.pid!));
      const { queue } = await openQueue({ journalDir, log: [] });
      expect(await queue.get('theirs')).toMatchObject({ state: 'running' });
      expect(existsSync(temp)).toBe(true);
      expect(queue.list()).toEqual([]);
    } finally {
      other.kill('SIGKILL');
    }
    await new Promise((r) => other.once('exit', r));
    // Once that server is gone, its cut-off job is this one's to report.
    const { queue } = await openQueue({ journalDir, log: [] });
    expect(await queue.get('theirs')).toMatchObject({ state: 'failed', error: { code: 'INTERRUPTED' } });
    expect(existsSync(temp)).toBe(false);
  });
});
