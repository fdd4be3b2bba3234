// `framewright resolve install`: exact per-OS paths in a dry run, and an install + uninstall that
// leaves the Scripts folder byte-identical, never touching files that are not its own.
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../src/index.js';
import { REPO_ROOT, tempDir } from './helpers/harness.js';

const SHIPPED = [
  'Clip-cut current clip (Python).py',
  'Clip-cut current clip.lua',
  'Generate image (Python).py',
  'Generate image.lua',
  'Generate video (Python).py',
  'Generate video.lua',
  'Remove silences (Python).py',
  'Remove silences.lua',
  'framewright_engine.luainc',
  'framewright_json.luainc',
  'framewright_resolve.luainc',
  'framewright_resolve.pyinc',
];

async function cli(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { stdout: (t) => (out += t), stderr: (t) => (err += t), env, platform: 'linux' });
  return { code, out, err };
}

/** Every file and folder under `root` with its content, for byte-for-byte comparison. */
function snapshot(root: string): Record<string, string> {
  const result: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const key = relative(root, path);
      if (statSync(path).isDirectory()) {
        result[`${key}/`] = '';
        walk(path);
      } else result[key] = readFileSync(path).toString('base64');
    }
  };
  walk(root);
  return result;
}

describe('framewright resolve install', () => {
  it('lists the exact target paths for Linux, macOS and Windows in a dry run', async () => {
    const { code, out } = await cli(['install', '--dry-run'], { HOME: '/home/ana', APPDATA: 'C:\\Users\\Ana\\AppData\\Roaming' });
    expect(code).toBe(0);
    const lines = out.split('\n');
    expect(lines).toContain('linux: Scripts folder /home/ana/.local/share/DaVinciResolve/Fusion/Scripts');
    expect(lines).toContain('darwin: Scripts folder /home/ana/Library/Application Support/Blackmagic Design/DaVinci Resolve/Fusion/Scripts');
    expect(lines).toContain('win32: Scripts folder C:\\Users\\Ana\\AppData\\Roaming\\Blackmagic Design\\DaVinci Resolve\\Support\\Fusion\\Scripts');
    for (const name of SHIPPED) {
      expect(lines).toContain(`  copy /home/ana/.local/share/DaVinciResolve/Fusion/Scripts/Utility/Framewright/${name}`);
      expect(lines).toContain(`  copy /home/ana/Library/Application Support/Blackmagic Design/DaVinci Resolve/Fusion/Scripts/Utility/Framewright/${name}`);
      expect(lines).toContain(`  copy C:\\Users\\Ana\\AppData\\Roaming\\Blackmagic Design\\DaVinci Resolve\\Support\\Fusion\\Scripts\\Utility\\Framewright\\${name}`);
    }
    expect(lines).toContain('  write /home/ana/.local/share/DaVinciResolve/Fusion/Scripts/Utility/Framewright/.framewright-manifest.json');
    expect(lines.filter((l) => l.startsWith('  copy '))).toHaveLength(3 * SHIPPED.length);
    expect(out).toContain('dry run: nothing was changed');
  });

  it('is what `framewright resolve install --dry-run` runs (the built core CLI loads this package)', async () => {
    const bin = join(REPO_ROOT, 'packages', 'core', 'bin', 'framewright.js');
    const { code, out } = await new Promise<{ code: number; out: string }>((resolve) => {
      execFile(process.execPath, [bin, 'resolve', 'install', '--dry-run', '--os', 'linux'], { env: { HOME: '/home/ana', PATH: process.env['PATH'] } }, (error, stdout) =>
        resolve({ code: error ? Number(error.code) : 0, out: stdout }),
      );
    });
    expect(code).toBe(0);
    expect(out.split('\n')).toContain('  copy /home/ana/.local/share/DaVinciResolve/Fusion/Scripts/Utility/Framewright/Clip-cut current clip.lua');
  });

  it('ships every script in the npm package', async () => {
    const listing = await new Promise<string>((resolve, reject) => {
      execFile('npm', ['pack', '--dry-run', '--json'], { cwd: join(REPO_ROOT, 'packages', 'davinci-bridge') }, (error, stdout) =>
        error ? reject(error) : resolve(stdout),
      );
    });
    const files = (JSON.parse(listing) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
    for (const name of SHIPPED) expect(files).toContain(`scripts/Framewright/${name}`);
    expect(files.filter((f) => f.startsWith('test/'))).toEqual([]);
  });

  it('keeps an unset variable visible in a dry run rather than inventing a folder', async () => {
    const { out } = await cli(['install', '--dry-run', '--os', 'win32'], {});
    expect(out.split('\n')[0]).toBe('win32: Scripts folder %APPDATA%\\Blackmagic Design\\DaVinci Resolve\\Support\\Fusion\\Scripts');
    expect(out).not.toContain('linux:');
  });

  it('changes nothing in a dry run with --scripts-dir', async () => {
    const dir = tempDir();
    const before = snapshot(dir);
    const { code, out } = await cli(['install', '--dry-run', '--os', 'linux', '--scripts-dir', dir]);
    expect(code).toBe(0);
    expect(out).toContain(`  copy ${dir}/Utility/Framewright/Generate image.lua`);
    expect(snapshot(dir)).toEqual(before);
  });

  it('installs then uninstalls leaving the folder byte-identical, a user script untouched', async () => {
    const scripts = join(tempDir(), 'Scripts');
    mkdirSync(join(scripts, 'Utility'), { recursive: true });
    writeFileSync(join(scripts, 'Utility', 'My own script.lua'), 'print("mine")\n');
    mkdirSync(join(scripts, 'Comp'));
    const before = snapshot(scripts);

    const installed = await cli(['install', '--scripts-dir', scripts]);
    expect(installed.code).toBe(0);
    const target = join(scripts, 'Utility', 'Framewright');
    expect(readdirSync(target).sort()).toEqual(['.framewright-manifest.json', ...SHIPPED].sort());
    expect(installed.out).toContain(`Framewright scripts installed in ${target}`);
    expect(readFileSync(join(scripts, 'Utility', 'My own script.lua'), 'utf8')).toBe('print("mine")\n');

    const again = await cli(['install', '--scripts-dir', scripts]);
    expect(again.code).toBe(0);

    const removed = await cli(['install', '--uninstall', '--scripts-dir', scripts]);
    expect(removed.code).toBe(0);
    expect(removed.out).toContain(`removed folder ${target}`);
    expect(snapshot(scripts)).toEqual(before);
  });

  it('removes the folders it created, up to a Scripts folder that did not exist', async () => {
    const home = tempDir();
    const env = { HOME: home };
    expect((await cli(['install'], env)).code).toBe(0);
    expect(readdirSync(join(home, '.local/share/DaVinciResolve/Fusion/Scripts/Utility/Framewright'))).toContain('Clip-cut current clip.lua');
    expect((await cli(['install', '--uninstall'], env)).code).toBe(0);
    expect(readdirSync(home)).toEqual([]);
  });

  it('keeps an installed script the user changed, and says so', async () => {
    const scripts = tempDir();
    await cli(['install', '--scripts-dir', scripts]);
    const edited = join(scripts, 'Utility', 'Framewright', 'Generate image.lua');
    writeFileSync(edited, '-- my tweak\n');
    const { code, out } = await cli(['install', '--uninstall', '--scripts-dir', scripts]);
    expect(code).toBe(0);
    expect(out).toContain(`kept ${edited} (changed since it was installed)`);
    expect(readdirSync(join(scripts, 'Utility', 'Framewright'))).toEqual(['Generate image.lua']);
  });

  it('never overwrites a file of the same name that it did not install', async () => {
    const scripts = tempDir();
    const target = join(scripts, 'Utility', 'Framewright');
    mkdirSync(target, { recursive: true });
    writeFileSync(join(target, 'Generate video.lua'), '-- someone else\n');
    const before = snapshot(scripts);
    const { code, err } = await cli(['install', '--scripts-dir', scripts]);
    expect(code).toBe(1);
    expect(err).toBe(`framewright resolve: ${join(target, 'Generate video.lua')} exists and was not installed by Framewright; move it away and install again\n`);
    expect(snapshot(scripts)).toEqual(before);
  });

  it('answers bad usage with exit code 2 and one clear line', async () => {
    const bad = await cli(['install', '--os', 'beos', '--dry-run']);
    expect(bad.code).toBe(2);
    expect(bad.err.split('\n')[0]).toBe('framewright resolve: --os must be one of linux, darwin, win32, not "beos"');
    expect((await cli(['uninstall'])).err.split('\n')[0]).toBe('framewright resolve: unknown resolve command "uninstall"');
    const nothing = await cli(['install', '--uninstall', '--scripts-dir', tempDir()]);
    expect(nothing.code).toBe(1);
    expect(nothing.err).toMatch(/^framewright resolve: no Framewright scripts are installed in .* \(no \.framewright-manifest\.json\)\n$/);
    const foreign = await cli(['install', '--os', 'win32', '--scripts-dir', tempDir()]);
    expect(foreign.err).toBe('framewright resolve: --os win32 uses other path rules than this linux machine; use it with --dry-run\n');
  });
});
