import { chmodSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configuredAllowedOrigins, describeConfig, loadOrCreateToken, resolvePaths } from '../src/config/index.js';
import { tempDir } from './engine-fakes.js';

describe('resolvePaths', () => {
  const home = '/home/ada';

  it('follows XDG on Linux, with the usual fallbacks', () => {
    const plain = resolvePaths({ env: {}, platform: 'linux', home });
    expect(plain.configDir).toEqual({ path: '/home/ada/.config/framewright', source: 'default' });
    expect(plain.dataDir.path).toBe('/home/ada/.local/share/framewright');
    expect(plain.outputRoot.path).toBe('/home/ada/Framewright');
    expect(plain.tokenFile).toBe('/home/ada/.config/framewright/token');
    expect(plain.journalDir).toBe('/home/ada/.local/share/framewright/jobs');
    const xdg = resolvePaths({ env: { XDG_CONFIG_HOME: '/cfg', XDG_DATA_HOME: '/data' }, platform: 'linux', home });
    expect([xdg.configDir.path, xdg.dataDir.path]).toEqual(['/cfg/framewright', '/data/framewright']);
    // XDG says relative values are to be ignored.
    expect(resolvePaths({ env: { XDG_CONFIG_HOME: 'rel' }, platform: 'linux', home }).configDir.path).toBe('/home/ada/.config/framewright');
  });

  it('uses Application Support on macOS and APPDATA / LOCALAPPDATA on Windows', () => {
    expect(resolvePaths({ env: {}, platform: 'darwin', home }).configDir.path).toBe('/home/ada/Library/Application Support/Framewright');
    const win = resolvePaths({ env: { APPDATA: '/roaming', LOCALAPPDATA: '/local' }, platform: 'win32', home });
    expect([win.configDir.path, win.dataDir.path]).toEqual([join('/roaming', 'Framewright'), join('/local', 'Framewright')]);
  });

  it('lets FRAMEWRIGHT_* variables override every folder and says so', () => {
    const paths = resolvePaths({ env: { FRAMEWRIGHT_CONFIG_DIR: '/c', FRAMEWRIGHT_DATA_DIR: '/d', FRAMEWRIGHT_OUTPUT_ROOT: '/o' }, platform: 'linux', home });
    expect(paths.configDir).toEqual({ path: '/c', source: 'FRAMEWRIGHT_CONFIG_DIR' });
    expect(paths.dataDir).toEqual({ path: '/d', source: 'FRAMEWRIGHT_DATA_DIR' });
    expect(paths.outputRoot).toEqual({ path: '/o', source: 'FRAMEWRIGHT_OUTPUT_ROOT' });
  });

  it('reads allowed browser Origins from FRAMEWRIGHT_ALLOWED_ORIGINS', () => {
    expect(configuredAllowedOrigins({})).toEqual([]);
    expect(configuredAllowedOrigins({ FRAMEWRIGHT_ALLOWED_ORIGINS: ' http://localhost:3000, https://dock.example ,' })).toEqual(['http://localhost:3000', 'https://dock.example']);
  });

  it('describeConfig lists each path, its source and whether it exists', async () => {
    const dir = tempDir();
    const entries = await describeConfig({ env: { FRAMEWRIGHT_CONFIG_DIR: dir }, platform: 'linux', home: '/nonexistent-home' });
    expect(entries.map((e) => e.name)).toEqual(['config folder', 'bearer token', 'data folder', 'job journal', 'output root']);
    expect(entries[0]).toEqual({ name: 'config folder', path: dir, source: 'FRAMEWRIGHT_CONFIG_DIR', exists: true });
    expect(entries[1]).toMatchObject({ path: join(dir, 'token'), exists: false });
    expect(entries[4]).toMatchObject({ path: '/nonexistent-home/Framewright', source: 'default', exists: false });
  });
});

describe('loadOrCreateToken', () => {
  it('creates 32 random bytes as hex in a 0600 file, and reuses it', async () => {
    const dir = join(tempDir(), 'nested', 'config');
    const token = await loadOrCreateToken(dir);
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(join(dir, 'token')).mode & 0o777).toBe(0o600);
    expect(await loadOrCreateToken(dir)).toBe(token);
    expect(readdirSync(dir)).toEqual(['token']);
  });

  it('is atomic: concurrent first starts agree on one token and leave no temporary files', async () => {
    const dir = tempDir();
    const tokens = await Promise.all(Array.from({ length: 16 }, () => loadOrCreateToken(dir)));
    expect(new Set(tokens).size).toBe(1);
    expect(readdirSync(dir)).toEqual(['token']);
  });

  it('tightens a readable token file to 0600 and keeps a user-chosen token', async () => {
    const dir = tempDir();
    const mine = 'my-own-token-with-enough-characters-1234';
    writeFileSync(join(dir, 'token'), `${mine}\n`, { mode: 0o644 });
    chmodSync(join(dir, 'token'), 0o644);
    expect(await loadOrCreateToken(dir)).toBe(mine);
    expect(statSync(join(dir, 'token')).mode & 0o777).toBe(0o600);
  });

  it('refuses a malformed token file with a message naming it', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'token'), 'short');
    await expect(loadOrCreateToken(dir)).rejects.toThrow(/token file .*token is malformed.*delete it/);
    expect(readFileSync(join(dir, 'token'), 'utf8')).toBe('short');
  });
});
