// The public SD-Turbo exports as they are: tiny replicas of each layout (test/helpers/
// export-replicas.ts) pulled from the stand-in Hub or imported from a folder, then run by image-gen.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { EXIT } from '../src/cli/exit-codes.js';
import { importModel, pullModel, readModelPack, type PullResult } from '../src/models/index.js';
import { loadImageGenerator } from '../src/ops/image-gen/models.js';
import { resolveOnnxProviders } from '../src/runtime/onnx-providers.js';
import { createOnnxSession, type OnnxTensorValue } from '../src/runtime/onnx-session.js';
import { captureIo } from './helpers/captured-io.js';
import { tinyClipVocab } from './helpers/tiny-packs.js';
import { rifeReplica, TINY_WHISPER, writeWhisperExport, SD_EXPORT_LAYOUTS, SD_TURBO_CARD, writeSdTurboExport, type SdExportLayout } from './helpers/export-replicas.js';
import { openFrameInterpolator } from '../src/ops/video-gen/interpolation-model.js';
import { filesOfFolder, startTestHub, type TestHub } from './helpers/test-hub.js';
import { buildShotModelReplica } from './helpers/shot-model-replica.js';

let work: string;
let hub: TestHub;
const pulled = new Map<SdExportLayout, PullResult>();
let cuda = false;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'fw-exports-'));
  cuda = (await resolveOnnxProviders()).chosen === 'cuda';
  for (const layout of SD_EXPORT_LAYOUTS) writeSdTurboExport(join(work, 'exports', layout), layout);
  hub = await startTestHub(SD_EXPORT_LAYOUTS.map((layout) => ({ id: `replicas/sd-turbo-${layout}`, files: filesOfFolder(join(work, 'exports', layout)), cardData: SD_TURBO_CARD })));
  for (const layout of SD_EXPORT_LAYOUTS) pulled.set(layout, await pullModel(`replicas/sd-turbo-${layout}`, { into: join(work, 'models'), acceptLicence: true, env: { HF_ENDPOINT: hub.endpoint } }));
});
afterAll(async () => {
  await hub.close();
  rmSync(work, { recursive: true, force: true });
});

async function draw(id: string, dirs: string[], seed = 3) {
  const generator = await loadImageGenerator(id, { modelDirs: dirs, env: {} });
  const { image } = await generator.generate({ prompt: 'a red cat', width: 64, height: 64, seed, steps: 1 }, () => {}, new AbortController().signal);
  return image;
}

describe('SD-Turbo exports as they are', () => {
  it('Optimum float32 with the UNet weights in unet/model.onnx_data: pulled and drawn', async () => {
    const result = pulled.get('optimum-fp32')!;
    const paths = result.manifest.files.map((f) => f.path);
    expect(paths).toContain('unet/model.onnx_data');
    expect(paths).not.toContain('vae_encoder/model.onnx');
    const unet = result.manifest.files.find((f) => f.role === 'unet')!;
    expect(unet.inputs).toEqual([
      { name: 'sample', type: 'float32', shape: ['batch_size', 4, 'height', 'width'] },
      { name: 'timestep', type: 'int64', shape: [] },
      { name: 'encoder_hidden_states', type: 'float32', shape: ['batch_size', 'sequence_length', 16] },
    ]);
    expect(result.manifest.runsOn).toBeUndefined();
    const image = await draw(result.manifest.id, [join(work, 'models')]);
    expect([image.width, image.height]).toEqual([64, 64]);
    expect(new Set(image.rgb).size).toBeGreaterThan(20);
  });

  it('onnxruntime float16 (standard operators): float16 in and out, converted at the boundary, runs on CPU and draws what float32 draws', async () => {
    const result = pulled.get('onnxruntime-fp16')!;
    const unet = result.manifest.files.find((f) => f.role === 'unet')!;
    expect(unet.inputs?.map((i) => `${i.name}:${i.type}`)).toEqual(['sample:float16', 'timestep:float16', 'encoder_hidden_states:float16']);
    expect(result.manifest.name).toContain('float16');
    const half = await draw(result.manifest.id, [join(work, 'models')]);
    const full = await draw(pulled.get('optimum-fp32')!.manifest.id, [join(work, 'models')]);
    // The same random weights, rounded to float16: the pictures differ by rounding only.
    let worst = 0;
    let total = 0;
    for (let i = 0; i < half.rgb.length; i++) {
      const d = Math.abs(half.rgb[i]! - full.rgb[i]!);
      worst = Math.max(worst, d);
      total += d;
    }
    expect(total / half.rgb.length).toBeLessThan(0.5);
    expect(worst).toBeLessThan(16);
  });

  it.skipIf(cuda)('the CUDA-only float16 export is pulled, marked cuda-only, and refused on CPU naming the float32 alternative', async () => {
    const result = pulled.get('onnxruntime-fp16-cuda')!;
    expect(result.manifest.runsOn).toEqual(['cuda']);
    await expect(draw(result.manifest.id, [join(work, 'models')])).rejects.toThrow(
      /^sd-turbo-onnxruntime-fp16-cuda \(replicas\/sd-turbo-onnxruntime-fp16-cuda\) runs only on CUDA, as its model card says \(it cannot run on CPU or DirectML\); this machine has no CUDA \(cuda: .+\)\. On CPU use SD-Turbo's Optimum float32 export: `optimum-cli export onnx --model stabilityai\/sd-turbo sd-turbo-onnx`, then `framewright models import sd-turbo-onnx`$/,
    );
    const pack = await readModelPack(result.dir);
    expect(pack.manifest.files.find((f) => f.role === 'unet')!.inputs?.[0]).toEqual({ name: 'sample', type: 'float16', shape: ['batch_size', 4, 'height', 'width'] });
    const io = captureIo(work, { env: { FRAMEWRIGHT_CONFIG_DIR: join(work, 'config') } });
    expect(await main(['models', 'verify', result.dir], io)).toBe(0);
    expect(io.out).toContain('hash checked; the model itself runs on cuda only, not on cpu');
    // A pack whose manifest does not record it (written on a CUDA machine) is refused the same
    // way when its CUDA-only operators fail to load here, with ONNX Runtime's reason.
    const copy = join(work, 'cuda-made');
    cpSync(result.dir, copy, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(copy, 'framewright-model.json'), 'utf8')) as Record<string, unknown>;
    delete manifest['runsOn'];
    manifest['id'] = 'cuda-made';
    writeFileSync(join(copy, 'framewright-model.json'), JSON.stringify(manifest));
    await expect(draw('cuda-made', [copy])).rejects.toThrow(/^cuda-made \(replicas\/sd-turbo-onnxruntime-fp16-cuda\) runs only on CUDA, as its model card says .*; this machine has no CUDA \(cuda: .+\) \(ONNX Runtime cannot load .*unet\/model\.onnx: .*GroupNorm.*\)\. On CPU use SD-Turbo's Optimum float32 export/);
  });

  it.skipIf(cuda)('doctor names the provider each pack runs on, and why the CUDA-only one does not run here', async () => {
    const io = captureIo(work, { env: { FRAMEWRIGHT_CONFIG_DIR: join(work, 'config'), FRAMEWRIGHT_MODELS_DIR: join(work, 'models'), PATH: process.env['PATH'] } });
    await main(['doctor', '--json'], io);
    const report = JSON.parse(io.out) as { models: Array<{ id: string; provider?: string; reason?: string }> };
    expect(report.models).toEqual([
      expect.objectContaining({ id: 'sd-turbo-onnxruntime-fp16', provider: 'cpu' }),
      expect.objectContaining({ id: 'sd-turbo-onnxruntime-fp16-cuda', reason: 'runs on cuda only; sessions here use cpu' }),
      expect.objectContaining({ id: 'sd-turbo-optimum-fp32', provider: 'cpu' }),
    ]);
    const text = captureIo(work, { env: { FRAMEWRIGHT_CONFIG_DIR: join(work, 'config'), FRAMEWRIGHT_MODELS_DIR: join(work, 'models'), PATH: process.env['PATH'] } });
    await main(['doctor'], text);
    expect(text.out).toContain('\nModel packs\n  ready    sd-turbo-onnxruntime-fp16  runs on cpu\n  not here sd-turbo-onnxruntime-fp16-cuda  runs on cuda only; sessions here use cpu\n');
    expect(text.out).toMatch(/^  dml: not used — not in this onnxruntime-node build/m);
  });

  it('models import detects each layout from the folder alone and verifies it; the licence comes from the model card', async () => {
    for (const layout of SD_EXPORT_LAYOUTS) {
      const dir = join(work, 'exports', layout);
      const result = await importModel(dir, { id: `imported-${layout}` });
      expect(result.layout).toBe('diffusers ONNX export (Optimum or onnxruntime)');
      expect(result.manifest.licence).toEqual({ name: 'sai-nc-community', url: SD_TURBO_CARD.license_link });
      expect(result.verification.ok).toBe(true);
      expect(result.manifest.runsOn).toEqual(layout === 'onnxruntime-fp16-cuda' && !cuda ? ['cuda'] : undefined);
    }
    // Imported and pulled packs of the same export draw the same picture.
    const imported = await draw('imported-optimum-fp32', [join(work, 'exports')]);
    const fromHub = await draw(pulled.get('optimum-fp32')!.manifest.id, [join(work, 'models')]);
    expect(Buffer.from(imported.rgb).equals(Buffer.from(fromHub.rgb))).toBe(true);
  });

  it('models import adopts one TransNetV2 .onnx with --family shot-detection', async () => {
    const dir = join(work, 'transnetv2');
    mkdirSync(dir);
    writeFileSync(join(dir, 'transnetv2.onnx'), buildShotModelReplica().bytes);
    const io = captureIo(work, { env: { FRAMEWRIGHT_CONFIG_DIR: join(work, 'config') } });
    expect(await main(['models', 'import', dir, '--family', 'shot-detection', '--licence', 'MIT'], io)).toBe(0);
    expect(io.out).toContain(`imported ${dir} as transnetv2: single-file ONNX export (TransNetV2), licence MIT`);
    expect((await readModelPack(dir)).manifest).toMatchObject({ family: 'shot-detection', files: [{ path: 'transnetv2.onnx', role: 'model' }] });
    await expect(importModel(dir, { licence: 'MIT' })).rejects.toThrow(`cannot tell which family ${dir} is (no model_index.json or unet/model.onnx): give --family shot-detection for a single TransNetV2 .onnx file`);
  });

  it('a RIFE export is pulled with --family frame-interpolation and interpolates end to end', async () => {
    const rife = await startTestHub([{ id: 'replicas/rife-4.9', files: [{ path: 'rife49.onnx', bytes: rifeReplica() }, { path: 'README.md', bytes: new TextEncoder().encode('# RIFE\n') }], cardData: { license: 'mit' } }]);
    try {
      const io = captureIo(work, { env: { FRAMEWRIGHT_CONFIG_DIR: join(work, 'config'), HF_ENDPOINT: rife.endpoint } });
      expect(await main(['models', 'pull', 'replicas/rife-4.9', '--family', 'frame-interpolation', '--into', join(work, 'rife-packs')], io)).toBe(0);
      const pack = await readModelPack(join(work, 'rife-packs', 'rife-4.9'));
      expect(pack.manifest).toMatchObject({ family: 'frame-interpolation', alignment: 32, licence: { name: 'mit' }, files: [{ path: 'rife49.onnx', role: 'model' }] });
      const size = { width: 40, height: 24 };
      const frame = (v: (i: number) => number) => ({ ...size, rgb: Uint8Array.from({ length: 40 * 24 * 3 }, (_, i) => v(i)) });
      const a = frame((i) => (i * 7) % 200);
      const b = frame((i) => 255 - ((i * 3) % 180));
      const interpolator = await openFrameInterpolator(pack.dir, size);
      const mid = await interpolator.between(a, b, 0.5, new AbortController().signal);
      // The blend, moved by the small random convolution of the difference only.
      let worst = 0;
      for (let i = 0; i < mid.length; i++) worst = Math.max(worst, Math.abs(mid[i]! - (a.rgb[i]! + b.rgb[i]!) / 2));
      expect(worst).toBeGreaterThan(0);
      expect(worst).toBeLessThan(12);
    } finally {
      await rife.close();
    }
  });

  it('Whisper as Optimum exports it (top level, or under onnx/) is pulled without the unmerged decoders, and its encoder and merged decoder run two greedy steps', async () => {
    writeWhisperExport(join(work, 'whisper', 'optimum'));
    writeWhisperExport(join(work, 'whisper', 'onnx-community'), 'onnx/');
    const whisper = await startTestHub(['optimum', 'onnx-community'].map((layout) => ({ id: `replicas/whisper-tiny-${layout}`, files: filesOfFolder(join(work, 'whisper', layout)), cardData: { license: 'apache-2.0' } })));
    try {
      for (const [layout, prefix] of [['optimum', ''], ['onnx-community', 'onnx/']] as const) {
        const result = await pullModel(`replicas/whisper-tiny-${layout}`, { into: join(work, 'whisper-packs'), env: { HF_ENDPOINT: whisper.endpoint } });
        expect(result.manifest.family).toBe('speech-to-text');
        const paths = result.manifest.files.map((f) => f.path);
        expect(paths).toContain(`${prefix}decoder_model_merged.onnx`);
        expect(paths).not.toContain(`${prefix}decoder_model.onnx`);
        expect(paths).not.toContain('README.md');
        const { heads, headDim, layers } = TINY_WHISPER;
        const encoder = await createOnnxSession(join(result.dir, `${prefix}encoder_model.onnx`));
        const { last_hidden_state: states } = await encoder.run({ input_features: { data: Float32Array.from({ length: 80 * 20 }, (_, i) => Math.sin(i)), dims: [1, 80, 20] } });
        expect(states!.dims).toEqual([1, 10, TINY_WHISPER.width]);
        const decoder = await createOnnxSession(join(result.dir, `${prefix}decoder_model_merged.onnx`));
        let past: Record<string, OnnxTensorValue> = {};
        for (let layer = 0; layer < layers; layer++) for (const part of ['decoder.key', 'decoder.value', 'encoder.key', 'encoder.value']) past[`past_key_values.${layer}.${part}`] = { data: new Float32Array(0), dims: [1, heads, 0, headDim] };
        for (const [step, token] of [[1, 3n], [2, 5n]] as const) {
          const out = await decoder.run({ input_ids: { data: BigInt64Array.of(token), dims: [1, 1] }, encoder_hidden_states: states!, use_cache_branch: { data: Uint8Array.of(step > 1 ? 1 : 0), dims: [1] }, ...past });
          expect(out['logits']!.dims).toEqual([1, 1, Object.keys(tinyClipVocab()).length]);
          expect(out['present.0.decoder.key']!.dims).toEqual([1, heads, step, headDim]);
          past = Object.fromEntries(Object.entries(out).filter(([k]) => k.startsWith('present.')).map(([k, v]) => [k.replace('present.', 'past_key_values.'), v]));
        }
        await encoder.release();
        await decoder.release();
      }
    } finally {
      await whisper.close();
    }
    unlinkSync(join(work, 'whisper', 'optimum', 'merges.txt'));
    await expect(importModel(join(work, 'whisper', 'optimum'))).rejects.toThrow(`${join(work, 'whisper', 'optimum')} is not a complete Whisper ONNX export (Optimum): merges.txt is missing`);
  });

  it('models import refuses a folder missing a file, naming it (a model file, or the external weights)', async () => {
    const dir = join(work, 'broken');
    writeSdTurboExport(dir, 'optimum-fp32');
    unlinkSync(join(dir, 'unet', 'model.onnx_data'));
    const io = captureIo(work, { env: { FRAMEWRIGHT_CONFIG_DIR: join(work, 'config') } });
    expect(await main(['models', 'import', dir], io)).toBe(EXIT.unavailable);
    expect(io.err).toBe(`framewright: ${dir} is incomplete: unet/model.onnx keeps its weights in unet/model.onnx_data, which is missing\n`);
    unlinkSync(join(dir, 'tokenizer', 'merges.txt'));
    await expect(importModel(dir)).rejects.toThrow(`${dir} is not a complete diffusers ONNX export (Optimum or onnxruntime): tokenizer/merges.txt is missing`);
    await expect(importModel(join(work, 'nowhere'))).rejects.toThrow(`models import: no folder at ${join(work, 'nowhere')}`);
  });
});
