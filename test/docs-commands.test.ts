// Keeps the guides from rotting: every `npx framewright …` command line in docs/*.md names a real
// command and only flags its --help lists; the outputs the guides explain (doctor, obs setup,
// resolve install --dry-run, premiere install-help, train/export-onnx) still look as described;
// and the SDK examples in docs/examples run against a real engine (Python over HTTP, the
// TypeScript client over WebSocket, Lua through the CLI's --json).
import { execFile, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ensureBuilt, runBin, spawnBin } from './helpers/cli.js';
import { makeVideo, tempDir } from './helpers/media.js';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '..');
const docs = join(root, 'docs');
const has = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

let work: string;
let env: Record<string, string>;

beforeAll(async () => {
  await ensureBuilt();
  work = tempDir('fw-docs-');
  // Config, data and output folders of this test only: nothing of the user's is read or written.
  env = { FRAMEWRIGHT_CONFIG_DIR: join(work, 'config'), FRAMEWRIGHT_DATA_DIR: join(work, 'data'), FRAMEWRIGHT_OUTPUT_ROOT: join(work, 'out') };
}, 300_000);

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** `npx framewright …` lines of the guides' shell blocks, as argument lists. */
function guideCommandLines(): Array<{ guide: string; args: string[] }> {
  const lines: Array<{ guide: string; args: string[] }> = [];
  for (const guide of readdirSync(docs).filter((f) => f.endsWith('.md'))) {
    const text = readFileSync(join(docs, guide), 'utf8');
    for (const block of text.matchAll(/```sh\n([\s\S]*?)```/g)) {
      for (const line of block[1]!.split('\n')) {
        const m = /^(?:[A-Z_]+=\S+ )*npx framewright (.*?)(?:\s+#.*)?$/.exec(line.trim());
        if (m) lines.push({ guide, args: m[1]!.split(/\s+/) });
      }
    }
  }
  return lines;
}

/** The help text that lists a command line's flags: the sub-command's where there is one. */
async function helpFor(args: readonly string[]): Promise<string> {
  const [command, sub] = args;
  const withSub = ['obs', 'models', 'premiere'].includes(command!) && sub !== undefined && !sub.startsWith('-');
  const helpArgs = command === 'premiere' ? ['premiere', 'help'] : withSub ? [command!, sub!, '--help'] : [command!, '--help'];
  const { code, stdout, stderr } = await runBin(helpArgs, { cwd: work, env });
  expect(code, `framewright ${helpArgs.join(' ')}: ${stderr}`).toBe(0);
  return stdout;
}

describe('the guides name real commands and flags', () => {
  it('every `npx framewright` line in docs/*.md uses a command and flags its --help lists', async () => {
    const lines = guideCommandLines();
    expect(lines.length).toBeGreaterThan(20);
    const top = (await runBin(['--help'], { cwd: work, env })).stdout;
    for (const { guide, args } of lines) expect(top, `${guide}: framewright ${args.join(' ')}`).toContain(`  ${args[0]} `);
    // Each distinct command's help once, all at the same time (each is a Node start-up).
    const helps = new Map<string, Promise<string>>();
    for (const { args } of lines) {
      const key = args.slice(0, 2).join(' ');
      if (!helps.has(key)) helps.set(key, helpFor(args));
    }
    for (const { guide, args } of lines) {
      const help = await helps.get(args.slice(0, 2).join(' '))!;
      for (const flag of args.filter((a) => /^--[a-z]/.test(a))) expect(help, `${guide}: ${flag} in framewright ${args.join(' ')}`).toContain(flag);
    }
  });
});

/** The guide line that starts with `npx framewright <prefix>`, as arguments for the bin. */
function guideLine(guide: string, prefix: string): string[] {
  const line = guideCommandLines().find((l) => l.guide === guide && l.args.join(' ').startsWith(prefix));
  if (!line) throw new Error(`${guide} has no \`npx framewright ${prefix}\` line`);
  // Undo the shell's quoting of one quoted argument ("a red circle …").
  return line.args.join(' ').match(/"[^"]*"|\S+/g)!.map((a) => a.replace(/^"(.*)"$/, '$1'));
}

describe('generation commands of getting-started.md, run as written', () => {
  it('video-gen image-to-video with audio and subtitles writes the video', async () => {
    await run('ffmpeg', ['-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=s=320x180', '-frames:v', '1', join(work, 'still.png')]);
    const args = guideLine('getting-started.md', 'video-gen --mode image-to-video');
    const { code, stdout, stderr } = await runBin(args, { cwd: work, env });
    expect(code, stderr).toBe(0);
    expect(stdout).toContain('48 frames at 24 fps, 320x180, 2.00 s');
    expect(existsSync(join(work, 'video', 'image-to-video.mp4'))).toBe(true);
  }, 120_000);

  it.skipIf(!existsSync(join(root, 'packages', 'core', 'models', 'builtin-video', 'model.json')))('video-gen text-to-video with the built-in model writes the video', async () => {
    const { code, stdout, stderr } = await runBin(guideLine('getting-started.md', 'video-gen --mode text-to-video'), { cwd: work, env });
    expect(code, stderr).toBe(0);
    expect(stdout).toContain('48 frames at 24 fps, 256x256, 2.00 s');
    expect(existsSync(join(work, 'video', 'text-to-video.mp4'))).toBe(true);
  }, 120_000);

  it.skipIf(!existsSync(join(root, 'packages', 'core', 'models', 'builtin-image', 'model.json')))('image-gen with the built-in model writes a PNG', async () => {
    const args = guideLine('getting-started.md', 'image-gen --prompt');
    const { code, stderr } = await runBin(args, { cwd: work, env });
    expect(code, stderr).toBe(0);
    expect(readdirSync(join(work, 'images')).some((f) => f.endsWith('.png'))).toBe(true);
  }, 120_000);
});

describe('command outputs the guides explain', () => {
  it('models.md describes every field of framewright-model.json and every family', async () => {
    const { ModelManifestSchema, MODEL_FAMILIES } = await import('../packages/core/src/models/index.js');
    const guide = readFileSync(join(docs, 'models.md'), 'utf8');
    for (const field of Object.keys(ModelManifestSchema.properties)) expect(guide, field).toContain(`| \`${field}\` |`);
    for (const family of MODEL_FAMILIES) expect(guide, family).toContain(`\`${family}\``);
  });

  it('doctor prints the sections and paths troubleshooting.md explains line by line', async () => {
    const { code, stdout } = await runBin(['doctor'], { cwd: work, env });
    expect(code).toBe(0);
    const guide = readFileSync(join(docs, 'troubleshooting.md'), 'utf8');
    // Each section doctor prints, and the bold name the guide explains it under.
    const sections: Array<[string, string]> = [
      ['Media tools', 'Media tools'],
      ['Operations', 'Operations'],
      ['ML backends (tfjs)', 'ML backends (tfjs)'],
      ['ONNX Runtime execution providers', 'ONNX Runtime execution providers'],
      ['Model packs', 'Model packs'],
      ['Text to speech (video-gen narration; optional)', 'Text to speech'],
      ['Paths', 'Paths'],
    ];
    for (const [heading, explained] of sections) {
      expect(stdout).toContain(`\n${heading}\n`.slice(heading === 'Media tools' ? 1 : 0));
      expect(guide).toContain(`**${explained}**`);
    }
    // Every section heading doctor prints is one of those (a new section needs its explanation).
    const headings = stdout.split('\n').filter((l) => /^[A-Z]/.test(l) && !/^(Everything|Something)/.test(l));
    expect(headings).toEqual(sections.map(([h]) => h));
    for (const label of ['config folder', 'bearer token', 'data folder', 'job journal', 'output root']) expect(stdout).toMatch(new RegExp(`^  ${label} +\\S`, 'm'));
    expect(stdout).toContain(`${join(work, 'config')}  (from FRAMEWRIGHT_CONFIG_DIR`);
    expect(stdout).toMatch(/ready {3}clip-cut/);
    expect(stdout).toContain('Everything required is in place.');
  }, 120_000);

  it('obs setup prints the OBS 28–31 menu paths obs.md gives and writes nothing', async () => {
    const obsConfig = join(work, 'obs-config');
    const { code, stdout } = await runBin(['obs', 'setup', '--config-dir', obsConfig], { cwd: work, env });
    expect(code).toBe(0);
    for (const menu of ['Tools > WebSocket Server Settings', 'Docks > Custom Browser Docks', 'View > Docks > Custom Browser Docks', 'http://127.0.0.1:7878/dock/']) {
      expect(stdout).toContain(menu);
      expect(readFileSync(join(docs, 'obs.md'), 'utf8')).toContain(menu);
    }
    expect(existsSync(obsConfig)).toBe(false);
  });

  it('resolve install --dry-run lists the per-OS folders resolve.md gives', async () => {
    const { code, stdout } = await runBin(['resolve', 'install', '--dry-run'], { cwd: work, env: { ...env, HOME: work } });
    expect(code).toBe(0);
    expect(stdout).toContain(`${work}/.local/share/DaVinciResolve/Fusion/Scripts/Utility/Framewright/Clip-cut current clip.lua`);
    expect(stdout).toContain('Library/Application Support/Blackmagic Design/DaVinci Resolve/Fusion/Scripts/Utility/Framewright/');
    expect(stdout).toContain('%APPDATA%\\Blackmagic Design\\DaVinci Resolve\\Support\\Fusion\\Scripts\\Utility\\Framewright\\Generate image.lua');
    expect(stdout).toContain('dry run: nothing was changed');
    expect(existsSync(join(work, '.local'))).toBe(false);
  });

  it('premiere install-help gives the steps premiere.md gives', async () => {
    const { code, stdout } = await runBin(['premiere', 'install-help'], { cwd: work, env });
    expect(code).toBe(0);
    for (const step of ['npx framewright premiere package --out framewright.ccx', 'Window > UXP Plugins > Framewright', 'UXP Developer Tool', 'UnifiedPluginInstallerAgent --install framewright.ccx']) {
      expect(stdout).toContain(step);
      expect(readFileSync(join(docs, 'premiere.md'), 'utf8')).toContain(step);
    }
  });

  it('train and export-onnx run as models.md shows (short run)', async () => {
    const runDir = join(work, 'runs', 'reverse');
    const trained = await runBin(['train', '--preset', 'reverse-tiny', '--out', runDir, '--steps', '12'], { cwd: work, env: { ...env, FRAMEWRIGHT_TF_BACKEND: 'cpu' } });
    expect(trained.code, trained.stderr).toBe(0);
    expect(trained.stdout + trained.stderr).toMatch(/trained reverse for 12 steps/);
    const exported = await runBin(['export-onnx', '--checkpoint', runDir, '--out', join(runDir, 'model.onnx')], { cwd: work, env: { ...env, FRAMEWRIGHT_TF_BACKEND: 'cpu' } });
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout + exported.stderr).toMatch(/checked in ONNX Runtime \(cpu\): max \|tfjs − onnx\| = /);
    expect(existsSync(join(runDir, 'model.onnx'))).toBe(true);
  }, 120_000);
});

describe('the SDK guide examples against a real engine', () => {
  let server: ChildProcess;
  let ready: { url: string; wsUrl: string; tokenFile: string; outputRoot: string };
  let video: string;

  beforeAll(async () => {
    video = (await makeVideo(work, 'talk', { segments: [{ source: 'testsrc2', frames: 25 }, { source: 'smptehdbars', frames: 25 }], width: 160, height: 90 })).path;
    server = spawnBin(['serve', '--port', '0', '--json'], { cwd: work, env });
    ready = await new Promise((done, fail) => {
      let out = '';
      server.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const line = out.split('\n').find((l) => l.startsWith('{'));
        if (line !== undefined && out.includes('\n')) done(JSON.parse(line) as typeof ready);
      });
      server.on('exit', (code) => fail(new Error(`framewright serve exited with ${code}`)));
    });
  }, 60_000);

  afterAll(() => {
    server?.kill('SIGTERM');
  });

  it.skipIf(!has('python3'))('docs/examples/http_client.py cuts the video over HTTP with the bearer token', async () => {
    const { stdout } = await run('python3', [join(docs, 'examples', 'http_client.py'), video], { env: { ...process.env, FRAMEWRIGHT_URL: ready.url, FRAMEWRIGHT_TOKEN_FILE: ready.tokenFile } });
    expect(stdout).toMatch(/^2 clips\n/);
    expect(stdout).toContain(`${ready.outputRoot}/`);
    expect(stdout).toMatch(/\.edl\n[\s\S]*\.otio\n/);
  });

  it.skipIf(!has('python3'))('http_client.py says 401 UNAUTHORIZED in one line for a wrong token', async () => {
    const failed = await run('python3', [join(docs, 'examples', 'http_client.py'), video], { env: { ...process.env, FRAMEWRIGHT_URL: ready.url, FRAMEWRIGHT_TOKEN: 'wrong' } }).catch((e: { code: number; stderr: string }) => e);
    expect('code' in failed && failed.code).toBe(1);
    expect((failed as { stderr: string }).stderr).toBe('framewright: HTTP 401 UNAUTHORIZED: the bearer token is wrong\n');
  });

  it('docs/examples/sdk-client.ts connects, negotiates and cuts the video over WebSocket', async () => {
    const tsx = join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');
    const { stdout } = await run(process.execPath, [tsx, join(docs, 'examples', 'sdk-client.ts'), video], { cwd: root, env: { ...process.env, ...env, FRAMEWRIGHT_WS_URL: ready.wsUrl } });
    expect(stdout).toMatch(/^protocol 1\.2 ready: .*clip-cut/m);
    expect(stdout).toMatch(/^2 clips: .*\.edl, .*\.otio$/m);
  }, 60_000);

  it('docs/examples/protocol.ts validates params and resolve-install.ts plans the copy', async () => {
    const tsx = join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');
    const scripts = join(work, 'resolve scripts');
    const [protocol, install] = await Promise.all([
      run(process.execPath, [tsx, join(docs, 'examples', 'protocol.ts')], { cwd: root }),
      run(process.execPath, [tsx, join(docs, 'examples', 'resolve-install.ts'), scripts], { cwd: root }),
    ]);
    expect(protocol.stdout).toBe('valid: /videos/talk.mp4 protocol 1.0\n');
    expect(install.stdout).toContain(`copy ${scripts}/Utility/Framewright/Clip-cut current clip.lua\n`);
    expect(existsSync(scripts)).toBe(false);
  }, 60_000);

  it.skipIf(!has('luajit'))('docs/examples/cli_json.lua runs the CLI with --json from Lua', async () => {
    const luaEnv = { ...process.env, ...env, FRAMEWRIGHT_CLI: BIN };
    const { stdout } = await run('luajit', [join(docs, 'examples', 'cli_json.lua'), video, join(work, 'lua cuts')], { env: luaEnv });
    expect(stdout).toBe('2 clips\n');
    const missing = await run('luajit', [join(docs, 'examples', 'cli_json.lua'), join(work, 'nope.mp4'), join(work, 'lua2')], { env: luaEnv }).catch((e: { stderr: string }) => e);
    expect((missing as { stderr: string }).stderr).toBe('framewright failed: INPUT_NOT_FOUND\n');
  }, 60_000);
});
