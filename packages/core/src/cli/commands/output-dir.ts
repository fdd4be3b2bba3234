import { rmdir, stat } from 'node:fs/promises';
import { dirname, isAbsolute, relative } from 'node:path';
import { runOperation } from '../../engine/index.js';
import type { OperationName, OperationParams, OperationResult } from '../../protocol/index.js';
import type { CliIo } from '../io.js';
import { ProgressBar } from '../progress.js';

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** `file` relative to `outputDir` when it lies inside it (how summaries list what a run wrote), else as given. */
export function shownPath(outputDir: string, file: string): string {
  const rel = relative(outputDir, file);
  return rel.startsWith('..') || isAbsolute(rel) ? file : rel;
}

/**
 * Runs `work`, which may create the folder `dir` (and missing parents). When `work` fails, the
 * folders it created are removed again if they are still empty, so a bad input leaves no trace.
 * Folders that existed before, and anything with files in it, are never touched.
 */
export async function withCleanOutputDir<T>(dir: string, work: () => Promise<T>): Promise<T> {
  const created: string[] = [];
  for (let d = dir; !(await exists(d)); d = dirname(d)) {
    created.push(d);
    if (dirname(d) === d) break;
  }
  try {
    return await work();
  } catch (error) {
    for (const d of created) {
      // rmdir refuses non-empty folders: that is the safety net.
      if (!(await rmdir(d).then(() => true, () => false))) break;
    }
    throw error;
  }
}

/**
 * Runs an operation in this process the way every CLI command does: a progress bar on a
 * terminal, Ctrl+C cancels (exit 130), folders it created are removed on failure, and errors
 * pass through `nameFlags` so they name the flag the user typed.
 */
export async function runOperationInCli<O extends OperationName>(
  op: O,
  params: OperationParams<O>,
  io: CliIo,
  nameFlags: (error: unknown) => unknown,
): Promise<OperationResult<O>> {
  const controller = new AbortController();
  // After the first Ctrl+C the handler is removed, so a second one kills the process at once.
  const stopListening = io.onInterrupt(() => {
    stopListening();
    controller.abort();
  });
  const bar = new ProgressBar(io.stderr);
  try {
    const outputDir = (params as { outputDir?: string }).outputDir;
    return await withCleanOutputDir(outputDir ?? io.cwd, () =>
      runOperation(op, params, { signal: controller.signal, onProgress: (p) => bar.update(p) }),
    );
  } catch (error) {
    throw nameFlags(error);
  } finally {
    bar.clear();
    stopListening();
  }
}
