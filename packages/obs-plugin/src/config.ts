import { chmod, mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { resolvePaths, writeFileAtomic } from '@framewright/core/host';
import { DEFAULT_OBS_URL } from './connection.js';
import { ObsAdapterError } from './errors.js';

/** Environment variable with the obs-websocket URL. */
export const OBS_URL_ENV = 'FRAMEWRIGHT_OBS_URL';
/** Environment variable with the obs-websocket password. */
export const OBS_PASSWORD_ENV = 'FRAMEWRIGHT_OBS_PASSWORD';
/** File name of the adapter's config inside Framewright's config folder. */
export const ADAPTER_CONFIG_FILE = 'obs.json';

/** What the adapter's config file holds. */
export interface AdapterConfig {
  /** obs-websocket URL. */
  readonly url?: string;
  /** obs-websocket password. */
  readonly password?: string;
}

/** Where a setting came from. */
export type SettingSource = 'flag' | 'env' | 'config' | 'default';

/** The connection settings in force, and where each came from. */
export interface ObsSettings {
  /** obs-websocket URL. */
  readonly url: string;
  /** obs-websocket password, if any. */
  readonly password: string | undefined;
  /** Where the URL came from. */
  readonly urlSource: SettingSource;
  /** Where the password came from (`default` means none). */
  readonly passwordSource: SettingSource;
}

/** Path of the adapter's config file: `<Framewright config folder>/obs.json`. */
export function adapterConfigPath(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return join(resolvePaths({ env }).configDir.path, ADAPTER_CONFIG_FILE);
}

/** Checks that a URL is an obs-websocket URL (`ws://` or `wss://`). */
export function checkObsUrl(url: string, from: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ObsAdapterError('BAD_ARGUMENTS', `${from}: ${JSON.stringify(url)} is not a URL (expected e.g. ${DEFAULT_OBS_URL})`);
  }
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') {
    throw new ObsAdapterError('BAD_ARGUMENTS', `${from}: ${url} must start with ws:// or wss:// (expected e.g. ${DEFAULT_OBS_URL})`);
  }
  return url;
}

/**
 * Reads the adapter's config file; a missing file is an empty config.
 * @throws ObsAdapterError `OBS_CONFIG_INVALID` naming the file and the bad field
 */
export async function readAdapterConfig(path: string): Promise<AdapterConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new ObsAdapterError('OBS_CONFIG_INVALID', `cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ObsAdapterError('OBS_CONFIG_INVALID', `${path} is not valid JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ObsAdapterError('OBS_CONFIG_INVALID', `${path} must hold a JSON object like {"url": "${DEFAULT_OBS_URL}", "password": "..."}`);
  }
  const config: { url?: string; password?: string } = {};
  for (const [key, field] of Object.entries(value)) {
    if (key !== 'url' && key !== 'password') throw new ObsAdapterError('OBS_CONFIG_INVALID', `${path}: unknown field ${JSON.stringify(key)} (expected url, password)`);
    if (typeof field !== 'string') throw new ObsAdapterError('OBS_CONFIG_INVALID', `${path}: ${key} must be a string`);
    config[key] = field;
  }
  if (config.url !== undefined) checkObsUrl(config.url, path);
  return config;
}

/** Writes the adapter's config file, readable by this user only (it holds a password). */
export async function writeAdapterConfig(path: string, config: AdapterConfig): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, `${JSON.stringify(config, null, 2)}\n`, 0o600);
  await chmod(path, 0o600);
}

/**
 * Resolves the connection settings: flags win over the environment (`FRAMEWRIGHT_OBS_URL`,
 * `FRAMEWRIGHT_OBS_PASSWORD`), which wins over the adapter's config file, then the default URL.
 */
export async function resolveObsSettings(
  flags: { url?: string | undefined; password?: string | undefined },
  env: Readonly<Record<string, string | undefined>> = process.env,
  configPath: string = adapterConfigPath(env),
): Promise<ObsSettings> {
  const config = await readAdapterConfig(configPath);
  const pick = (flag: string | undefined, envName: string, fromConfig: string | undefined): [string | undefined, SettingSource] => {
    if (flag !== undefined) return [flag, 'flag'];
    const fromEnv = env[envName];
    if (fromEnv !== undefined && fromEnv !== '') return [fromEnv, 'env'];
    if (fromConfig !== undefined) return [fromConfig, 'config'];
    return [undefined, 'default'];
  };
  const [url, urlSource] = pick(flags.url, OBS_URL_ENV, config.url);
  const [password, passwordSource] = pick(flags.password, OBS_PASSWORD_ENV, config.password);
  const from = urlSource === 'flag' ? '--url' : urlSource === 'env' ? OBS_URL_ENV : configPath;
  return { url: url === undefined ? DEFAULT_OBS_URL : checkObsUrl(url, from), password, urlSource, passwordSource };
}
