// docs/models.md's "Getting real models" commands, run as written against a stand-in Hub that
// serves tiny replicas under the real repositories' names (onnxruntime/sd-turbo as the CUDA-only
// float16 export, stabilityai/sdxl-turbo as its Optimum export, elya5/transnetv2 as one TransNetV2 .onnx), with the Optimum export's folder
// where `optimum-cli export onnx` would have written it.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli/main.js';
import { EXIT } from '../src/cli/exit-codes.js';
import { detectLayout, listInstalledModels } from '../src/models/index.js';
import { resolveOnnxProviders } from '../src/runtime/onnx-providers.js';
import { captureIo } from './helpers/captured-io.js';
import { SD_TURBO_CARD, SDXL_TURBO_CARD, writeSdTurboExport, writeSdxlTurboExport } from './helpers/export-replicas.js';
import { buildShotModelReplica } from './helpers/shot-model-replica.js';
import { filesOfFolder, startTestHub, type TestHub } from './helpers/test-hub.js';

const GUIDE = resolve(import.meta.dirname, '..', '..', '..', 'docs', 'models.md');
let work: string;
let hub: TestHub;
let env: Record<string, string>;

/** The `npx framewright` lines of the section's shell blocks, as argument lists (one quoted argument undone). */
function sectionCommands(title: string): string[][] {
  const text = readFileSync(GUIDE, 'utf8');
  const start = text.indexOf(`## ${title}\n`);
  const section = text.slice(start, text.indexOf('\n## ', start + 1));
  const lines: string[][] = [];
  for (const block of section.matchAll(/```sh\n([\s\S]*?)```/g)) {
    for (const line of block[1]!.split('\n')) {
      const m = /^npx framewright (.*?)(?:\s+#.*)?$/.exec(line.trim());
      if (m) lines.push(m[1]!.match(/"[^"]*"|\S+/g)!.map((a) => a.replace(/^"(.*)"$/, '$1')));
    }
  }
  return lines;
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'fw-guide-'));
  writeSdTurboExport(join(work, 'replicas', 'sd-turbo'), 'onnxruntime-fp16-cuda');
  writeSdTurboExport(join(work, 'sd-turbo-onnx'), 'optimum-fp32');
  writeSdxlTurboExport(join(work, 'replicas', 'sdxl-turbo'));
  hub = await startTestHub([
    { id: 'onnxruntime/sd-turbo', files: filesOfFolder(join(work, 'replicas', 'sd-turbo')), cardData: SD_TURBO_CARD },
    { id: 'stabilityai/sdxl-turbo', files: filesOfFolder(join(work, 'replicas', 'sdxl-turbo')), cardData: SDXL_TURBO_CARD },
    { id: 'elya5/transnetv2', files: [{ path: 'transnetv2.onnx', bytes: buildShotModelReplica().bytes }, { path: 'README.md', bytes: new TextEncoder().encode('# TransNetV2\n') }] },
  ]);
  env = { HF_ENDPOINT: hub.endpoint, FRAMEWRIGHT_CONFIG_DIR: join(work, 'config') };
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await hub.close();
  rmSync(work, { recursive: true, force: true });
});

describe('docs/models.md: Getting real models', () => {
  it('runs every command of the section against the stand-in Hub', async () => {
    const commands = sectionCommands('Getting real models');
    expect(commands.map((c) => c.slice(0, 2).join(' '))).toEqual(['models pull', 'models import', 'image-gen --prompt', 'models pull', 'image-gen --prompt', 'models pull']);
    const cuda = (await resolveOnnxProviders()).chosen === 'cuda';
    // image-gen looks for packs where the process's environment says (the config folder's models/).
    vi.stubEnv('FRAMEWRIGHT_CONFIG_DIR', env['FRAMEWRIGHT_CONFIG_DIR']!);
    for (const args of commands) {
      const io = captureIo(work, { env });
      const code = await main(args, io);
      expect(code, `framewright ${args.join(' ')}: ${io.err}`).toBe(EXIT.ok);
      if (args[1] === 'pull' && args[2] === 'onnxruntime/sd-turbo') {
        expect(io.err).toContain('licence: sai-nc-community');
        expect(io.out).toContain('use it as --model sd-turbo');
        if (!cuda) expect(io.out).toContain('note: this export runs on cuda only');
      }
      if (args[1] === 'pull' && args[2] === 'stabilityai/sdxl-turbo') expect(io.out).toContain('use it as --model sdxl-turbo');
      if (args[0] === 'image-gen') expect(io.out).toContain('images');
    }
    const installed = await listInstalledModels({ env });
    expect(installed.map((m) => [m.id, m.family, m.status])).toEqual([
      ['sd-turbo', 'sd-turbo', 'ok'],
      ['sdxl-turbo', 'sdxl-turbo', 'ok'],
      ['transnetv2', 'shot-detection', 'ok'],
    ]);
  });

  it('the pulled CUDA-only pack is refused on CPU as the guide says, naming the import it shows', async () => {
    if ((await resolveOnnxProviders()).chosen === 'cuda') return;
    const io = captureIo(work, { env });
    expect(await main(['image-gen', '--prompt', 'a lighthouse at dusk', '--model', 'sd-turbo', '--model-dir', join(work, 'config', 'models'), '--out', 'images'], io)).toBe(EXIT.unavailable);
    expect(io.err).toContain('runs only on CUDA, as its model card says (it cannot run on CPU or DirectML)');
    expect(io.err).toContain('`optimum-cli export onnx --model stabilityai/sd-turbo sd-turbo-onnx`, then `framewright models import sd-turbo-onnx`');
    expect(readFileSync(GUIDE, 'utf8')).toContain('optimum-cli export onnx --model stabilityai/sd-turbo sd-turbo-onnx');
  });

  it('an SDXL export missing its second tokenizer is refused naming the files, as the interfaces section lists them', () => {
    expect(() => detectLayout(['model_index.json', 'text_encoder/model.onnx', 'text_encoder_2/model.onnx', 'unet/model.onnx', 'vae_decoder/model.onnx', 'tokenizer/vocab.json', 'tokenizer/merges.txt'], 'sdxl-turbo-onnx')).toThrow(
      'sdxl-turbo-onnx is not a complete SDXL diffusers ONNX export (Optimum): tokenizer_2/vocab.json, tokenizer_2/merges.txt are missing',
    );
    expect(readFileSync(GUIDE, 'utf8')).not.toContain('Not run yet');
  });
});
