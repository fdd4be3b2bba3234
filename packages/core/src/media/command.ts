// The one place that builds and runs fluent-ffmpeg commands: tool paths, children that die with
// this process, cancellation (SIGTERM, then SIGKILL after a grace period) and turning ffmpeg's
// stderr into one-line errors.
import ffmpeg from 'fluent-ffmpeg';
import { cancelled, FramewrightError, oneLine } from '../protocol/index.js';
import { boundCommand, resolveTools } from './tools.js';

/** How long a cancelled ffmpeg gets to exit after SIGTERM before it is SIGKILLed. */
export const KILL_GRACE_MS = 1500;

/** A fluent-ffmpeg command bound to the resolved binaries. */
export type FfmpegCommand = ffmpeg.FfmpegCommand;

/**
 * A new fluent-ffmpeg command using the resolved ffmpeg/ffprobe (quiet logging, no stdin).
 * `stderrLines` caps the stderr lines kept for error messages (default: all); a command that logs a
 * line per frame sets it, or a long video's log would be held in memory whole.
 */
export async function newCommand(options: { stderrLines?: number } = {}): Promise<FfmpegCommand> {
  const tools = await resolveTools();
  // fluent-ffmpeg keeps these paths in a module-wide cache; set them each time so a reset takes effect.
  const command = ffmpeg({ stdoutLines: options.stderrLines ?? 0 })
    .setFfmpegPath(tools.ffmpeg.path)
    .setFfprobePath(tools.ffprobe.path)
    .addOption('-hide_banner')
    .addOption('-nostdin')
    .addOption('-loglevel', 'error');
  await bindToThisProcess(command, tools.ffmpeg.path);
  return command;
}

/** The private fluent-ffmpeg hooks every ffmpeg it starts goes through (run, capability queries). */
interface SpawnHooks {
  _getFfmpegPath(callback: (error: Error | null, path: string) => void): void;
  _spawnFfmpeg(args: string[], ...rest: unknown[]): unknown;
}

/**
 * Makes every ffmpeg `command` starts die with this process, even when this process is killed
 * with SIGKILL and no exit hook runs: it is started through the parent-death wrapper of
 * {@link boundCommand} (the exit hook below still covers platforms without one).
 */
async function bindToThisProcess(command: FfmpegCommand, ffmpegPath: string): Promise<void> {
  const probe = await boundCommand(ffmpegPath, []);
  if (!probe.bound) return;
  const hooks = command as unknown as SpawnHooks;
  const spawnFfmpeg = hooks._spawnFfmpeg;
  hooks._getFfmpegPath = (callback) => callback(null, probe.file);
  hooks._spawnFfmpeg = function (this: unknown, args: string[], ...rest: unknown[]) {
    return spawnFfmpeg.call(this, [...probe.args, ...args], ...rest);
  };
}

/** The most telling line of ffmpeg's stderr (the last non-empty one). */
export function lastLine(stderr: string | undefined): string {
  const lines = (stderr ?? '').split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0);
  return lines[lines.length - 1] ?? '';
}

type ChildProcessLike = { pid?: number; exitCode: number | null; signalCode: string | null; kill(sig: NodeJS.Signals): boolean };

// ffmpeg children still running. When this process exits (process.exit from a CLI, say), they are
// killed rather than left decoding for nobody.
const live = new Set<ChildProcessLike>();
let exitHookInstalled = false;
function track(proc: ChildProcessLike): void {
  live.add(proc);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const p of live) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    });
  }
}

/** Handle on a started command, used to cancel it. */
export interface Running {
  /** Process id once ffmpeg started. */
  readonly pid: () => number | undefined;
  /** Resolves when ffmpeg exited (successfully or not). */
  readonly done: Promise<void>;
}

/**
 * Runs `command` until it exits. The `signal` kills the child (SIGTERM, SIGKILL after
 * {@link KILL_GRACE_MS}) and the promise rejects with `CANCELLED` once the process is gone.
 * Failures reject with `FFMPEG_FAILED` naming `what` and ffmpeg's last stderr line.
 */
export function runCommand(command: FfmpegCommand, what: string, signal?: AbortSignal, onStart?: (pid: number | undefined) => void): Running {
  let proc: ChildProcessLike | undefined;
  let stopping = false;
  let killTimer: NodeJS.Timeout | undefined;

  const kill = () => {
    if (proc === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill('SIGTERM');
    killTimer = setTimeout(() => {
      if (proc !== undefined && proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    }, KILL_GRACE_MS);
    killTimer.unref();
  };
  const onAbort = () => {
    stopping = true;
    kill();
  };

  const done = new Promise<void>((resolve, reject) => {
    const finish = (error: Error | undefined, stderr?: string) => {
      signal?.removeEventListener('abort', onAbort);
      if (proc !== undefined) live.delete(proc);
      if (killTimer !== undefined) clearTimeout(killTimer);
      if (stopping || signal?.aborted === true) reject(cancelled(what));
      else if (error === undefined) resolve();
      else if (error instanceof FramewrightError) reject(error);
      else {
        const detail = lastLine(stderr) || oneLine(error.message);
        reject(new FramewrightError('FFMPEG_FAILED', `${what} failed: ${detail}`, { cause: error }));
      }
    };
    command.on('start', () => {
      proc = (command as unknown as { ffmpegProc?: ChildProcessLike }).ffmpegProc;
      if (proc !== undefined) track(proc);
      onStart?.(proc?.pid);
      if (stopping) kill();
    });
    command.on('error', (error: Error, _stdout: string | null, stderr: string | null) => finish(error, stderr ?? undefined));
    command.on('end', () => finish(undefined));
    if (signal?.aborted === true) {
      stopping = true;
      finish(undefined);
      return;
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    command.run();
  });
  return { pid: () => proc?.pid, done };
}
