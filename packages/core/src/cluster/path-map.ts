// Paths across machines: jobs name files as the server's clients see them (`/mnt/studio/...`);
// a worker on another machine maps them to its own mount (`/Volumes/studio/...`) before the run
// and maps the paths of its results back. Only the path fields of an operation's schemas are
// mapped (PathString: strings of at most 4096 characters), never prompts or names.
import { isAbsolute, posix, win32 } from 'node:path';
import { FramewrightError, OPERATIONS, type OperationName } from '../protocol/index.js';
import { pathProblem } from '../util/names.js';

/** One `--path-map REMOTE=LOCAL` entry. */
export interface PathMapping {
  /** The folder as jobs name it (the server's and its clients' view). */
  readonly remote: string;
  /** The same folder on this worker. */
  readonly local: string;
}

/** Longest string the protocol's PathString allows: how path fields are told from other strings. */
const PATH_MAX_LENGTH = 4096;

const trimmed = (p: string): string => (p.length > 1 ? p.replace(/[\\/]+$/, '') : p);

/**
 * Parses `REMOTE=LOCAL` (both absolute).
 * @throws FramewrightError `INVALID_PARAMS` naming what is wrong
 */
export function parsePathMapping(text: string): PathMapping {
  const at = text.indexOf('=');
  const [remote, local] = at < 0 ? [text, ''] : [text.slice(0, at), text.slice(at + 1)];
  const absolute = (p: string) => posix.isAbsolute(p) || win32.isAbsolute(p);
  if (remote === '' || local === '' || !absolute(remote) || !absolute(local)) {
    throw new FramewrightError('INVALID_PARAMS', `--path-map ${JSON.stringify(text)} must be REMOTE=LOCAL with two absolute folders, e.g. /mnt/studio=/Volumes/studio`);
  }
  const problem = pathProblem(local) ?? pathProblem(remote);
  if (problem !== undefined) throw new FramewrightError('INVALID_PARAMS', `--path-map ${JSON.stringify(text)}: a folder ${problem}`);
  return { remote: trimmed(remote), local: trimmed(local) };
}

function under(path: string, root: string): string | undefined {
  if (path === root) return '';
  const sep = root.includes('\\') && !root.includes('/') ? '\\' : '/';
  return path.startsWith(root.endsWith(sep) ? root : root + sep) ? path.slice(root.length).replace(/^[\\/]/, '') : undefined;
}

/** Maps paths one way: each path under a `from` folder becomes the same path under its `to`. */
function mapper(mappings: readonly PathMapping[], from: 'remote' | 'local'): (path: string) => string | undefined {
  const to = from === 'remote' ? 'local' : 'remote';
  // The longest prefix wins, so a map of a sub-folder overrides the map of its parent.
  const sorted = [...mappings].sort((a, b) => b[from].length - a[from].length);
  return (path) => {
    for (const m of sorted) {
      const rest = under(path, m[from]);
      if (rest !== undefined) return rest === '' ? m[to] : `${m[to]}/${rest}`;
    }
    return undefined;
  };
}

type Schema = { type?: string; maxLength?: number; properties?: Record<string, Schema>; items?: Schema; anyOf?: Schema[] };

/**
 * Applies `map` to every path field of `value` by its JSON Schema (the one list of path fields:
 * PathString strings); returns a mapped copy. `map` gets the name of the property the path is in
 * (an array's property for its items), e.g. `input`, `outputDir`, `keyframes`.
 */
function mapFields(schema: Schema, value: unknown, map: (path: string, key: string | undefined) => string, key?: string): unknown {
  if (schema.anyOf !== undefined) return schema.anyOf.reduce((v, branch) => mapFields(branch, v, map, key), value);
  if (schema.type === 'string' && schema.maxLength === PATH_MAX_LENGTH && typeof value === 'string') return map(value, key);
  if (schema.type === 'array' && schema.items !== undefined && Array.isArray(value)) return value.map((v) => mapFields(schema.items!, v, map, key));
  if (schema.type === 'object' && schema.properties !== undefined && typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    for (const [name, sub] of Object.entries(schema.properties)) if (name in out) out[name] = mapFields(sub, out[name], map, name);
    return out;
  }
  return value;
}

/** One path an operation's params name: the property it is in, and the path as the job names it. */
export interface ParamPath {
  /** The property, e.g. `input`, `outputDir`, `keyframes` (an array's property for its items). */
  readonly key: string | undefined;
  /** The path. */
  readonly path: string;
}

/** Every path field of an operation's params, in schema order (the fields {@link PathMap} maps). */
export function paramPaths(op: OperationName, params: unknown): ParamPath[] {
  const found: ParamPath[] = [];
  mapFields(OPERATIONS[op].params as Schema, params, (path, key) => {
    if (!found.some((f) => f.path === path && f.key === key)) found.push({ key, path });
    return path;
  });
  return found;
}

/** A worker's path map: from jobs' paths to this machine's and back. */
export class PathMap {
  readonly #toLocal: (path: string) => string | undefined;
  readonly #toRemote: (path: string) => string | undefined;

  constructor(readonly mappings: readonly PathMapping[] = []) {
    this.#toLocal = mapper(mappings, 'remote');
    this.#toRemote = mapper(mappings, 'local');
  }

  /**
   * A job's path on this machine. Without mappings paths are taken as they are (one machine, or
   * the same mount point everywhere); with them, a path outside every mapped folder is refused,
   * so a job reaches only the shared folders this worker was given.
   * @throws FramewrightError `code` (default `INPUT_NOT_FOUND`) for a path outside the mapped folders
   */
  toLocal(path: string, what = 'path', code: 'INPUT_NOT_FOUND' | 'OUTPUT_NOT_ALLOWED' = 'INPUT_NOT_FOUND'): string {
    if (this.mappings.length === 0) return path;
    // `..` is resolved first, so /mnt/studio/../etc cannot leave the shared folder.
    const mapped = this.#toLocal(posix.isAbsolute(path) ? posix.normalize(path) : path);
    if (mapped === undefined && isAbsolute(path)) {
      throw new FramewrightError(code, `${what} ${path} is not in a folder this worker shares (--path-map ${this.mappings.map((m) => m.remote).join(', ')})`);
    }
    return mapped ?? path;
  }

  /** A path of this machine as jobs name it (unchanged outside the mapped folders). */
  toRemote(path: string): string {
    return this.#toRemote(path) ?? path;
  }

  /** An operation's params with their path fields mapped to this machine. */
  paramsToLocal(op: OperationName, params: unknown): unknown {
    return mapFields(OPERATIONS[op].params as Schema, params, (p) => this.toLocal(p, 'input'));
  }

  /** An operation's result with its path fields mapped back to the jobs' view. */
  resultToRemote(op: OperationName, result: unknown): unknown {
    return mapFields(OPERATIONS[op].result as Schema, result, (p) => this.toRemote(p));
  }

  /** Any JSON value with every string under a mapped folder mapped (`from` → the other side). */
  deep(value: unknown, direction: 'toLocal' | 'toRemote'): unknown {
    const map = direction === 'toLocal' ? this.#toLocal : this.#toRemote;
    if (typeof value === 'string') return map(value) ?? value;
    if (Array.isArray(value)) return value.map((v) => this.deep(v, direction));
    if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.deep(v, direction)]));
    return value;
  }
}
