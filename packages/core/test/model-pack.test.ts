import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findModelPack, listInstalledModels, modelSearchDirs, readModelPack, verifyModelPack } from '../src/models/index.js';
import { writeTinySdTurboPack } from './helpers/tiny-packs.js';

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'fw-packs-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const env = (dir: string) => ({ env: { FRAMEWRIGHT_MODELS_DIR: dir, FRAMEWRIGHT_CONFIG_DIR: join(root, 'config') } });

describe('model pack manifest', () => {
  it('reads a valid pack and finds it by id in FRAMEWRIGHT_MODELS_DIR and in --model-dir', async () => {
    writeTinySdTurboPack(join(root, 'a', 'tiny'));
    const pack = await readModelPack(join(root, 'a', 'tiny'));
    expect(pack.manifest).toMatchObject({ id: 'tiny-sd-turbo', family: 'sd-turbo', task: 'text-to-image' });
    expect((await findModelPack('tiny-sd-turbo', env(join(root, 'a')))).dir).toBe(join(root, 'a', 'tiny'));
    expect((await findModelPack('tiny-sd-turbo', { ...env(join(root, 'none')), modelDirs: [join(root, 'a', 'tiny')] })).dir).toBe(join(root, 'a', 'tiny'));
    expect(modelSearchDirs({ ...env(join(root, 'a')), modelDirs: ['/x'] })).toEqual(['/x', join(root, 'a'), join(root, 'config', 'models')]);
  });

  it('names the field of a manifest that fails the schema', async () => {
    writeTinySdTurboPack(join(root, 'bad-schema'), { editManifest: (m) => ((m['family'] as unknown) = 'sd-xl') });
    await expect(readModelPack(join(root, 'bad-schema'))).rejects.toMatchObject({ code: 'MODEL_INVALID', message: expect.stringMatching(/framewright-model\.json \/family/) });
    writeTinySdTurboPack(join(root, 'no-vocab'), { editManifest: (m) => (m['files'] = (m['files'] as Array<{ role: string }>).filter((f) => f.role !== 'vocab')) });
    await expect(readModelPack(join(root, 'no-vocab'))).rejects.toThrow(/needs a file with role vocab/);
    writeTinySdTurboPack(join(root, 'escape'), { editManifest: (m) => ((m['files'] as Array<{ path: string }>)[0]!.path = 'x/../../etc/passwd') });
    await expect(readModelPack(join(root, 'escape'))).rejects.toThrow(/outside the pack folder/);
    await expect(readModelPack(join(root, 'nothing-here'))).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND' });
  });

  it('lists packs with their status, and refuses an unknown id naming the installed ones', async () => {
    const dir = join(root, 'list');
    writeTinySdTurboPack(join(dir, 'ok'), { id: 'ok-pack' });
    writeTinySdTurboPack(join(dir, 'missing'), { id: 'missing-pack' });
    unlinkSync(join(dir, 'missing', 'unet', 'model.onnx'));
    writeTinySdTurboPack(join(dir, 'invalid'), { editManifest: (m) => delete m['licence'] });
    const listed = await listInstalledModels(env(dir));
    expect(listed.map((m) => [m.id, m.status])).toEqual([
      ['invalid', 'invalid'],
      ['missing-pack', 'missing-files'],
      ['ok-pack', 'ok'],
    ]);
    expect(listed[2]!.bytes).toBeGreaterThan(1000);
    await expect(findModelPack('nope', env(dir))).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND', message: expect.stringContaining('installed packs: missing-pack, ok-pack') });
    await expect(findModelPack('missing-pack', env(dir))).rejects.toMatchObject({ code: 'MODEL_INVALID', message: expect.stringContaining('unet/model.onnx is missing') });
  });
});

describe('packs of other families', () => {
  it('lists and verifies a frame-interpolation pack (video-gen), which image-gen refuses', async () => {
    const dir = join(root, 'fi', 'lerp');
    mkdirSync(dir, { recursive: true });
    const model = Buffer.from('not really onnx, only hashed here');
    writeFileSync(join(dir, 'model.onnx'), model);
    const manifest = {
      manifestVersion: 1,
      id: 'lerp',
      family: 'frame-interpolation',
      task: 'frame-interpolation',
      licence: { name: 'MIT' },
      files: [{ path: 'model.onnx', role: 'model', size: model.length, sha256: createHash('sha256').update(model).digest('hex') }],
      alignment: 32,
    };
    writeFileSync(join(dir, 'framewright-model.json'), JSON.stringify(manifest));
    expect((await listInstalledModels(env(join(root, 'fi')))).map((m) => [m.id, m.family, m.status])).toEqual([['lerp', 'frame-interpolation', 'ok']]);
    expect((await verifyModelPack(dir)).ok).toBe(true);
    const { loadImageGenerator } = await import('../src/ops/image-gen/models.js');
    await expect(loadImageGenerator('lerp', { modelDirs: [dir] })).rejects.toThrow(/lerp is a frame-interpolation model, not text-to-image/);
    writeFileSync(join(dir, 'framewright-model.json'), JSON.stringify({ ...manifest, task: 'text-to-image' }));
    await expect(readModelPack(dir)).rejects.toThrow(/family frame-interpolation does not do text-to-image/);
  });
});

describe('verifyModelPack', () => {
  it('passes a complete pack: sizes, hashes and ONNX signatures', async () => {
    writeTinySdTurboPack(join(root, 'v-ok'));
    const report = await verifyModelPack(join(root, 'v-ok'));
    expect(report.ok).toBe(true);
    expect(report.files.map((f) => f.status)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
  });

  it('finds a changed file, a missing file and a signature the model does not have', async () => {
    const dir = join(root, 'v-bad');
    writeTinySdTurboPack(dir, {
      editManifest: (m) => {
        const unet = (m['files'] as Array<{ role: string; inputs: Array<{ name: string; shape: unknown[] }> }>).find((f) => f.role === 'unet')!;
        unet.inputs[2]!.shape = ['batch_size', 'sequence_length', 1024];
      },
    });
    const merges = join(dir, 'tokenizer', 'merges.txt');
    writeFileSync(merges, readFileSync(merges, 'utf8').replace('c a', 'a c'));
    unlinkSync(join(dir, 'tokenizer', 'vocab.json'));
    const report = await verifyModelPack(dir);
    expect(report.ok).toBe(false);
    const byPath = Object.fromEntries(report.files.map((f) => [f.path, f]));
    expect(byPath['unet/model.onnx']).toMatchObject({ status: 'signature-mismatch', detail: expect.stringContaining('encoder_hidden_states has shape [batch_size, sequence_length, 16], the manifest says [batch_size, sequence_length, 1024]') });
    expect(byPath['tokenizer/vocab.json']!.status).toBe('missing');
    expect(byPath['tokenizer/merges.txt']!.status).toBe('hash-mismatch');
    expect(byPath['text_encoder/model.onnx']!.status).toBe('ok');
  });

  it('reports a manifest that fails the schema', async () => {
    writeTinySdTurboPack(join(root, 'v-schema'), { editManifest: (m) => ((m['files'] as Array<{ sha256: string }>)[0]!.sha256 = 'abc') });
    const report = await verifyModelPack(join(root, 'v-schema'));
    expect(report).toMatchObject({ ok: false, manifestError: expect.stringContaining('/files/0/sha256') });
  });
});
