import { rmdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
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
