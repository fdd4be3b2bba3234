// SDXL-Turbo as Optimum exports it (test/helpers/export-replicas.ts: writeSdxlTurboExport), the
// second text-to-image family member: pulled from the stand-in Hub as stabilityai/sdxl-turbo holds
// it (ONNX beside PyTorch weights), imported from a folder, and run end to end by image-gen.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runOperation } from '../src/engine/index.js';
import { decodePng } from '../src/image/index.js';
import { importModel, pullModel, type PullResult } from '../src/models/index.js';
import { loadImageGenerator } from '../src/ops/image-gen/models.js';
import { SdTurboPipeline, sdxlTimeIds } from '../src/ops/image-gen/sd-turbo/pipeline.js';
import { ClipTokenizer } from '../src/ops/image-gen/sd-turbo/clip-tokenizer.js';
import { createOnnxSession } from '../src/runtime/onnx-session.js';
import { SDXL_TURBO_CARD, TINY_SDXL, writeSdxlTurboExport } from './helpers/export-replicas.js';
import { filesOfFolder, startTestHub, type TestHub } from './helpers/test-hub.js';

let work: string;
let hub: TestHub;
let pulled: PullResult;
const REPO = 'stabilityai/sdxl-turbo';

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'fw-sdxl-'));
  writeSdxlTurboExport(join(work, 'export'));
  const bytes = (n: number) => new Uint8Array(n).fill(7);
  // What the real repository holds beside the ONNX export: PyTorch weights (6.9-13.9 GB there).
  const pytorch = ['sd_xl_turbo_1.0_fp16.safetensors', 'unet/diffusion_pytorch_model.fp16.safetensors', 'text_encoder_2/model.safetensors', 'vae/config.json', 'vae/diffusion_pytorch_model.safetensors', 'LICENSE.md'];
  hub = await startTestHub([{ id: REPO, files: [...filesOfFolder(join(work, 'export')), ...pytorch.map((path) => ({ path, bytes: bytes(2048) }))], cardData: SDXL_TURBO_CARD }]);
  pulled = await pullModel(REPO, { into: join(work, 'models'), acceptLicence: true, env: { HF_ENDPOINT: hub.endpoint } });
});
afterAll(async () => {
  await hub.close();
  rmSync(work, { recursive: true, force: true });
});

describe('SDXL-Turbo, Optimum export', () => {
  it('is refused without --accept-licence (sai-nc-community does not allow commercial use), and nothing is written', async () => {
    const into = join(work, 'refused');
    await expect(pullModel(REPO, { into, env: { HF_ENDPOINT: hub.endpoint } })).rejects.toThrow(
      `${REPO} is published under the licence sai-nc-community, and it does not allow commercial use; read it at ${SDXL_TURBO_CARD.license_link} and run again with --accept-licence`,
    );
    expect(existsSync(into)).toBe(false);
  });

  it('pull fetches the ONNX export only and makes an sdxl-turbo pack with the interface recorded', () => {
    const { manifest } = pulled;
    expect(manifest).toMatchObject({ id: 'sdxl-turbo', family: 'sdxl-turbo', task: 'text-to-image', licence: { name: 'sai-nc-community', url: SDXL_TURBO_CARD.license_link } });
    const paths = manifest.files.map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['text_encoder_2/model.onnx', 'text_encoder_2/model.onnx_data', 'unet/model.onnx_data', 'tokenizer_2/vocab.json', 'scheduler/scheduler_config.json']));
    expect(paths.filter((p) => /safetensors|^vae\/|^vae_encoder\/|LICENSE|README/.test(p))).toEqual([]);
    const file = (role: string) => manifest.files.find((f) => f.role === role)!;
    expect(file('unet').inputs).toEqual([
      { name: 'sample', type: 'float32', shape: ['batch_size', 4, 'height', 'width'] },
      { name: 'timestep', type: 'int64', shape: [] },
      { name: 'encoder_hidden_states', type: 'float32', shape: ['batch_size', 'sequence_length', TINY_SDXL.width1 + TINY_SDXL.width2] },
      { name: 'text_embeds', type: 'float32', shape: ['batch_size', TINY_SDXL.projection] },
      { name: 'time_ids', type: 'float32', shape: ['batch_size', 6] },
    ]);
    expect(file('text_encoder_2').outputs?.map((o) => o.name)).toEqual(['text_embeds', 'last_hidden_state', 'hidden_states.0', 'hidden_states.1', 'hidden_states.2']);
    expect(file('text_encoder').outputs?.map((o) => o.name)).toEqual(['last_hidden_state', 'pooler_output', 'hidden_states.0', 'hidden_states.1', 'hidden_states.2']);
    expect(file('vae_decoder').inputs?.[0]?.type).toBe('float32');
    expect(manifest.recommended).toEqual({ width: 512, height: 512, steps: 1, guidanceScale: 0, scheduler: 'euler-ancestral' });
    expect(manifest.diffusion).toMatchObject({ timestepSpacing: 'trailing', vaeScalingFactor: 0.13025, padToken: '<|endoftext|>', padToken2: '!' });
    expect(readdirSync(join(work, 'models'))).toEqual(['sdxl-turbo']);
  });

  it('encodes a prompt as SDXL does: both penultimate hidden states side by side, the second encoder\'s text_embeds pooled', async () => {
    const pipeline = (await loadImageGenerator('sdxl-turbo', { modelDirs: [join(work, 'models')], env: {} })) as SdTurboPipeline;
    const { hidden, pooled } = await pipeline.encodePrompt('a red cat');
    const { width1, width2, layers } = TINY_SDXL;
    expect(hidden.dims).toEqual([1, 77, width1 + width2]);
    expect(pooled!.dims).toEqual([1, TINY_SDXL.projection]);
    const run = async (folder: string, pad: string) => {
      const tokenizer = await ClipTokenizer.fromFiles(join(pulled.dir, folder, 'vocab.json'), join(pulled.dir, folder, 'merges.txt'), 77, pad);
      const session = await createOnnxSession(join(pulled.dir, folder.replace('tokenizer', 'text_encoder'), 'model.onnx'));
      const out = await session.run({ input_ids: { data: Int32Array.from(tokenizer.encode('a red cat').ids), dims: [1, 77] } });
      await session.release();
      return out;
    };
    const first = await run('tokenizer', '<|endoftext|>');
    const second = await run('tokenizer_2', '!');
    const data = hidden.data as Float32Array;
    for (const t of [0, 5, 76]) {
      expect([...data.subarray(t * (width1 + width2), t * (width1 + width2) + width1)]).toEqual([...(first[`hidden_states.${layers - 1}`]!.data as Float32Array).subarray(t * width1, (t + 1) * width1)]);
      expect([...data.subarray(t * (width1 + width2) + width1, (t + 1) * (width1 + width2))]).toEqual([...(second[`hidden_states.${layers - 1}`]!.data as Float32Array).subarray(t * width2, (t + 1) * width2)]);
    }
    // Not the last layer's output, which SDXL does not use.
    expect(data[0]).not.toBe((first['last_hidden_state']!.data as Float32Array)[0]);
    expect([...(pooled!.data as Float32Array)]).toEqual([...(second['text_embeds']!.data as Float32Array)]);
    expect([...sdxlTimeIds(96, 64)]).toEqual([64, 96, 0, 0, 64, 96]);
  });

  it('image-gen draws pictures of the asked size, the same for a seed, different for another', async () => {
    const draw = async (name: string, seed: number, width: number, height: number) => {
      const result = await runOperation('image-gen', { prompt: 'a lighthouse at dusk', model: 'sdxl-turbo', modelDir: join(work, 'models'), width, height, seed, steps: 1, outputDir: join(work, 'out', name) });
      expect(result.model).toBe('sdxl-turbo');
      expect(result.images).toEqual([expect.objectContaining({ width, height, seed })]);
      const png = decodePng(readFileSync(result.images[0]!.path));
      expect([png.width, png.height]).toEqual([width, height]);
      return Buffer.from(png.rgb);
    };
    const a = await draw('a', 11, 64, 48);
    const again = await draw('again', 11, 64, 48);
    const other = await draw('other', 12, 64, 48);
    expect(a.equals(again)).toBe(true);
    expect(a.equals(other)).toBe(false);
    expect(new Set(a).size).toBeGreaterThan(20);
    // Two steps of Euler ancestral add seeded noise between them: still deterministic.
    const twoSteps = await runOperation('image-gen', { prompt: 'a lighthouse at dusk', model: 'sdxl-turbo', modelDir: join(work, 'models'), width: 64, height: 64, seed: 5, steps: 2, outputDir: join(work, 'out', 'two') });
    const twoAgain = await runOperation('image-gen', { prompt: 'a lighthouse at dusk', model: 'sdxl-turbo', modelDir: join(work, 'models'), width: 64, height: 64, seed: 5, steps: 2, outputDir: join(work, 'out', 'two-again') });
    expect(readFileSync(twoSteps.images[0]!.path).equals(readFileSync(twoAgain.images[0]!.path))).toBe(true);
  });

  it('models import detects the folder as SDXL-Turbo, takes the card\'s licence, and verifies it; an export missing text_encoder_2 is refused naming the file', async () => {
    const dir = join(work, 'export');
    const result = await importModel(dir);
    expect(result.layout).toBe('SDXL diffusers ONNX export (Optimum)');
    expect(result.manifest).toMatchObject({ id: 'export', family: 'sdxl-turbo', licence: { name: 'sai-nc-community', url: SDXL_TURBO_CARD.license_link } });
    expect(result.verification.ok).toBe(true);
    const broken = join(work, 'broken');
    writeSdxlTurboExport(broken);
    rmSync(join(broken, 'text_encoder_2'), { recursive: true });
    await expect(importModel(broken)).rejects.toThrow(`${broken} is not a complete SDXL diffusers ONNX export (Optimum): text_encoder_2/model.onnx is missing`);
    expect(existsSync(join(broken, 'framewright-model.json'))).toBe(false);
    const noData = join(work, 'no-data');
    writeSdxlTurboExport(noData);
    rmSync(join(noData, 'text_encoder_2', 'model.onnx_data'));
    await expect(importModel(noData)).rejects.toThrow(`${noData} is incomplete: text_encoder_2/model.onnx keeps its weights in text_encoder_2/model.onnx_data, which is missing`);
  });
});
