import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { applySetup, defaultObsConfigDir, planSetup, readAdapterConfig, resolveObsSettings, writeAdapterConfig } from '../src/index.js';
import { IniDocument } from '../src/ini.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function temp(): string {
  const d = mkdtempSync(join(tmpdir(), 'fw-obs-setup-'));
  dirs.push(d);
  return d;
}

const OBS29_GLOBAL = [
  '[General]',
  'Pre19Defaults=false',
  'FirstRun=true',
  'LastVersion=486539266',
  '',
  '[BasicWindow]',
  'DockState=AAAA/wAAAAD9AAAAAw==',
  'ExtraBrowserDocks=[{"title":"Chat","url":"https://example.com/chat?a=b","uuid":"0f1e"}]',
  '',
  '[OBSWebSocket]',
  'FirstLoad=false',
  'ServerEnabled=false',
  'ServerPort=4460',
  'AlertsEnabled=false',
  'AuthRequired=true',
  'ServerPassword=existing-pw',
  '',
].join('\r\n');

describe('IniDocument', () => {
  it('changes only the keys it sets and keeps order, comments and CRLF line endings', () => {
    const doc = IniDocument.parse('; c\r\n[A]\r\nx=1\r\n\r\n[B]\r\ny=2\r\n');
    doc.set('A', 'x', '3');
    doc.set('A', 'z', '4');
    doc.set('C', 'w', '5');
    expect(doc.toString()).toBe('; c\r\n[A]\r\nx=3\r\nz=4\r\n\r\n[B]\r\ny=2\r\n\r\n[C]\r\nw=5\r\n');
    expect(doc.get('B', 'y')).toBe('2');
    expect(doc.get('B', 'x')).toBeUndefined();
  });

  it('keeps values that contain = signs whole', () => {
    expect(IniDocument.parse('[S]\nk=a=b=c\n').get('S', 'k')).toBe('a=b=c');
  });
});

describe('obs setup plan and apply', () => {
  it('enables the websocket keeping the configured port and password, adds the dock, and touches nothing else (OBS 28-30 layout)', async () => {
    const dir = temp();
    writeFileSync(join(dir, 'global.ini'), OBS29_GLOBAL);
    const plan = await planSetup({ obsConfigDir: dir, serverPort: 7878, token: 'tok en' });
    expect(plan.websocket).toEqual({ enabled: true, authRequired: true, port: 4460, password: 'existing-pw' });
    expect(plan.dockUrl).toBe('http://127.0.0.1:7878/dock/#token=tok%20en');
    expect(plan.writes.map((w) => w.path)).toEqual([join(dir, 'global.ini')]);
    expect(plan.writes[0]?.changes).toEqual([
      'global.ini [OBSWebSocket] ServerEnabled: false → true',
      'global.ini [BasicWindow] ExtraBrowserDocks: add dock "Framewright" → http://127.0.0.1:7878/dock/#token=tok%20en',
    ]);
    // Planning writes nothing.
    expect(readFileSync(join(dir, 'global.ini'), 'utf8')).toBe(OBS29_GLOBAL);

    const backups = await applySetup(plan, new Date('2026-11-24T17:05:12Z'));
    expect(backups).toEqual([join(dir, 'global.ini.framewright-backup-20261124T170512')]);
    expect(readFileSync(backups[0] as string, 'utf8')).toBe(OBS29_GLOBAL);
    const written = IniDocument.parse(readFileSync(join(dir, 'global.ini'), 'utf8'));
    expect(written.get('OBSWebSocket', 'ServerEnabled')).toBe('true');
    expect(written.get('General', 'LastVersion')).toBe('486539266');
    expect(written.get('BasicWindow', 'DockState')).toBe('AAAA/wAAAAD9AAAAAw==');
    const docks = JSON.parse(written.get('BasicWindow', 'ExtraBrowserDocks') as string) as { title: string; url: string }[];
    expect(docks.map((d) => [d.title, d.url])).toEqual([
      ['Chat', 'https://example.com/chat?a=b'],
      ['Framewright', 'http://127.0.0.1:7878/dock/#token=tok%20en'],
    ]);
    expect(readFileSync(join(dir, 'global.ini'), 'utf8')).toContain('\r\n');

    // A second run finds nothing to do.
    expect((await planSetup({ obsConfigDir: dir, serverPort: 7878, token: 'tok en' })).writes).toEqual([]);
  });

  it('writes obs-websocket 5.5+ config.json and the dock into user.ini when OBS 31 files exist', async () => {
    const dir = temp();
    writeFileSync(join(dir, 'global.ini'), '[General]\nFirstRun=true\n');
    writeFileSync(join(dir, 'user.ini'), '[BasicWindow]\nGeometry=abc\n');
    mkdirSync(join(dir, 'plugin_config', 'obs-websocket'), { recursive: true });
    const json = join(dir, 'plugin_config', 'obs-websocket', 'config.json');
    writeFileSync(json, JSON.stringify({ alerts_enabled: false, auth_required: false, first_load: false, server_enabled: false, server_password: '', server_port: 4455 }));
    const plan = await planSetup({ obsConfigDir: dir, serverPort: 7900, token: undefined, password: 'chosen' });
    await applySetup(plan);
    expect(JSON.parse(readFileSync(json, 'utf8'))).toEqual({
      alerts_enabled: false,
      auth_required: true,
      first_load: false,
      server_enabled: true,
      server_password: 'chosen',
      server_port: 4455,
    });
    const user = IniDocument.parse(readFileSync(join(dir, 'user.ini'), 'utf8'));
    expect(user.get('BasicWindow', 'Geometry')).toBe('abc');
    expect(user.get('BasicWindow', 'ExtraBrowserDocks')).toContain('http://127.0.0.1:7900/dock/');
    expect(IniDocument.parse(readFileSync(join(dir, 'global.ini'), 'utf8')).get('BasicWindow', 'ExtraBrowserDocks')).toBeUndefined();
    expect(statSync(json).mode & 0o077).toBe(0);
    expect(readdirSync(join(dir, 'plugin_config', 'obs-websocket')).filter((f) => f.includes('framewright-backup'))).toHaveLength(1);
  });

  it('generates a password for a fresh OBS and refuses a broken config.json with a one-line error', async () => {
    const dir = temp();
    const fresh = await planSetup({ obsConfigDir: dir, serverPort: 7878 });
    expect(fresh.websocket.port).toBe(4455);
    expect(fresh.websocket.password).toMatch(/^[A-Za-z0-9_-]{16}$/);
    mkdirSync(join(dir, 'plugin_config', 'obs-websocket'), { recursive: true });
    writeFileSync(join(dir, 'plugin_config', 'obs-websocket', 'config.json'), '{ not json');
    await expect(planSetup({ obsConfigDir: dir, serverPort: 7878 })).rejects.toMatchObject({ code: 'OBS_CONFIG_INVALID', message: expect.stringMatching(/config\.json is not valid JSON/) });
  });

  it('finds the OBS config folder of each platform', async () => {
    expect(await defaultObsConfigDir({ APPDATA: 'C:\\Users\\a\\AppData\\Roaming' }, 'win32', '/h')).toBe(join('C:\\Users\\a\\AppData\\Roaming', 'obs-studio'));
    expect(await defaultObsConfigDir({}, 'darwin', '/Users/a')).toBe('/Users/a/Library/Application Support/obs-studio');
    expect(await defaultObsConfigDir({ XDG_CONFIG_HOME: '/x' }, 'linux', '/h')).toBe('/x/obs-studio');
    const home = temp();
    mkdirSync(join(home, '.var', 'app', 'com.obsproject.Studio', 'config', 'obs-studio'), { recursive: true });
    expect(await defaultObsConfigDir({}, 'linux', home)).toBe(join(home, '.var', 'app', 'com.obsproject.Studio', 'config', 'obs-studio'));
  });
});

describe('connection settings', () => {
  it('takes flags over the environment over the config file over the default', async () => {
    const path = join(temp(), 'obs.json');
    await writeAdapterConfig(path, { url: 'ws://127.0.0.1:4000', password: 'from-config' });
    expect(statSync(path).mode & 0o077).toBe(0);
    expect(await resolveObsSettings({}, {}, path)).toMatchObject({ url: 'ws://127.0.0.1:4000', password: 'from-config', urlSource: 'config' });
    const env = { FRAMEWRIGHT_OBS_URL: 'ws://127.0.0.1:5000', FRAMEWRIGHT_OBS_PASSWORD: 'from-env' };
    expect(await resolveObsSettings({}, env, path)).toMatchObject({ url: 'ws://127.0.0.1:5000', password: 'from-env', passwordSource: 'env' });
    expect(await resolveObsSettings({ url: 'wss://obs.local:1', password: 'p' }, env, path)).toMatchObject({ url: 'wss://obs.local:1', password: 'p', urlSource: 'flag' });
    expect(await resolveObsSettings({}, {}, join(temp(), 'missing.json'))).toEqual({ url: 'ws://127.0.0.1:4455', password: undefined, urlSource: 'default', passwordSource: 'default' });
  });

  it('names the bad value: a non-websocket URL or a malformed config file', async () => {
    await expect(resolveObsSettings({ url: 'http://127.0.0.1:4455' }, {}, join(temp(), 'none.json'))).rejects.toThrow('--url: http://127.0.0.1:4455 must start with ws:// or wss://');
    const path = join(temp(), 'obs.json');
    writeFileSync(path, '{"url": 4455}');
    await expect(readAdapterConfig(path)).rejects.toThrow(`${path}: url must be a string`);
    writeFileSync(path, '{"host": "x"}');
    await expect(readAdapterConfig(path)).rejects.toThrow('unknown field "host"');
  });
});
