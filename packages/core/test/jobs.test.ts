import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { engineJobRunner, INTERRUPTED_MESSAGE, isTerminal, JobJournal, JobQueue, type JobEvent } from '../src/jobs/index.js';
import { JobSchema, findSchemaProblem, type Job } from '../src/protocol/index.js';
import { fakeRegistry, tempDir } from './engine-fakes.js';

async function openQueue(options: { steps?: number; concurrency?: number; journalDir?: string; maxFinishedInMemory?: number } = {}) {
  const { registry, probe } = fakeRegistry({ steps: options.steps ?? 5 });
  const outputRoot = tempDir();
  const queue = await JobQueue.open({
    runner: engineJobRunner({ outputRoot, registry }),
    concurrency: options.concurrency ?? 2,
    progressIntervalMs: 0,
    ...(options.journalDir === undefined ? {} : { journal: new JobJournal(options.journalDir) }),
    ...(options.maxFinishedInMemory === undefined ? {} : { maxFinishedInMemory: options.maxFinishedInMemory }),
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
    expect(cancelledWaiting).toMatchObject({ state: 'cancelled', error: { code: 'CANCELLED' } });
    const cancelledRunning = await queue.cancel(running.id);
    expect(cancelledRunning).toMatchObject({ state: 'cancelled', error: { code: 'CANCELLED', message: 'clip-cut was cancelled' } });
    expect(probe.live).toBe(0);
    expect(probe.started).toBe(1);
    // Cancelling a finished job changes nothing.
    expect(await queue.cancel(running.id)).toEqual(cancelledRunning);
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

describe('journal', () => {
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
    expect(await queue.get('abc-123')).toMatchObject({ state: 'failed', error: { code: 'INTERNAL', message: INTERRUPTED_MESSAGE } });
    expect(JSON.parse(readFileSync(join(journalDir, 'abc-123.json'), 'utf8'))).toMatchObject({ state: 'failed' });
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
