import { mkdir, realpath, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { FramewrightError } from '../protocol/index.js';
import { isWithin, NAME_MAX_BYTES, PATH_MAX_BYTES, pathProblem, shortPath } from '../util/names.js';

/** Longest output folder, in bytes: a path limit's worth less room for a file name in it. */
const OUTPUT_DIR_MAX_BYTES = PATH_MAX_BYTES - NAME_MAX_BYTES - 1;

/** Where an operation's outputs go, before anything is created. */
export interface OutputDirPolicy {
  /** The folder `params.outputDir` asked for, if any. */
  readonly requested?: string | undefined;
  /** The folder used when nothing was requested. */
  readonly defaultDir?: string | undefined;
  /** When set, the folder must lie inside it (after resolving symlinks). */
  readonly root?: string | undefined;
}

function isErrno(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}

/**
 * The real path `path` will have once created: symlinks in its longest existing ancestor are
 * resolved, the missing tail is appended as is (it cannot hold `..`: `resolve` removed those).
 */
async function realPathToBe(path: string): Promise<string> {
  const tail: string[] = [];
  let current = path;
  for (;;) {
    try {
      const real = await realpath(current);
      return tail.length === 0 ? real : join(real, ...tail.reverse());
    } catch (error) {
      // ENOTDIR: a file is in the way, which creating the folder reports in its own words.
      if (!isErrno(error, 'ENOENT') && !isErrno(error, 'ENOTDIR')) {
        throw new FramewrightError('OUTPUT_FAILED', `cannot resolve output folder ${shortPath(path)}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, { cause: error });
      }
      const parent = dirname(current);
      if (parent === current) return path;
      tail.push(basename(current));
      current = parent;
    }
  }
}

function pointerOf(policy: OutputDirPolicy): { pointer?: string } {
  return policy.requested === undefined ? {} : { pointer: '/outputDir' };
}

/**
 * Resolves the output folder an operation may write into and checks it against the policy,
 * creating nothing. A relative `requested` folder is taken relative to the root when there is
 * one (so a server's clients name folders inside it), else to the working directory.
 *
 * The path is checked before any file call sees it (a NUL byte, a name over 255 bytes, a path too
 * long for the files written in it), so each op and the CLI refuse it the same short way.
 *
 * @returns the absolute folder, and for a rooted policy the real (symlink-free) root
 * @throws FramewrightError `INVALID_PARAMS` (pointer `/outputDir`) for a path no file call takes,
 *   `OUTPUT_NOT_ALLOWED` when the folder would lie outside the root
 */
export async function resolveOutputDir(policy: OutputDirPolicy): Promise<{ dir: string; realRoot?: string }> {
  const requestedProblem = policy.requested === undefined ? undefined : pathProblem(policy.requested);
  if (requestedProblem !== undefined) throw new FramewrightError('INVALID_PARAMS', `outputDir ${requestedProblem}`, { pointer: '/outputDir' });
  const base = policy.root === undefined ? process.cwd() : resolve(policy.root);
  const dir = resolve(base, policy.requested ?? policy.defaultDir ?? base);
  const problem = pathProblem(dir, OUTPUT_DIR_MAX_BYTES);
  if (problem !== undefined) {
    const why = `output folder ${problem}${problem.startsWith('is ') ? ', leaving room for the names of the files written in it' : ''}`;
    // Only a requested folder is the request's fault; a bad default is this machine's setup.
    throw policy.requested === undefined ? new FramewrightError('OUTPUT_FAILED', why) : new FramewrightError('INVALID_PARAMS', why, pointerOf(policy));
  }
  if (policy.root === undefined) return { dir };
  const realRoot = await realPathToBe(base);
  const realDir = await realPathToBe(dir);
  if (!isWithin(realRoot, realDir)) {
    throw new FramewrightError('OUTPUT_NOT_ALLOWED', `output folder ${shortPath(dir)} is outside the output root ${shortPath(base)}`, pointerOf(policy));
  }
  return { dir, realRoot };
}

/**
 * Resolves, checks and creates the output folder. After creating it the real path is checked
 * again, so a symlink swapped in meanwhile cannot lead outside the root.
 *
 * @returns the absolute output folder
 * @throws FramewrightError `OUTPUT_NOT_ALLOWED` (outside the root) or `OUTPUT_FAILED` (cannot be created)
 */
export async function prepareOutputDir(policy: OutputDirPolicy): Promise<string> {
  const { dir, realRoot } = await resolveOutputDir(policy);
  try {
    await mkdir(dir, { recursive: true });
    if (!(await stat(dir)).isDirectory()) throw new Error('not a folder');
  } catch (error) {
    const why = isErrno(error, 'EEXIST') || isErrno(error, 'ENOTDIR') ? 'a file is in the way' : ((error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error)));
    throw new FramewrightError('OUTPUT_FAILED', `cannot create output folder ${shortPath(dir)}: ${why}`, { cause: error });
  }
  if (realRoot !== undefined && !isWithin(realRoot, await realpath(dir))) {
    throw new FramewrightError('OUTPUT_NOT_ALLOWED', `output folder ${shortPath(dir)} resolves outside the output root`, pointerOf(policy));
  }
  return dir;
}
