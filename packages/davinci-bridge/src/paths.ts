import { fileURLToPath } from 'node:url';
import { posix, win32 } from 'node:path';

/** Operating systems Resolve runs on, named as Node's `process.platform` names them. */
export const RESOLVE_OSES = ['linux', 'darwin', 'win32'] as const;
/** One of {@link RESOLVE_OSES}. */
export type ResolveOs = (typeof RESOLVE_OSES)[number];

/** The Media Pool bin that receives Framewright results (the scripts use the same name). */
export const RESOLVE_BIN_NAME = 'Framewright';

/**
 * Where the scripts go inside a Resolve Scripts folder. Resolve lists the scripts of
 * `Utility/` in Workspace > Scripts on every page; the `Framewright` subfolder becomes a submenu.
 */
export const SCRIPTS_SUBFOLDER = ['Utility', 'Framewright'] as const;

/** The path module whose separators `os` uses, so a dry run on Linux prints real Windows paths. */
export function pathApi(os: ResolveOs): typeof posix {
  return os === 'win32' ? win32 : posix;
}

/**
 * The per-user Scripts folder of DaVinci Resolve on `os`. An environment variable that is not set
 * stays in the path as written (`%APPDATA%`, `$HOME`), so the answer is exact but never invented.
 *
 * @example
 * ```ts
 * defaultScriptsDir('linux', { HOME: '/home/ana' });
 * // '/home/ana/.local/share/DaVinciResolve/Fusion/Scripts'
 * ```
 */
export function defaultScriptsDir(os: ResolveOs, env: NodeJS.ProcessEnv): string {
  switch (os) {
    case 'linux':
      return posix.join(env['HOME'] ?? '$HOME', '.local', 'share', 'DaVinciResolve', 'Fusion', 'Scripts');
    case 'darwin':
      return posix.join(env['HOME'] ?? '$HOME', 'Library', 'Application Support', 'Blackmagic Design', 'DaVinci Resolve', 'Fusion', 'Scripts');
    case 'win32':
      return win32.join(env['APPDATA'] ?? '%APPDATA%', 'Blackmagic Design', 'DaVinci Resolve', 'Support', 'Fusion', 'Scripts');
  }
}

/** The folder of this package that holds the scripts as shipped (`scripts/Framewright`). */
export function shippedScriptsDir(): string {
  // src/ and dist/ both sit one level below the package root.
  return fileURLToPath(new URL('../scripts/Framewright/', import.meta.url));
}
