// The install the guides give: `npm pack` of every package, the tarballs installed together with
// `npm install -g` (here into a temporary prefix), puts a working `framewright` on PATH, and the
// Lua example finds it there with no environment variable set. The tarballs' dependencies come
// from npm's cache where it has them, else from the registry (--prefer-offline).
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from './helpers/cli.js';
import { makeVideo } from './helpers/media.js';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'fw-install-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** An environment without Framewright's variables, as a new user's shell has. */
function userEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined && !key.startsWith('FRAMEWRIGHT_') && !key.startsWith('npm_')) env[key] = value;
  return { ...env, ...extra };
}

describe('installing the packed release', () => {
  it('npm pack + npm install -g of the tarballs gives a framewright on PATH that runs, without npm warnings, and the Lua example finds it', async () => {
    await ensureBuilt();
    const pack = join(work, 'pack');
    const prefix = join(work, 'prefix');
    const home = join(work, 'home');
    mkdirSync(pack);
    mkdirSync(home);
    const env = userEnv({ HOME: home, npm_config_cache: join(process.env['HOME'] ?? home, '.npm') });
    await run('npm', ['pack', '--workspaces', '--pack-destination', pack, '--silent'], { cwd: root, env });
    const tarballs = readdirSync(pack).sort();
    expect(tarballs).toEqual(['framewright-core-0.1.0.tgz', 'framewright-davinci-bridge-0.1.0.tgz', 'framewright-obs-plugin-0.1.0.tgz', 'framewright-premiere-uxp-0.1.0.tgz']);

    // As docs/getting-started.md gives it (ONNXRUNTIME_NODE_INSTALL=skip: no CUDA download).
    const guide = readFileSync(join(root, 'docs', 'getting-started.md'), 'utf8');
    expect(guide).toContain('npm pack --workspaces --pack-destination release\nONNXRUNTIME_NODE_INSTALL=skip npm install -g release/framewright-*.tgz\nframewright --version\n');
    const install = await run('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', ...tarballs.map((t) => join(pack, t))], {
      cwd: work,
      env: { ...env, ONNXRUNTIME_NODE_INSTALL: 'skip' },
      maxBuffer: 16 * 2 ** 20,
    });
    expect(install.stderr + install.stdout).not.toMatch(/Unknown (project|env|user|cli) config/);

    const bin = join(prefix, 'bin');
    const path = `${bin}:${process.env['PATH'] ?? ''}`;
    const version = JSON.parse(readFileSync(join(root, 'packages', 'core', 'package.json'), 'utf8')) as { version: string };
    const shown = await run('framewright', ['--version'], { cwd: work, env: { ...env, PATH: path } });
    expect(shown.stdout.trim()).toBe(version.version);
    const obs = await run('framewright', ['obs', '--help'], { cwd: work, env: { ...env, PATH: path } });
    expect(obs.stdout).toContain('Usage: framewright obs <command>');

    const video = await makeVideo(work, 'two shots', { segments: [{ source: 'testsrc2', frames: 30 }, { source: 'smptehdbars', frames: 30 }] });
    const lua = await run('luajit', [join(root, 'docs', 'examples', 'cli_json.lua'), video.path, join(work, 'cuts')], { cwd: work, env: { ...env, PATH: path } });
    expect(lua.stdout).toBe('2 clips\n');
  }, 300_000);
});
