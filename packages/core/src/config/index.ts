/**
 * Where Framewright keeps its files: the per-user config folder (bearer token), the data
 * folder (job journal) and the output root the server writes under.
 */
import { randomBytes } from 'node:crypto';
import { chmod, link, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { FramewrightError } from '../protocol/index.js';
import { tempPathFor } from '../util/fs.js';

/** One configured path and where its value came from. */
export interface ConfiguredPath {
  /** Absolute path. */
  readonly path: string;
  /** The environment variable that set it, or `default`. */
  readonly source: string;
}

/** Every path Framewright uses. */
export interface FramewrightPaths {
  /** Per-user config folder (`FRAMEWRIGHT_CONFIG_DIR`). */
  readonly configDir: ConfiguredPath;
  /** Per-user data folder (`FRAMEWRIGHT_DATA_DIR`); the job journal lives in its `jobs` folder. */
  readonly dataDir: ConfiguredPath;
  /** Folder the server writes outputs under (`FRAMEWRIGHT_OUTPUT_ROOT`). */
  readonly outputRoot: ConfiguredPath;
  /** The bearer token file, inside the config folder. */
  readonly tokenFile: string;
  /** The job journal folder, inside the data folder. */
  readonly journalDir: string;
}

/** What the path rules depend on; the defaults are this process's. */
export interface PathEnvironment {
  /** Environment variables. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** `process.platform` value. */
  readonly platform?: NodeJS.Platform;
  /** The user's home folder. */
  readonly home?: string;
}

/** Name of the token file inside the config folder. */
export const TOKEN_FILE_NAME = 'token';

function fromEnv(env: PathEnvironment['env'], name: string): ConfiguredPath | undefined {
  const value = env?.[name];
  return value === undefined || value === '' ? undefined : { path: resolve(value), source: name };
}

/**
 * Resolves Framewright's folders following each platform's convention:
 * Linux and others use XDG (`$XDG_CONFIG_HOME/framewright`, `$XDG_DATA_HOME/framewright`, else
 * `~/.config/framewright` and `~/.local/share/framewright`); macOS uses
 * `~/Library/Application Support/Framewright` for both; Windows `%APPDATA%\Framewright` and
 * `%LOCALAPPDATA%\Framewright`. `FRAMEWRIGHT_CONFIG_DIR`, `FRAMEWRIGHT_DATA_DIR` and
 * `FRAMEWRIGHT_OUTPUT_ROOT` override them; the output root defaults to `~/Framewright`.
 *
 * @example
 * ```ts
 * const { configDir, outputRoot } = resolvePaths();
 * console.log(configDir.path, outputRoot.path);
 * ```
 */
export function resolvePaths(environment: PathEnvironment = {}): FramewrightPaths {
  const env = environment.env ?? process.env;
  const platform = environment.platform ?? process.platform;
  const home = environment.home ?? homedir();
  const defaults = (kind: 'config' | 'data'): string => {
    if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'Framewright');
    if (platform === 'win32') {
      const base = kind === 'config' ? env['APPDATA'] : (env['LOCALAPPDATA'] ?? env['APPDATA']);
      return join(base ?? join(home, 'AppData', kind === 'config' ? 'Roaming' : 'Local'), 'Framewright');
    }
    const xdg = env[kind === 'config' ? 'XDG_CONFIG_HOME' : 'XDG_DATA_HOME'];
    // XDG says relative values are invalid and must be ignored.
    if (xdg !== undefined && xdg.startsWith('/')) return join(xdg, 'framewright');
    return kind === 'config' ? join(home, '.config', 'framewright') : join(home, '.local', 'share', 'framewright');
  };
  const configDir = fromEnv(env, 'FRAMEWRIGHT_CONFIG_DIR') ?? { path: defaults('config'), source: 'default' };
  const dataDir = fromEnv(env, 'FRAMEWRIGHT_DATA_DIR') ?? { path: defaults('data'), source: 'default' };
  const outputRoot = fromEnv(env, 'FRAMEWRIGHT_OUTPUT_ROOT') ?? { path: join(home, 'Framewright'), source: 'default' };
  return { configDir, dataDir, outputRoot, tokenFile: join(configDir.path, TOKEN_FILE_NAME), journalDir: join(dataDir.path, 'jobs') };
}

/**
 * Browser Origins the server accepts by default, from `FRAMEWRIGHT_ALLOWED_ORIGINS`
 * (comma-separated exact origins such as `http://localhost:3000`); none when unset.
 */
export function configuredAllowedOrigins(env: Readonly<Record<string, string | undefined>> = process.env): string[] {
  return (env['FRAMEWRIGHT_ALLOWED_ORIGINS'] ?? '').split(',').map((o) => o.trim()).filter((o) => o.length > 0);
}

/** Tokens must be usable inside a `Sec-WebSocket-Protocol` value, so only these characters. */
const TOKEN_PATTERN = /^[A-Za-z0-9._~-]{32,512}$/;

function isErrno(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}

async function readToken(file: string): Promise<string> {
  const token = (await readFile(file, 'utf8')).trim();
  if (!TOKEN_PATTERN.test(token)) {
    throw new FramewrightError('INTERNAL', `token file ${file} is malformed (want 32+ characters of A-Z a-z 0-9 . _ ~ -): delete it to make a new one`);
  }
  if (process.platform !== 'win32' && ((await stat(file)).mode & 0o077) !== 0) await chmod(file, 0o600);
  return token;
}

/**
 * Returns the bearer token stored in `configDir`, creating it on first use: 32 random bytes as
 * hex, file mode 0600. Creation is atomic (written under a temporary name, then hard-linked
 * into place, which fails if another process got there first), so two servers starting at
 * once agree on one token. An existing token is reused; its mode is tightened to 0600.
 *
 * @throws FramewrightError `INTERNAL` when the token file exists but is malformed
 */
export async function loadOrCreateToken(configDir: string): Promise<string> {
  const file = join(configDir, TOKEN_FILE_NAME);
  try {
    return await readToken(file);
  } catch (error) {
    if (!isErrno(error, 'ENOENT')) throw error;
  }
  await mkdir(configDir, { recursive: true, mode: 0o700 });
  const temp = tempPathFor(file);
  try {
    await writeFile(temp, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    await link(temp, file);
  } catch (error) {
    if (!isErrno(error, 'EEXIST')) throw error;
  } finally {
    await rm(temp, { force: true });
  }
  return readToken(file);
}

/** One line of {@link describeConfig}. */
export interface ConfigEntry {
  /** What the path is for. */
  readonly name: string;
  /** Absolute path. */
  readonly path: string;
  /** Where the value came from: an environment variable or `default`. */
  readonly source: string;
  /** Whether it exists yet. */
  readonly exists: boolean;
}

/**
 * Describes every configured path for `framewright doctor`: what it is for, where it is,
 * where the value came from and whether it exists yet.
 */
export async function describeConfig(environment: PathEnvironment = {}): Promise<ConfigEntry[]> {
  const paths = resolvePaths(environment);
  const entries: Array<Omit<ConfigEntry, 'exists'>> = [
    { name: 'config folder', ...paths.configDir },
    { name: 'bearer token', path: paths.tokenFile, source: paths.configDir.source },
    { name: 'data folder', ...paths.dataDir },
    { name: 'job journal', path: paths.journalDir, source: paths.dataDir.source },
    { name: 'output root', ...paths.outputRoot },
  ];
  return Promise.all(
    entries.map(async (e) => ({
      ...e,
      exists: await stat(e.path).then(
        () => true,
        () => false,
      ),
    })),
  );
}
