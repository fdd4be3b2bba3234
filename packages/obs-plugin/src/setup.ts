import { randomBytes, randomUUID } from 'node:crypto';
import { copyFile, mkdir, readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '@framewright/core/host';
import { ObsAdapterError } from './errors.js';
import { IniDocument } from './ini.js';

/** The port obs-websocket uses by default. */
export const DEFAULT_OBS_WEBSOCKET_PORT = 4455;
/** Title of the Custom Browser Dock that setup registers. */
export const DOCK_TITLE = 'Framewright';

/** obs-websocket's server settings. */
export interface WebSocketSettings {
  readonly enabled: boolean;
  readonly port: number;
  readonly authRequired: boolean;
  readonly password: string;
}

/** Where OBS keeps the files setup reads and writes. */
export interface ObsConfigFiles {
  /** OBS's config folder (`obs-studio`). */
  readonly dir: string;
  /** `global.ini`: obs-websocket settings up to obs-websocket 5.4 (OBS 28–30); migrated from by 5.5+. */
  readonly globalIni: string;
  /** `user.ini`: the user's window settings, including browser docks, from OBS 31 on. */
  readonly userIni: string;
  /** `plugin_config/obs-websocket/config.json`: obs-websocket 5.5+ (OBS 31+) settings. */
  readonly websocketJson: string;
}

/** One file setup will write, with the keys it changes. */
export interface PlannedFile {
  readonly path: string;
  /** Human-readable `key: old → new` lines. */
  readonly changes: readonly string[];
  /** The new content. */
  readonly content: string;
  /** True when the file exists (it is backed up before it is replaced). */
  readonly exists: boolean;
}

/** What `framewright obs setup` will do. */
export interface SetupPlan {
  readonly files: ObsConfigFiles;
  /** The websocket settings OBS will have. */
  readonly websocket: WebSocketSettings;
  /** URL of the dock page served by `framewright serve`. */
  readonly dockUrl: string;
  /** Files to write (only those whose content changes). */
  readonly writes: readonly PlannedFile[];
}

/**
 * OBS's config folder on this platform: `%APPDATA%\obs-studio` on Windows,
 * `~/Library/Application Support/obs-studio` on macOS, `$XDG_CONFIG_HOME/obs-studio` (or
 * `~/.config/obs-studio`) on Linux, or the Flatpak's folder when only that one exists.
 */
export async function defaultObsConfigDir(
  env: Readonly<Record<string, string | undefined>> = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): Promise<string> {
  if (platform === 'win32') return join(env['APPDATA'] ?? join(home, 'AppData', 'Roaming'), 'obs-studio');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'obs-studio');
  const xdg = env['XDG_CONFIG_HOME'];
  const native = join(xdg !== undefined && xdg.startsWith('/') ? xdg : join(home, '.config'), 'obs-studio');
  const flatpak = join(home, '.var', 'app', 'com.obsproject.Studio', 'config', 'obs-studio');
  return (await exists(native)) || !(await exists(flatpak)) ? native : flatpak;
}

/** The files setup deals with inside an OBS config folder. */
export function obsConfigFiles(dir: string): ObsConfigFiles {
  return {
    dir,
    globalIni: join(dir, 'global.ini'),
    userIni: join(dir, 'user.ini'),
    websocketJson: join(dir, 'plugin_config', 'obs-websocket', 'config.json'),
  };
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ObsAdapterError('OBS_CONFIG_INVALID', `cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
}

function parseJsonObject(path: string, text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ObsAdapterError('OBS_CONFIG_INVALID', `${path} is not valid JSON: fix or remove it, OBS rewrites it on start`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ObsAdapterError('OBS_CONFIG_INVALID', `${path} does not hold a JSON object`);
  return value as Record<string, unknown>;
}

function portOf(value: unknown): number | undefined {
  const port = typeof value === 'string' ? Number(value) : value;
  return typeof port === 'number' && Number.isInteger(port) && port > 0 && port < 65536 ? port : undefined;
}

/** The dock page URL for a server port and token (the token travels in the fragment, which browsers never send). */
export function dockUrl(serverPort: number, token: string | undefined): string {
  const base = `http://127.0.0.1:${serverPort}/dock/`;
  return token === undefined ? base : `${base}#token=${encodeURIComponent(token)}`;
}

function change(label: string, before: string | undefined, after: string, secret = false): string | undefined {
  if (before === after) return undefined;
  const show = (v: string | undefined): string => (v === undefined ? '(unset)' : secret ? '(hidden)' : v);
  return `${label}: ${show(before)} → ${show(after)}`;
}

/** A new random obs-websocket password (16 URL-safe characters). */
export function newObsPassword(): string {
  return randomBytes(12).toString('base64url');
}

/** Options of {@link planSetup}. */
export interface SetupOptions {
  /** OBS's config folder. */
  readonly obsConfigDir: string;
  /** obs-websocket port to set (default: the configured one, else 4455). */
  readonly port?: number | undefined;
  /** obs-websocket password to set (default: the configured one, else {@link SetupOptions.newPassword}). */
  readonly password?: string | undefined;
  /**
   * The password to set when OBS has none (default: a new random one). `framewright obs setup`
   * passes the one its dry run proposed, so showing the plan and applying it agree.
   */
  readonly newPassword?: string | undefined;
  /** Port of `framewright serve` (for the dock URL). */
  readonly serverPort: number;
  /** The server's bearer token, if known (it is put in the dock URL's fragment). */
  readonly token?: string | undefined;
}

/**
 * Works out what OBS needs, reading its current settings and changing nothing: obs-websocket
 * enabled with authentication (settings kept where already set), and the Framewright dock
 * registered as a Custom Browser Dock.
 */
export async function planSetup(options: SetupOptions): Promise<SetupPlan> {
  const files = obsConfigFiles(options.obsConfigDir);
  const globalText = await readText(files.globalIni);
  const userText = await readText(files.userIni);
  const jsonText = await readText(files.websocketJson);
  const globalIni = IniDocument.parse(globalText ?? '');
  const json = jsonText === undefined ? undefined : parseJsonObject(files.websocketJson, jsonText);

  const section = 'OBSWebSocket';
  const currentPort = portOf(json?.['server_port']) ?? portOf(globalIni.get(section, 'ServerPort'));
  const currentPassword = (typeof json?.['server_password'] === 'string' ? json['server_password'] : undefined) ?? globalIni.get(section, 'ServerPassword');
  const websocket: WebSocketSettings = {
    enabled: true,
    authRequired: true,
    port: options.port ?? currentPort ?? DEFAULT_OBS_WEBSOCKET_PORT,
    password: options.password ?? (currentPassword ? currentPassword : (options.newPassword ?? newObsPassword())),
  };
  const url = dockUrl(options.serverPort, options.token);
  const writes: PlannedFile[] = [];

  // global.ini is read by every obs-websocket 5.x; 5.5+ migrates its values into config.json.
  const globalChanges: (string | undefined)[] = [];
  const setIni = (doc: IniDocument, file: string, sec: string, key: string, value: string, into: (string | undefined)[], secret = false): void => {
    into.push(change(`${file} [${sec}] ${key}`, doc.get(sec, key), value, secret));
    doc.set(sec, key, value);
  };
  setIni(globalIni, 'global.ini', section, 'FirstLoad', 'false', globalChanges);
  setIni(globalIni, 'global.ini', section, 'ServerEnabled', 'true', globalChanges);
  setIni(globalIni, 'global.ini', section, 'ServerPort', String(websocket.port), globalChanges);
  setIni(globalIni, 'global.ini', section, 'AuthRequired', 'true', globalChanges);
  setIni(globalIni, 'global.ini', section, 'ServerPassword', websocket.password, globalChanges, true);

  // Browser docks live in user.ini from OBS 31 on, in global.ini before.
  const dockInUserIni = userText !== undefined;
  const dockDoc = dockInUserIni ? IniDocument.parse(userText) : globalIni;
  const dockFile = dockInUserIni ? 'user.ini' : 'global.ini';
  const dockChanges: (string | undefined)[] = dockInUserIni ? [] : globalChanges;
  const before = dockDoc.get('BasicWindow', 'ExtraBrowserDocks');
  let docks: { title?: unknown; url?: unknown; uuid?: unknown }[] = [];
  if (before) {
    try {
      const parsed: unknown = JSON.parse(before);
      if (Array.isArray(parsed)) docks = parsed as typeof docks;
    } catch {
      throw new ObsAdapterError('OBS_CONFIG_INVALID', `${dockFile} [BasicWindow] ExtraBrowserDocks is not valid JSON: remove the line or fix it`);
    }
  }
  const ours = docks.find((d) => d.title === DOCK_TITLE);
  if (ours?.url !== url) {
    const others = docks.filter((d) => d.title !== DOCK_TITLE);
    const uuid = typeof ours?.uuid === 'string' ? ours.uuid : randomUUID().replaceAll('-', '');
    dockChanges.push(`${dockFile} [BasicWindow] ExtraBrowserDocks: ${ours ? 'update' : 'add'} dock "${DOCK_TITLE}" → ${url}`);
    dockDoc.set('BasicWindow', 'ExtraBrowserDocks', JSON.stringify([...others, { title: DOCK_TITLE, url, uuid }]));
  }

  const push = (path: string, changes: (string | undefined)[], content: string, existed: boolean): void => {
    const lines = changes.filter((c): c is string => c !== undefined);
    if (lines.length > 0) writes.push({ path, changes: lines, content, exists: existed });
  };
  push(files.globalIni, globalChanges, globalIni.toString(), globalText !== undefined);
  if (dockInUserIni) push(files.userIni, dockChanges, dockDoc.toString(), true);
  if (json) {
    const next = { ...json, first_load: false, server_enabled: true, server_port: websocket.port, auth_required: true, server_password: websocket.password };
    const text = (v: unknown): string | undefined => (v === undefined ? undefined : String(v));
    const jsonChanges = [
      change('config.json server_enabled', text(json['server_enabled']), 'true'),
      change('config.json server_port', text(json['server_port']), String(websocket.port)),
      change('config.json auth_required', text(json['auth_required']), 'true'),
      change('config.json server_password', text(json['server_password']), websocket.password, true),
    ];
    push(files.websocketJson, jsonChanges, `${JSON.stringify(next, null, 4)}\n`, true);
  }
  return { files, websocket, dockUrl: url, writes };
}

/** A timestamp for backup names, e.g. `20261124T170512`. */
function stamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, '');
}

/**
 * Writes the planned files, each existing one first copied to `<name>.framewright-backup-<time>`.
 * OBS must be closed: it rewrites global.ini and user.ini when it exits.
 * @returns the backup paths
 */
export async function applySetup(plan: SetupPlan, now: Date = new Date()): Promise<string[]> {
  const backups: string[] = [];
  for (const file of plan.writes) {
    if (file.exists) {
      const backup = `${file.path}.framewright-backup-${stamp(now)}`;
      await copyFile(file.path, backup);
      backups.push(backup);
    }
  }
  for (const file of plan.writes) {
    await mkdir(join(file.path, '..'), { recursive: true });
    // obs-websocket's file holds the password: keep it private like OBS does.
    await writeFileAtomic(file.path, file.content, file.path === plan.files.websocketJson || file.path === plan.files.globalIni ? 0o600 : 0o644);
  }
  return backups;
}

/** Step-by-step instructions with the menu names of OBS 28 to 31. */
export function setupInstructions(plan: SetupPlan): string {
  const ws = plan.websocket;
  return [
    'In OBS Studio 28 to 31:',
    `  1. Tools > WebSocket Server Settings: tick "Enable WebSocket server", Server Port ${ws.port},`,
    '     tick "Enable Authentication" and set the password ("Show Connect Info" shows it). OK.',
    '  2. Start the engine in a terminal and leave it running:  framewright serve',
    '  3. Add the dock: Docks > Custom Browser Docks… (OBS 30 and 31) or',
    '     View > Docks > Custom Browser Docks… (OBS 28 and 29).',
    `     Dock Name: ${DOCK_TITLE}   URL: ${plan.dockUrl}   then Apply.`,
    '     (Browser docks need an OBS build with browser support: the official Windows/macOS builds,',
    '     the Flatpak or the OBS PPA on Linux; Debian’s own obs-studio package has none.)',
    '  4. Auto-clip every recording into a scene:  framewright obs watch',
  ].join('\n');
}
