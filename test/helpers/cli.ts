// Running the `framewright` CLI in tests: in-process through main() with captured streams (fast,
// runs the sources), or as the real built bin in a child process (for exit codes, signals and
// what a user's shell sees).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { captureIo as captureCliIo, type CapturedIo } from '../../packages/core/test/helpers/captured-io.js';

const root = resolve(import.meta.dirname, '..', '..');
const core = join(root, 'packages', 'core');
/** The real `framewright` bin. */
export const BIN = join(core, 'bin', 'framewright.js');

export type { CapturedIo };

/**
 * Captured streams (packages/core/test/helpers/captured-io.ts) with this machine's PATH and HOME;
 * `tty` makes stderr look like a terminal (progress bars are drawn).
 */
export function captureIo(cwd: string, options: { env?: Record<string, string | undefined>; tty?: boolean } = {}): CapturedIo {
  return captureCliIo(cwd, { env: { PATH: process.env['PATH'], HOME: process.env['HOME'], ...options.env }, tty: options.tty === true });
}

function newest(dir: string): number {
  return Math.max(...readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((f) => statSync(join(dir, f)).mtimeMs));
}

/**
 * Builds `@framewright/core` when its dist is missing or older than its sources, one build at a
 * time across test files (a lock folder), so tests of the built output test the current code.
 */
export async function ensureBuilt(entries: readonly string[] = ['cli/main.js', 'client/index.js', 'protocol/index.js']): Promise<void> {
  const lock = join(tmpdir(), 'framewright-core-build.lock');
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch {
      const age = Date.now() - (await stat(lock).then((s) => s.mtimeMs, () => Date.now()));
      if (age > 300_000) await rm(lock, { recursive: true, force: true });
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    const sources = newest(join(core, 'src'));
    const stale = entries.some((e) => !existsSync(join(core, 'dist', e)) || statSync(join(core, 'dist', e)).mtimeMs < sources);
    if (stale) await promisify(execFile)('npm', ['run', 'build', '-w', '@framewright/core'], { cwd: root, maxBuffer: 1 << 24 });
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

/** What a finished child process left. */
export interface BinResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts the built bin with the Node that runs the tests. */
export function spawnBin(args: readonly string[], options: { cwd: string; env?: Record<string, string | undefined> }): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], { cwd: options.cwd, env: { ...process.env, FRAMEWRIGHT_DEBUG: '', ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Runs the built bin to completion. */
export function runBin(args: readonly string[], options: { cwd: string; env?: Record<string, string | undefined> }): Promise<BinResult> {
  const child = spawnBin(args, options);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolveRun, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolveRun({ code, signal, stdout, stderr }));
  });
}
