import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import WebSocket from 'ws';
import { FramewrightClient, WebSocketTransport, type WebSocketConstructor } from '@framewright/core/client';
import { FramewrightError, type OperationName, type OperationParams } from '@framewright/core/protocol';
import { clientEngine, type Engine, type EngineRunOptions } from './engine.js';
import { ADAPTER_VERSION } from './version.js';

/** Environment variable naming the `framewright` command to start (an executable, or a `.js` file run with node). */
export const FRAMEWRIGHT_CLI_ENV = 'FRAMEWRIGHT_CLI';

/** How long a starting engine may take to print its address. */
const START_TIMEOUT_MS = 60_000;
/** How long a stopping engine may take before it is killed. */
const STOP_GRACE_MS = 5_000;

/** The `ws` package's WebSocket, which the SDK client accepts (Node 20 has no global one). */
export const NodeWebSocket = WebSocket as unknown as WebSocketConstructor;

/** Name and version the adapter reports to the engine. */
export const CLIENT_INFO = Object.freeze({ name: 'framewright-obs', version: ADAPTER_VERSION });

/**
 * The argv prefix that runs `framewright`: `FRAMEWRIGHT_CLI` when set, else the bin of the
 * `@framewright/core` installed beside this adapter (run with this Node), else `framewright` on PATH.
 * @throws FramewrightError `OPERATION_UNAVAILABLE` when `FRAMEWRIGHT_CLI` points nowhere
 */
export function framewrightCommand(env: Readonly<Record<string, string | undefined>>): string[] {
  const configured = env[FRAMEWRIGHT_CLI_ENV];
  if (configured !== undefined && configured !== '') {
    if (!existsSync(configured)) throw new FramewrightError('OPERATION_UNAVAILABLE', `${FRAMEWRIGHT_CLI_ENV} is set to ${JSON.stringify(configured)}, but no file exists there`);
    return /\.[cm]?js$/.test(configured) ? [process.execPath, configured] : [configured];
  }
  try {
    const manifest = createRequire(import.meta.url).resolve('@framewright/core/package.json');
    const bin = (JSON.parse(readFileSync(manifest, 'utf8')) as { bin?: Record<string, string> }).bin?.['framewright'];
    if (bin !== undefined) return [process.execPath, join(dirname(manifest), bin)];
  } catch {
    // Not installed beside the adapter: fall back to PATH.
  }
  return ['framewright'];
}

/** What `framewright serve --json --print-token` prints once it listens. */
interface ServeReady {
  readonly wsUrl: string;
  readonly port: number;
  readonly token: string;
  readonly outputRoot: string;
}

/** A `framewright serve` child process and a client connected to it. */
export interface EngineProcess {
  /** The client, connected. */
  readonly client: FramewrightClient;
  /** Port the engine listens on (127.0.0.1). */
  readonly port: number;
  /** The engine's output root. */
  readonly outputRoot: string;
  /** True until the process exits. */
  readonly running: boolean;
  /** Closes the client and stops the process (SIGTERM, then SIGKILL after a grace period). */
  close(): Promise<void>;
}

/** Options of {@link startEngineProcess}. */
export interface EngineProcessOptions {
  /** Output root of the engine: every output must lie inside it. */
  readonly outputRoot: string;
  /** Environment of the engine (config folder, models, ffmpeg…). */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/**
 * Starts `framewright serve` on a free loopback port as a child process and connects to it.
 * The child's stdout must start with the JSON line of `serve --json --print-token`.
 * @throws FramewrightError `OPERATION_UNAVAILABLE` when the command is missing or exits before it listens
 */
export async function startEngineProcess(options: EngineProcessOptions): Promise<EngineProcess> {
  const [command, ...prefix] = framewrightCommand(options.env);
  const args = [...prefix, 'serve', '--port', '0', '--host', '127.0.0.1', '--json', '--print-token', '--output-root', options.outputRoot];
  const child = spawn(command as string, args, { env: { ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => void (stderr = (stderr + chunk).slice(-4000)));
  const exited = new Promise<void>((done) => child.once('close', () => done()));
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const stop = async (): Promise<void> => {
    process.off('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    }
  };
  let ready: ServeReady;
  try {
    ready = await readReady(child, exited, () => stderr);
  } catch (error) {
    await stop();
    throw error;
  }
  const client = new FramewrightClient(() => new WebSocketTransport(ready.wsUrl, { token: ready.token, WebSocket: NodeWebSocket }), {
    clientInfo: { ...CLIENT_INFO },
    reconnect: false,
  });
  try {
    await client.connect();
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    client,
    port: ready.port,
    outputRoot: ready.outputRoot,
    get running() {
      return child.exitCode === null && child.signalCode === null;
    },
    async close() {
      await client.close();
      await stop();
    },
  };
}

async function readReady(child: ChildProcess, exited: Promise<void>, stderr: () => string): Promise<ServeReady> {
  const why = (what: string): FramewrightError => {
    const last = stderr().trim().split('\n').pop()?.replace(/^framewright: /, '');
    return new FramewrightError('OPERATION_UNAVAILABLE', `could not start the Framewright engine (\`framewright serve\`): ${what}${last ? `: ${last}` : ''}`);
  };
  const spawnError = new Promise<never>((_, fail) =>
    child.once('error', (error: NodeJS.ErrnoException) =>
      fail(error.code === 'ENOENT' ? why(`the framewright command was not found: install @framewright/core or set ${FRAMEWRIGHT_CLI_ENV}`) : why(error.message)),
    ),
  );
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const firstLine = new Promise<string>((done) => lines.once('line', done));
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    firstLine,
    spawnError,
    exited.then(() => Promise.reject(why(`it exited with ${child.signalCode ?? `code ${child.exitCode}`}`))),
    new Promise<never>((_, fail) => (timer = setTimeout(() => fail(why(`it did not listen within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS))),
  ]).finally(() => {
    clearTimeout(timer);
    lines.close();
  });
  try {
    const ready = JSON.parse(outcome) as Partial<ServeReady>;
    if (typeof ready.wsUrl === 'string' && typeof ready.token === 'string' && typeof ready.port === 'number' && typeof ready.outputRoot === 'string') return ready as ServeReady;
  } catch {
    // Reported below.
  }
  throw why(`it printed ${JSON.stringify(outcome.slice(0, 200))} instead of its address`);
}

/** The deepest folder of `path` (itself or an ancestor) that exists. */
async function existingFolder(path: string): Promise<string> {
  for (let dir = path; ; dir = dirname(dir)) {
    if (await stat(dir).then((s) => s.isDirectory(), () => false)) return dir;
    if (dirname(dir) === dir) return dir;
  }
}

function inside(path: string, root: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * An engine of the adapter's own: a `framewright serve` child whose output root is the deepest
 * existing folder of the output folder asked for, so it writes where the command was told to
 * and nowhere else. A run whose output lies outside that root gets a new child with a root that
 * holds it. {@link OwnEngine.close} stops the child.
 */
export class OwnEngine implements Engine {
  readonly #env: Readonly<Record<string, string | undefined>>;
  readonly #cwd: string;
  readonly #log: ((line: string) => void) | undefined;
  #current: { root: string; process: Promise<EngineProcess> } | undefined;

  /**
   * An engine that starts its first child on the first run or check.
   * @param env - environment of the engine process
   * @param cwd - folder a missing or relative `outputDir` is resolved against
   * @param log - receives one line each time an engine starts
   */
  constructor(env: Readonly<Record<string, string | undefined>>, cwd: string, log?: (line: string) => void) {
    this.#env = env;
    this.#cwd = cwd;
    this.#log = log;
  }

  /** Runs the operation on a child engine whose output root holds `params.outputDir`. */
  async run<O extends OperationName>(op: O, params: OperationParams<O>, options?: EngineRunOptions<O>) {
    const engine = await this.#engineFor(params);
    return engine.run(op, params, options);
  }

  /** Checks the operation on a child engine whose output root holds `params.outputDir`. */
  async check<O extends OperationName>(op: O, params: OperationParams<O>): Promise<void> {
    const engine = await this.#engineFor(params);
    await engine.check(op, params);
  }

  /** Stops the child engine, if one runs. */
  async close(): Promise<void> {
    const current = this.#current;
    this.#current = undefined;
    if (current !== undefined) await current.process.then((p) => p.close(), () => undefined);
  }

  async #engineFor(params: unknown): Promise<Engine> {
    const requested = (params as { outputDir?: unknown }).outputDir;
    const outputDir = resolve(this.#cwd, typeof requested === 'string' ? requested : '.');
    const current = this.#current;
    if (current !== undefined && inside(outputDir, current.root)) {
      const running = await current.process.catch(() => undefined);
      if (running?.running && running.client.isConnected) return clientEngine(running.client);
    }
    await this.close();
    const root = await existingFolder(outputDir);
    const started = startEngineProcess({ outputRoot: root, env: this.#env });
    this.#current = { root, process: started };
    const engine = await started.catch((error: unknown) => {
      if (this.#current?.process === started) this.#current = undefined;
      throw error;
    });
    this.#log?.(`started an engine for this command (framewright serve on 127.0.0.1:${engine.port}, output root ${engine.outputRoot})`);
    return clientEngine(engine.client);
  }
}
