// The worker's job processes: a run that does not stop on a cancel has its process killed (what
// ends ONNX work stuck in native code), a process that dies mid-run fails its job, and the pool
// replaces a dead process.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ChildPool } from '../src/cluster/child-pool.js';

const STUBBORN = join(import.meta.dirname, 'fixtures', 'cluster', 'stubborn-child.mjs');
const handlers = (progress: unknown[] = []) => ({ onProgress: (p: unknown) => progress.push(p), onOutputs: () => Promise.resolve() });
const run = (id: string, params: unknown) => ({ type: 'run' as const, id, op: 'clip-cut' as const, params, outputRoot: '/tmp', defaultOutputDir: '/tmp/x' });

describe('cluster job processes', () => {
  it('kills a run that ignores its cancel, reports it CANCELLED, and replaces the process', async () => {
    const pool = new ChildPool(1, process.env, STUBBORN);
    const first = await pool.acquire();
    const pid = first.pid;
    const progress: unknown[] = [];
    const outcome = first.run(run('a', {}), handlers(progress));
    await new Promise((r) => setTimeout(r, 200));
    first.cancel('a');
    expect(await outcome).toEqual({ ok: false, error: { code: 'CANCELLED', message: 'cancelled: the run did not stop in time and its process was killed' } });
    expect(progress).toEqual([{ stage: 'analyse', fraction: 0.1 }]);
    expect(first.dead).toBe(true);
    pool.release(first);
    const next = await pool.acquire();
    expect(next.pid).not.toBe(pid);
    expect(await next.run(run('b', { quick: true }), handlers())).toEqual({ ok: true, result: { ok: true } });
    pool.release(next);
    await pool.close();
  }, 20_000);

  it('fails the job of a process that exits mid-run', async () => {
    const pool = new ChildPool(1, process.env, STUBBORN);
    const p = await pool.acquire();
    expect(await p.run(run('c', { crash: true }), handlers())).toEqual({ ok: false, error: { code: 'INTERNAL', message: "the worker's job process exited with code 3 while running the job" } });
    pool.release(p);
    await pool.close();
  }, 20_000);
});
