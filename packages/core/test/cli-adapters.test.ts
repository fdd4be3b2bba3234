// `framewright <adapter> …`: adapters are found as installed packages and run as their own
// programs, never imported. A fake adapter package in a temporary project stands in for a real
// one; the workspace's real adapters prove the table of known adapters matches their bins.
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { adapterPages, findAdapter, KNOWN_ADAPTERS, runAdapterCli } from '../src/cli/commands/adapters.js';
import { COMMANDS } from '../src/cli/commands/index.js';
import { exitCodeOf } from '../src/cli/exit-codes.js';
import { captureIo } from './helpers/captured-io.js';

const FAKE = '@framewright/fake-adapter';

/** A project folder with a fake adapter package installed in its node_modules. */
function projectWithAdapter(manifest: Record<string, unknown>, bin?: string): string {
  const project = mkdtempSync(join(tmpdir(), 'fw-adapters-'));
  const dir = join(project, 'node_modules', '@framewright', 'fake-adapter');
  mkdirSync(join(dir, 'bin'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: FAKE, version: '1.0.0', type: 'module', ...manifest }));
  if (bin !== undefined) writeFileSync(join(dir, 'bin', 'fake.js'), bin);
  return project;
}

function capturedIo(cwd: string, env: Record<string, string> = {}) {
  const io = captureIo(cwd, { env: { PATH: process.env['PATH'], ...env } });
  return { io, out: () => io.out, err: () => io.err, signal: (name: string) => io.interrupt(name) };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((r) => setTimeout(r, 20));
  if (!condition()) throw new Error(`timed out waiting for ${what}`);
}

describe('adapter commands', () => {
  it('name the package to install when it is missing (exit 7)', async () => {
    const t = capturedIo(mkdtempSync(join(tmpdir(), 'fw-adapters-')));
    const error = await runAdapterCli('obs', '@framewright/not-installed-adapter', ['--help'], t.io).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'OPERATION_UNAVAILABLE', message: '`framewright obs` needs the @framewright/not-installed-adapter package: npm install @framewright/not-installed-adapter' });
    expect(exitCodeOf('OPERATION_UNAVAILABLE')).toBe(7);
  });

  it("run the installed adapter's framewright-<command> program with every argument, in the working folder, with its exit code", async () => {
    const project = projectWithAdapter(
      { bin: { 'framewright-fake': 'bin/fake.js' } },
      `process.stdout.write(JSON.stringify({ argv: process.argv.slice(2), cwd: process.cwd(), env: process.env.FAKE_SETTING }));
       process.stderr.write('fake: a note\\n');
       process.exitCode = 3;`,
    );
    const t = capturedIo(project, { FAKE_SETTING: 'from io.env' });
    const code = await runAdapterCli('fake', FAKE, ['watch', '--help', '--out', 'a b'], t.io);
    expect(code).toBe(3);
    expect(JSON.parse(t.out())).toEqual({ argv: ['watch', '--help', '--out', 'a b'], cwd: project, env: 'from io.env' });
    expect(t.err()).toBe('fake: a note\n');
  });

  it('pass SIGTERM on to the adapter but not SIGINT (the terminal already sent it), and report a signal death as 128 + its number', async () => {
    const project = projectWithAdapter(
      { bin: { 'framewright-fake': 'bin/fake.js' } },
      `process.on('SIGINT', () => process.stdout.write('got SIGINT\\n'));
       process.on('SIGTERM', () => { process.stdout.write('got SIGTERM\\n'); process.exit(42); });
       process.stdout.write('ready\\n');
       setInterval(() => undefined, 1000);`,
    );
    const t = capturedIo(project);
    const exit = runAdapterCli('fake', FAKE, [], t.io);
    await until(() => t.out().includes('ready'), 'the adapter to start');
    t.signal('SIGINT');
    t.signal('SIGTERM');
    expect(await exit).toBe(42);
    expect(t.out()).toBe('ready\ngot SIGTERM\n');

    const dies = projectWithAdapter({ bin: { 'framewright-fake': 'bin/fake.js' } }, `process.kill(process.pid, 'SIGKILL');`);
    expect(await runAdapterCli('fake', FAKE, [], capturedIo(dies).io)).toBe(128 + 9);
  });

  it('say so when the installed package has no framewright-<command> program', async () => {
    const project = projectWithAdapter({ bin: { 'something-else': 'bin/fake.js' } }, '');
    const error = await runAdapterCli('fake', FAKE, [], capturedIo(project).io).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'OPERATION_UNAVAILABLE', message: `${FAKE} is installed but has no framewright-fake program (no such bin in its package.json): update it` });
  });

  it("serve the pages an adapter's package.json names, when their folders exist and lie inside the package", () => {
    const project = projectWithAdapter({ framewright: { pages: { '/fake/': 'pages', '/unbuilt/': 'dist/missing' } } });
    const dir = join(project, 'node_modules', '@framewright', 'fake-adapter');
    mkdirSync(join(dir, 'pages'));
    const fake = [{ command: 'fake', packageName: FAKE, summary: 'a fake' }];
    expect(adapterPages(project, fake)).toEqual({ '/fake/': join(dir, 'pages') });
    expect(adapterPages(mkdtempSync(join(tmpdir(), 'fw-adapters-')), [{ command: 'x', packageName: '@framewright/not-installed-adapter', summary: '' }])).toEqual({});

    const escaping = projectWithAdapter({ framewright: { pages: { '/etc/': '../../../../etc' } } });
    expect(() => adapterPages(escaping, fake)).toThrow(`${FAKE} asks to serve ../../../../etc, which is outside its package folder: update it`);
  });

  it('find the real adapters installed beside framewright from any working folder, each with its framewright-<command> program', () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'fw-adapters-'));
    for (const { command, packageName } of KNOWN_ADAPTERS) {
      const adapter = findAdapter(packageName, elsewhere);
      expect(adapter, packageName).toBeDefined();
      const bin = (adapter!.manifest.bin as Record<string, string>)[`framewright-${command}`];
      expect(bin, `${packageName} bin framewright-${command}`).toBeDefined();
      expect(existsSync(join(adapter!.dir, bin!))).toBe(true);
    }
    expect(findAdapter('@framewright/obs-plugin', elsewhere)?.manifest.framewright?.pages).toEqual({ '/dock/': 'dist/dock' });
  });

  it('pass every argument, --help included, to the adapter', async () => {
    const obs = COMMANDS.find((c) => c.name === 'obs');
    expect(obs?.summary).toBe('OBS Studio adapter (from @framewright/obs-plugin)');
    await expect(obs!.load()).resolves.toMatchObject({ name: 'obs', passThrough: true });
  });
});
