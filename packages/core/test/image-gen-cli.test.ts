import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { EXIT } from '../src/cli/exit-codes.js';
import { decodePng } from '../src/image/index.js';
import { captureIo } from './helpers/captured-io.js';
import { writeTinySdTurboPack } from './helpers/tiny-packs.js';

let root: string;
const previous = process.env['FRAMEWRIGHT_MODELS_DIR'];
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'fw-igcli-'));
  writeTinySdTurboPack(join(root, 'packs', 'tiny'));
  writeTinySdTurboPack(join(root, 'broken', 'missing'), { id: 'missing-file' });
  unlinkSync(join(root, 'broken', 'missing', 'vae_decoder', 'model.onnx'));
  writeTinySdTurboPack(join(root, 'broken', 'schema'), { id: 'bad-schema', editManifest: (m) => ((m['task'] as unknown) = 'image-to-image') });
  // The operation is available once any pack is installed (the built-in model may be absent).
  process.env['FRAMEWRIGHT_MODELS_DIR'] = join(root, 'packs');
});
afterAll(() => {
  if (previous === undefined) delete process.env['FRAMEWRIGHT_MODELS_DIR'];
  else process.env['FRAMEWRIGHT_MODELS_DIR'] = previous;
  rmSync(root, { recursive: true, force: true });
});

async function cli(args: string[]) {
  const io = captureIo(root, { env: { FRAMEWRIGHT_MODELS_DIR: join(root, 'packs'), FRAMEWRIGHT_CONFIG_DIR: join(root, 'config') } });
  const code = await main(args, io);
  return { code, out: io.out, err: io.err };
}

describe('framewright image-gen', () => {
  it('prints the result object with --json: images[] with path, width, height, seed', async () => {
    const { code, out } = await cli(['image-gen', '--prompt', 'a red cat', '--width', '64', '--height', '48', '--seed', '9', '--steps', '2', '--model', 'tiny-sd-turbo', '--model-dir', join(root, 'packs', 'tiny'), '--out', 'out', '--json']);
    expect(code).toBe(0);
    const result = JSON.parse(out) as { model: string; images: Array<{ path: string; width: number; height: number; seed: number }>; files: string[] };
    expect(result.model).toBe('tiny-sd-turbo');
    expect(result.images).toEqual([{ path: join(root, 'out', 'a-red-cat-9.png'), width: 64, height: 48, seed: 9 }]);
    expect(result.files).toEqual([result.images[0]!.path]);
    expect(decodePng(readFileSync(result.images[0]!.path)).text).toMatchObject({ prompt: 'a red cat', seed: '9', steps: '2', size: '64x48', model: 'tiny-sd-turbo' });
  });

  it('reports a random seed when none is given', async () => {
    const { code, out } = await cli(['image-gen', '-p', 'cat', '-m', 'tiny-sd-turbo', '-o', 'random', '--json']);
    expect(code).toBe(0);
    const { images } = JSON.parse(out) as { images: Array<{ seed: number; path: string }> };
    expect(Number.isInteger(images[0]!.seed)).toBe(true);
    expect(images[0]!.path.endsWith(`cat-${images[0]!.seed}.png`)).toBe(true);
  });

  const bad: Array<[string, string[], RegExp, number]> = [
    ['an empty prompt', ['--prompt', ''], /--prompt must NOT have fewer than 1 characters/, EXIT.usage],
    ['a blank prompt', ['--prompt', '   '], /the prompt is empty/, EXIT.usage],
    ['a 10 kB prompt', ['--prompt', 'red '.repeat(2500)], /--prompt must NOT have more than 2000 characters/, EXIT.usage],
    ['a width that is not a multiple of 8', ['--prompt', 'cat', '--width', '100'], /--width must be multiple of 8/, EXIT.usage],
    ['a huge width', ['--prompt', 'cat', '--width', '65536'], /--width must be <= 2048/, EXIT.usage],
    ['an unknown model id', ['--prompt', 'cat', '--model', 'sdxl-lightning'], /unknown model "sdxl-lightning"; installed packs: tiny-sd-turbo .*; the built-in model is framewright-shapes-32/, EXIT.unavailable],
    ['a pack with a missing file', ['--prompt', 'cat', '--model', 'missing-file', '--model-dir', '<root>/broken'], /vae_decoder\/model\.onnx is missing/, EXIT.unavailable],
    ['a manifest that fails the schema', ['--prompt', 'cat', '--model', 'bad-schema', '--model-dir', '<root>/broken/schema'], /unknown model "bad-schema".*schema has an invalid manifest: .*framewright-model\.json \/task/, EXIT.unavailable],
  ];
  for (const [what, args, message, exit] of bad) {
    it(`refuses ${what} with one clear line and writes nothing`, async () => {
      const out = join(root, `bad-${what.replace(/\W+/g, '-')}`);
      const model = args.includes('--model') ? [] : ['--model', 'tiny-sd-turbo'];
      const { code, err } = await cli(['image-gen', ...args.map((a) => a.replace('<root>', root)), ...model, '--out', out]);
      expect(code).toBe(exit);
      expect(err).toMatch(message);
      expect(err.trim().split('\n')).toHaveLength(1);
      expect(existsSync(out)).toBe(false);
    });
  }
});

describe('framewright models', () => {
  it('lists the built-in model and the installed packs with family, size and status', async () => {
    const { code, out } = await cli(['models', 'list', '--model-dir', join(root, 'broken'), '--json']);
    expect(code).toBe(0);
    const listed = JSON.parse(out) as Array<{ id: string; family?: string; status: string; bytes: number }>;
    expect(listed.map((m) => [m.id, m.status])).toEqual([
      ['framewright-shapes-32', 'ok'],
      ['missing-file', 'missing-files'],
      ['schema', 'invalid'],
      ['tiny-sd-turbo', 'ok'],
    ]);
    const table = (await cli(['models', 'list'])).out;
    expect(table).toMatch(/^ID\s+FAMILY\s+SIZE\s+STATUS\s+LICENCE\s+FOLDER/);
    expect(table).toMatch(/tiny-sd-turbo\s+sd-turbo\s+\d+\.\d KB\s+ok\s+MIT\s/);
  });

  it('verifies a good pack (exit 0) and names each broken file of a bad one (exit 7)', async () => {
    const good = await cli(['models', 'verify', 'tiny-sd-turbo']);
    expect(good.code).toBe(0);
    expect(good.out).toMatch(/^ok {2}tiny-sd-turbo/);
    const badRun = await cli(['models', 'verify', join(root, 'broken', 'missing'), '--json']);
    expect(badRun.code).toBe(EXIT.unavailable);
    const [report] = JSON.parse(badRun.out) as Array<{ ok: boolean; files: Array<{ path: string; status: string }> }>;
    expect(report!.ok).toBe(false);
    expect(report!.files.find((f) => f.path === 'vae_decoder/model.onnx')!.status).toBe('missing');
    expect((await cli(['models', 'verify', 'nope'])).err).toMatch(/nope is neither a pack folder nor an installed pack id/);
    expect((await cli(['models', 'frobnicate'])).code).toBe(EXIT.usage);
    expect(readdirSync(root).includes('config')).toBe(false);
  });
});

describe('framewright models init', () => {
  it('turns an SD-Turbo export folder into a pack that verifies and runs', async () => {
    const dir = join(root, 'export');
    const original = writeTinySdTurboPack(dir);
    unlinkSync(join(dir, 'framewright-model.json'));
    const { code } = await cli(['models', 'init', dir, '--id', 'my-turbo', '--licence', 'MIT']);
    expect(code).toBe(0);
    const written = JSON.parse(readFileSync(join(dir, 'framewright-model.json'), 'utf8')) as typeof original;
    expect(written.files.map((f) => [f.path, f.role, f.sha256])).toEqual(
      [...original.files].sort((a, b) => a.path.localeCompare(b.path)).map((f) => [f.path, f.role, f.sha256]),
    );
    expect(written.diffusion).toEqual(original.diffusion);
    expect((await cli(['models', 'verify', dir])).code).toBe(0);
    expect((await cli(['image-gen', '-p', 'cat', '-m', 'my-turbo', '--model-dir', dir, '-W', '32', '-H', '32', '--seed', '1', '-o', 'init-out'])).code).toBe(0);
    const incomplete = await cli(['models', 'init', join(root, 'packs'), '--id', 'x', '--licence', 'MIT']);
    expect(incomplete.err).toMatch(/is not an SD-Turbo ONNX export: text_encoder\/model\.onnx is missing/);
  });
});
