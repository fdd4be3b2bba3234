// Helpers for the crash tests: a server in a child process that can be SIGKILLed, started fast.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { build } from 'esbuild';

const CHILD = join(import.meta.dirname, 'server-crash-child.ts');
const REPO = join(import.meta.dirname, '..', '..', '..');

// The fake-operation child runs no model, so its ML libraries are inert stand-ins: without them
// it starts in ~0.3 s instead of ~1 s, which is what lets a test crash it thirty times. Any use
// of one returns the stand-in again, so loading the modules that import them works unchanged.
const INERT = `
const inert = () => stub;
const stub = new Proxy(function () {}, { get: (_, key) => (key === 'then' ? undefined : stub), apply: inert, construct: inert });
const names = new Proxy({}, { get: (_, key) => (key === 'then' ? undefined : stub) });
module.exports = new Proxy(function () {}, { get: (_, key) => (key === 'then' ? undefined : stub), apply: inert, construct: inert, getPrototypeOf: () => names });
`;

/**
 * Bundles server-crash-child.ts (sources as they are now) into one file that plain `node` runs,
 * with the ML libraries replaced by inert stand-ins. It lies under node_modules so the other
 * packages it imports resolve.
 */
export async function bundleFakeCrashChild(): Promise<string> {
  const dir = join(REPO, 'node_modules', '.cache', 'framewright-tests');
  mkdirSync(dir, { recursive: true });
  const outfile = join(dir, `server-crash-child-${process.pid}.mjs`);
  await build({
    entryPoints: [CHILD],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    logLevel: 'error',
    plugins: [
      {
        name: 'inert-ml-libraries',
        setup(b) {
          b.onResolve({ filter: /^(@tensorflow\/tfjs(-backend-wasm)?|onnxruntime-node|protobufjs)$/ }, (a) => ({ path: a.path, namespace: 'inert' }));
          b.onLoad({ filter: /.*/, namespace: 'inert' }, () => ({ contents: INERT, loader: 'js' }));
        },
      },
    ],
  });
  return outfile;
}

/** A server running in a child process. */
export interface ChildServer {
  readonly child: ChildProcess;
  readonly port: number;
  readonly token: string;
  readonly pid: number;
  /** Resolves once the child has exited (and was reaped). */
  readonly exited: Promise<void>;
  /** Authorization and content type headers for its HTTP API. */
  readonly headers: Record<string, string>;
}

/**
 * Starts server-crash-child.ts: `bundle` (from {@link bundleFakeCrashChild}) with plain node, or
 * the sources through tsx for the `real` mode.
 */
export async function startChildServer(dirs: { configDir: string; dataDir: string; outputRoot: string }, options: { bundle?: string; real?: boolean } = {}): Promise<ChildServer> {
  const entry = options.bundle === undefined ? ['--import', 'tsx', CHILD] : [options.bundle];
  const child = spawn(process.execPath, [...entry, dirs.configDir, dirs.dataDir, dirs.outputRoot, ...(options.real === true ? ['real'] : [])], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const first = await createInterface({ input: child.stdout! })[Symbol.asyncIterator]().next();
  if (first.done === true) throw new Error('the child server exited before it printed its port');
  const { port, token, pid } = JSON.parse(String(first.value)) as { port: number; token: string; pid: number };
  return { child, port, token, pid, exited, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } };
}

/** Starts `count` processes that spin on a CPU each; kill them when done. */
export function cpuHogs(count: number): ChildProcess[] {
  return Array.from({ length: count }, () => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
}
