// Limits of file names and paths, in the unit file systems count: bytes of UTF-8 (an 80-character
// CJK name is 240 bytes), so a too-long name is refused before any file call fails with
// ENAMETOOLONG, and names the engine derives are cut to fit.
import * as nodePath from 'node:path';
import { sep } from 'node:path';

/** Longest file or folder name (one path component) on Linux and macOS file systems, in bytes. */
export const NAME_MAX_BYTES = 255;

/** Longest path one file call takes, in bytes (PATH_MAX less its NUL: 1024 on macOS, 4096 on Linux). */
export const PATH_MAX_BYTES = process.platform === 'darwin' ? 1023 : 4095;

/** Characters of a path shown in a message, at most. */
const QUOTED_PATH_CHARS = 80;

/** Bytes of `text` in UTF-8. */
export function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * `text` cut to at most `maxBytes` of UTF-8, on a character boundary: never inside a code point,
 * nor between a letter and its accents or the parts of an emoji.
 */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (utf8Length(text) <= maxBytes) return text;
  let kept = '';
  let bytes = 0;
  for (const { segment } of graphemes.segment(text)) {
    const size = utf8Length(segment);
    if (bytes + size > maxBytes) break;
    kept += segment;
    bytes += size;
  }
  return kept;
}

/** The file name `base + suffix`, with `base` cut (on a character boundary) so it fits {@link NAME_MAX_BYTES}. */
export function fitName(base: string, suffix: string): string {
  return truncateUtf8(base, Math.max(0, NAME_MAX_BYTES - utf8Length(suffix))) + suffix;
}

/** A path for a message: control characters (NUL included) escaped, the middle of a long one left out. */
export function shortPath(path: string): string {
  const shown = path.length <= QUOTED_PATH_CHARS ? path : `${path.slice(0, 30)}…${path.slice(-(QUOTED_PATH_CHARS - 31))}`;
  return shown.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * What keeps a path from any file call, checked before one sees it: a NUL byte, a name (component)
 * longer than {@link NAME_MAX_BYTES}, or a whole path longer than `maxBytes`, in UTF-8 bytes.
 *
 * @returns a short reason that follows the path's name ("contains a NUL byte: …"), or undefined when it is fine
 */
export function pathProblem(path: string, maxBytes = PATH_MAX_BYTES): string | undefined {
  if (path.includes('\0')) return `contains a NUL byte: ${shortPath(path)}`;
  for (const name of path.split(sep === '/' ? '/' : /[\\/]/)) {
    const bytes = utf8Length(name);
    if (bytes > NAME_MAX_BYTES) return `has a name of ${bytes} bytes (${shortPath(name)}); a file or folder name may have at most ${NAME_MAX_BYTES} bytes`;
  }
  const bytes = utf8Length(path);
  return bytes > maxBytes ? `is ${bytes} bytes long (${shortPath(path)}); the limit is ${maxBytes} bytes` : undefined;
}

/** The path functions {@link isWithin} needs: `node:path`'s, or `posix` / `win32` for another machine's paths. */
export type PathRules = Pick<typeof nodePath, 'relative' | 'isAbsolute' | 'sep'>;

/**
 * Whether `target` is `root` itself or lies below it, by `rules` (default this machine's; a
 * worker checks a server's paths by the server's). Purely lexical: resolve symlinks first where
 * they matter.
 */
export function isWithin(root: string, target: string, rules: PathRules = nodePath): boolean {
  const rel = rules.relative(root, target);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${rules.sep}`) && !rules.isAbsolute(rel));
}
