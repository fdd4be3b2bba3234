// Finds ffmpeg and ffprobe. Order: FFMPEG_PATH / FFPROBE_PATH (when set, they win and are the only
// candidate, so a typo is reported instead of silently using another binary; without FFPROBE_PATH
// the ffprobe beside FFMPEG_PATH comes first), then PATH, then the binaries shipped by the optional
// @ffmpeg-installer/@ffprobe-installer packages.
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { FramewrightError, oneLine } from '../protocol/index.js';

/** Where a tool was found. */
export type ToolSource = 'env' | 'path' | 'bundled';

/** One resolved tool. */
export interface ResolvedTool {
  /** Executable path (or bare name resolved through PATH). */
  readonly path: string;
  /** Which resolution step found it. */
  readonly source: ToolSource;
  /** Version string as the tool reports it, e.g. `5.1.9-0+deb12u1`. */
  readonly version: string;
}

/** ffmpeg and ffprobe as resolved for this process. */
export interface ToolInfo {
  /** The ffmpeg binary. */
  readonly ffmpeg: ResolvedTool;
  /** The ffprobe binary. */
  readonly ffprobe: ResolvedTool;
}

type ToolName = 'ffmpeg' | 'ffprobe';

interface Candidate {
  readonly path: string;
  readonly source: ToolSource;
  readonly label: string;
}

const ENV_VAR: Record<ToolName, string> = { ffmpeg: 'FFMPEG_PATH', ffprobe: 'FFPROBE_PATH' };
const INSTALLER: Record<ToolName, string> = { ffmpeg: '@ffmpeg-installer/ffmpeg', ffprobe: '@ffprobe-installer/ffprobe' };

function readVersion(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(path, ['-hide_banner', '-version'], { timeout: 15_000, windowsHide: true }, (error, stdout) => {
      if (error) {
        reject(error);
        return;
      }
      const match = /version\s+(\S+)/.exec(stdout);
      if (match?.[1] === undefined) reject(new Error('no version in its -version output'));
      else resolve(match[1]);
    });
  });
}

// The installer packages are optional dependencies and throw on unsupported platforms, so they are
// loaded lazily and any failure just means "not bundled here".
function bundledPath(tool: ToolName): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    const mod = require(INSTALLER[tool]) as { path?: unknown };
    return typeof mod.path === 'string' ? mod.path : undefined;
  } catch {
    return undefined;
  }
}

function candidates(tool: ToolName): Candidate[] {
  const fromEnv = process.env[ENV_VAR[tool]];
  if (fromEnv !== undefined && fromEnv !== '') return [{ path: fromEnv, source: 'env', label: `${ENV_VAR[tool]}=${fromEnv}` }];
  const list: Candidate[] = [];
  // Users often set only FFMPEG_PATH; the ffprobe of the same build usually sits beside it.
  const ffmpegFromEnv = process.env[ENV_VAR.ffmpeg];
  if (tool === 'ffprobe' && ffmpegFromEnv !== undefined && ffmpegFromEnv !== '' && isAbsolute(ffmpegFromEnv)) {
    const sibling = join(dirname(ffmpegFromEnv), basename(ffmpegFromEnv).replace(/ffmpeg/i, 'ffprobe'));
    if (sibling !== ffmpegFromEnv) list.push({ path: sibling, source: 'env', label: `${sibling} (beside FFMPEG_PATH)` });
  }
  list.push({ path: tool, source: 'path', label: `${tool} on PATH` });
  const bundled = bundledPath(tool);
  list.push(bundled === undefined
    ? { path: '', source: 'bundled', label: `${INSTALLER[tool]} (not installed)` }
    : { path: bundled, source: 'bundled', label: `${INSTALLER[tool]} (${bundled})` });
  return list;
}

async function resolveTool(tool: ToolName): Promise<ResolvedTool> {
  const tried: string[] = [];
  for (const c of candidates(tool)) {
    if (c.path === '') {
      tried.push(c.label);
      continue;
    }
    try {
      return { path: c.path, source: c.source, version: await readVersion(c.path) };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      tried.push(`${c.label} (${typeof code === 'string' ? code : oneLine(String((error as Error).message ?? error))})`);
    }
  }
  throw new FramewrightError('FFMPEG_NOT_FOUND', `${tool} not found: tried ${tried.join(', ')}; install ffmpeg or set ${ENV_VAR[tool]}`);
}

let cached: Promise<ToolInfo> | undefined;

/**
 * Resolves ffmpeg and ffprobe once per process (see the module comment for the order) and reports
 * where each came from and its version. Rejects with `FFMPEG_NOT_FOUND` naming every place tried.
 *
 * @example
 * ```ts
 * const { ffmpeg } = await resolveTools();
 * console.log(`${ffmpeg.path} (${ffmpeg.source}) ${ffmpeg.version}`);
 * ```
 */
export function resolveTools(): Promise<ToolInfo> {
  if (cached === undefined) {
    const attempt = Promise.all([resolveTool('ffmpeg'), resolveTool('ffprobe')]).then(([ffmpeg, ffprobe]) => ({ ffmpeg, ffprobe }));
    cached = attempt;
    // A failure is not cached: the user may install ffmpeg or fix the variable and retry.
    attempt.catch(() => {
      if (cached === attempt) cached = undefined;
    });
  }
  return cached;
}

/** Where util-linux's `setpriv` is looked for. */
const SETPRIV_PATHS = ['/usr/bin/setpriv', '/bin/setpriv'];

let setpriv: Promise<string | undefined> | undefined;

/**
 * Forgets what media found of this machine's programs - ffmpeg and ffprobe, and whether
 * `setpriv` binds children - so the next use looks again (after the environment changed).
 */
export function resetTools(): void {
  cached = undefined;
  setpriv = undefined;
}

/** A `setpriv` that runs a program with a parent-death signal, checked once per process; Linux only. */
function parentDeathWrapper(): Promise<string | undefined> {
  setpriv ??= (async () => {
    if (process.platform !== 'linux') return undefined;
    for (const path of SETPRIV_PATHS) {
      const works = await new Promise<boolean>((resolve) => {
        execFile(path, ['--pdeathsig', 'KILL', '--', process.execPath, '-e', ''], { timeout: 15_000 }, (error) => resolve(error === null));
      });
      if (works) return path;
    }
    return undefined;
  })();
  return setpriv;
}

/** How to start a child so it cannot outlive this process. */
export interface BoundCommand {
  /** The program to start (`setpriv` where it binds the child, else the program itself). */
  readonly file: string;
  /** Its arguments. */
  readonly args: readonly string[];
  /** Whether the child is bound: it gets SIGKILL when this process dies, even by SIGKILL. */
  readonly bound: boolean;
}

/**
 * The command line that starts `file` with `args` so that it dies with this process. On Linux
 * it runs under `setpriv --pdeathsig KILL` (util-linux), which has the kernel kill the child
 * when this process ends however it ends; elsewhere, or without setpriv, it is the command as
 * given, and only the exit hook of ./command.ts stops children (not a SIGKILL of this process).
 */
export async function boundCommand(file: string, args: readonly string[]): Promise<BoundCommand> {
  const wrapper = await parentDeathWrapper();
  return wrapper === undefined ? { file, args, bound: false } : { file: wrapper, args: ['--pdeathsig', 'KILL', '--', file, ...args], bound: true };
}
