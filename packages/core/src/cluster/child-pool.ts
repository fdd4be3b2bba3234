// The job processes of a worker: one per concurrent job, started once and reused, restarted when
// one dies. A slot is a process; a job waits for a free one.
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FramewrightError, type WireError } from '../protocol/index.js';
import type { FromChild, RunRequest, ToChild } from './messages.js';
import type { OutputRecord } from '../util/outputs.js';

/** How long a cancelled run may take to stop before its process is killed. */
const CANCEL_GRACE_MS = 3000;

/** Where the job process's entry is: beside this file in the sources, in dist/cluster once built. */
function childEntry(): string {
  const here = import.meta.url;
  const candidates = here.endsWith('.ts') ? ['./job-child.ts'] : ['./job-child.js', '../cluster/job-child.js', './cluster/job-child.js'];
  for (const candidate of candidates) {
    const path = fileURLToPath(new URL(candidate, here));
    if (existsSync(path)) return path;
  }
  throw new FramewrightError('INTERNAL', `cannot find the worker's job process (job-child) beside ${fileURLToPath(here)}`);
}

/** What a run reports while it goes. */
export interface RunHandlers {
  readonly onProgress: (progress: unknown) => void;
  /** Stores what the run will create; the run waits for it. */
  readonly onOutputs: (record: OutputRecord) => Promise<void>;
}

/** How a run ended. */
export type RunOutcome = { readonly ok: true; readonly result: unknown } | { readonly ok: false; readonly error: WireError };

/** One job process. */
export class JobProcess {
  readonly #child: ChildProcess;
  #run: { id: string; handlers: RunHandlers; done: (outcome: RunOutcome) => void; killTimer?: ReturnType<typeof setTimeout> } | undefined;
  #exited = false;
  readonly exited: Promise<void>;
  #onCapabilities: ((m: Extract<FromChild, { type: 'capabilities' }>) => void) | undefined;

  /** @param entry - the job process's script (tests give a stand-in; default the engine's job-child) */
  constructor(env: NodeJS.ProcessEnv, entry: string = childEntry()) {
    this.#child = fork(entry, [], { env, execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
    this.#child.on('message', (m: FromChild) => this.#receive(m));
    this.exited = new Promise((resolve) => {
      this.#child.once('exit', (code, signal) => {
        this.#exited = true;
        const run = this.#run;
        this.#run = undefined;
        if (run !== undefined) {
          clearTimeout(run.killTimer);
          const how = signal === null ? `with code ${code ?? '?'}` : `on ${signal}`;
          run.done({ ok: false, error: { code: run.killTimer === undefined ? 'INTERNAL' : 'CANCELLED', message: run.killTimer === undefined ? `the worker's job process exited ${how} while running the job` : 'cancelled: the run did not stop in time and its process was killed' } });
        }
        resolve();
      });
    });
    this.#child.on('error', () => undefined);
  }

  /** The process id (its ffmpeg and ONNX work are its children). */
  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** Whether it has exited. */
  get dead(): boolean {
    return this.#exited;
  }

  #send(message: ToChild): void {
    if (!this.#exited && this.#child.connected) this.#child.send(message);
  }

  #receive(m: FromChild): void {
    if (m.type === 'capabilities') {
      this.#onCapabilities?.(m);
      return;
    }
    const run = this.#run;
    if (run === undefined || m.id !== run.id) return;
    if (m.type === 'progress') run.handlers.onProgress(m.progress);
    else if (m.type === 'outputs') {
      void run.handlers.onOutputs(m.record).finally(() => this.#send({ type: 'ack', seq: m.seq }));
    } else {
      clearTimeout(run.killTimer);
      this.#run = undefined;
      run.done(m.type === 'done' ? { ok: true, result: m.result } : { ok: false, error: m.error });
    }
  }

  /** Asks what this machine can run. */
  capabilities(): Promise<Extract<FromChild, { type: 'capabilities' }>> {
    return new Promise((resolve, reject) => {
      this.#onCapabilities = resolve;
      void this.exited.then(() => reject(new FramewrightError('INTERNAL', "the worker's job process exited before it said what it can run")));
      this.#send({ type: 'capabilities' });
    });
  }

  /** Runs one job; resolves with how it ended (never rejects). */
  run(request: RunRequest, handlers: RunHandlers): Promise<RunOutcome> {
    return new Promise((done) => {
      if (this.#exited) {
        done({ ok: false, error: { code: 'INTERNAL', message: "the worker's job process is not running" } });
        return;
      }
      this.#run = { id: request.id, handlers, done };
      this.#send(request);
    });
  }

  /** Cancels the run of job `id`: the run is aborted, and its process killed when it does not stop in time. */
  cancel(id: string): void {
    const run = this.#run;
    if (run === undefined || run.id !== id || run.killTimer !== undefined) return;
    this.#send({ type: 'cancel', id });
    run.killTimer = setTimeout(() => this.#child.kill('SIGKILL'), CANCEL_GRACE_MS);
  }

  /** Ends the process (a run in it is cut off). */
  kill(): Promise<void> {
    this.#child.kill('SIGTERM');
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), CANCEL_GRACE_MS);
    return this.exited.finally(() => clearTimeout(timer));
  }
}

/** A fixed number of job processes; `acquire` waits for a free one, a dead one is replaced. */
export class ChildPool {
  readonly #free: JobProcess[] = [];
  readonly #all = new Set<JobProcess>();
  readonly #waiting: Array<(p: JobProcess) => void> = [];

  constructor(
    readonly size: number,
    private readonly env: NodeJS.ProcessEnv,
    private readonly entry?: string,
  ) {
    for (let i = 0; i < size; i++) this.#free.push(this.#spawn());
  }

  #spawn(): JobProcess {
    const p = new JobProcess(this.env, this.entry);
    this.#all.add(p);
    void p.exited.then(() => this.#all.delete(p));
    return p;
  }

  /** Some process, for questions (capabilities). */
  any(): JobProcess {
    return this.#free[0] ?? [...this.#all][0] ?? this.#spawn();
  }

  /** A free process (waits for one). */
  acquire(): Promise<JobProcess> {
    const p = this.#free.shift();
    if (p !== undefined) return Promise.resolve(p.dead ? this.#spawn() : p);
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  /** Gives a process back (a dead one is replaced). */
  release(p: JobProcess): void {
    const next = p.dead ? this.#spawn() : p;
    const waiter = this.#waiting.shift();
    if (waiter !== undefined) waiter(next);
    else this.#free.push(next);
  }

  /** Ends every process. */
  async close(): Promise<void> {
    await Promise.all([...this.#all].map((p) => p.kill()));
  }
}
