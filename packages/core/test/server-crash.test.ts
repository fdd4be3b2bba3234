// A server SIGKILLed at any moment, thirty times over while two busy processes load the machine,
// and restarted on the same data folder: every job it answered for is reported - finished ones as
// they finished, cut-off ones failed with INTERRUPTED. The server runs in a child process (fake
// operations, so the test measures the job machinery, not ffmpeg); the restart is in-process.
import { rmSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTERRUPTED_MESSAGE } from '../src/jobs/index.js';
import type { Job } from '../src/protocol/index.js';
import { startServer } from '../src/server/index.js';
import { bundleFakeCrashChild, cpuHogs, startChildServer, type ChildServer } from './crash-helpers.js';
import { fakeRegistry, tempDir } from './engine-fakes.js';
import { http } from './server-helpers.js';

const CRASHES = 30;
/** Where in a job's life the server is killed, in turn. */
const MOMENTS = ['right after the submit answer', 'while a job waits in the queue', 'while a job runs'] as const;

let bundle: string;
let hogs: ChildProcess[] = [];

beforeAll(async () => {
  bundle = await bundleFakeCrashChild();
  hogs = cpuHogs(2);
});
afterAll(() => {
  for (const hog of hogs) hog.kill('SIGKILL');
  rmSync(bundle, { force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function submit(server: ChildServer, input: string): Promise<Job> {
  const answer = await http(server.port, 'POST', '/v1/jobs', { headers: server.headers, body: JSON.stringify({ op: 'clip-cut', params: { input } }) });
  if (answer.status !== 202) throw new Error(`submit answered ${answer.status}: ${answer.text}`);
  return answer.json as Job;
}

async function stateOf(server: ChildServer, id: string): Promise<Job> {
  return (await http(server.port, 'GET', `/v1/jobs/${id}`, { headers: server.headers })).json as Job;
}

async function until(server: ChildServer, id: string, state: Job['state']): Promise<Job> {
  for (let i = 0; i < 500; i++) {
    const job = await stateOf(server, id);
    if (job.state === state) return job;
    await sleep(5);
  }
  throw new Error(`job ${id} never reached ${state}`);
}

/** One crash: jobs at a given moment of their life, then SIGKILL. Returns what the client was told. */
async function crashOnce(i: number, dirs: { configDir: string; dataDir: string; outputRoot: string }) {
  const server = await startChildServer(dirs, { bundle });
  const moment = MOMENTS[i % MOMENTS.length];
  const finished = await until(server, (await submit(server, 'quick.mp4')).id, 'succeeded');
  const cutOff: Job[] = [];
  // A few milliseconds more or less each time, so the kill lands at varied points of the work.
  const jitter = (i * 7) % 23;
  if (moment === 'right after the submit answer') {
    cutOff.push(await submit(server, 'slow.mp4'));
  } else {
    const running = await submit(server, 'slow.mp4');
    cutOff.push(running);
    await until(server, running.id, 'running');
    if (moment === 'while a job waits in the queue') cutOff.push(await submit(server, 'slow.mp4'));
    await sleep(jitter);
  }
  server.child.kill('SIGKILL');
  await server.exited;
  return { finished, cutOff };
}

/** One crash and restart; returns what was wrong (nothing when every accepted job is reported). */
async function crashAndRestart(i: number, configDir: string, outputRoot: string): Promise<string[]> {
  const dataDir = tempDir();
  const { finished, cutOff } = await crashOnce(i, { configDir, dataDir, outputRoot });
  const log: string[] = [];
  const restarted = await startServer({ port: 0, configDir, dataDir, outputRoot, registry: fakeRegistry().registry, log: (l) => log.push(l) });
  try {
    const again = (id: string) => http(restarted.port, 'GET', `/v1/jobs/${id}`, { headers: { authorization: `Bearer ${restarted.token}` } }).then((r) => r.json as Job);
    const problems: string[] = [];
    const done = await again(finished.id);
    if (!isDeepStrictEqual(done, finished)) problems.push(`finished job reads ${JSON.stringify(done)}`);
    for (const job of cutOff) {
      const now = await again(job.id);
      if (now.state !== 'failed' || now.error?.code !== 'INTERRUPTED' || now.error.message !== INTERRUPTED_MESSAGE) problems.push(`cut-off job reads ${JSON.stringify(now)}`);
    }
    if (log.length !== cutOff.length) problems.push(`${log.length} log lines for ${cutOff.length} cut-off jobs: ${JSON.stringify(log)}`);
    return problems;
  } finally {
    await restarted.close();
  }
}

/** Crashes run this many at a time, each with its own server and data folder. */
const AT_ONCE = 3;

describe('a server killed with SIGKILL', () => {
  it(`reports every job it accepted: ${CRASHES} crashes at varied moments under CPU load`, async () => {
    const configDir = tempDir();
    const outputRoot = tempDir();
    const started = performance.now();
    const failures: string[] = [];
    let reported = 0;
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < CRASHES; i = next++) {
        const problems = await crashAndRestart(i, configDir, outputRoot);
        if (problems.length === 0) reported++;
        else failures.push(`crash ${i + 1} (${MOMENTS[i % MOMENTS.length]}): ${problems.join('; ')}`);
      }
    };
    await Promise.all(Array.from({ length: AT_ONCE }, worker));
    const seconds = (performance.now() - started) / 1000;
    console.log(`server crash test: ${reported}/${CRASHES} crashes reported every accepted job, ${seconds.toFixed(1)} s with 2 CPU hogs running`);
    expect(failures).toEqual([]);
    expect(reported).toBe(CRASHES);
  }, 120_000);
});
