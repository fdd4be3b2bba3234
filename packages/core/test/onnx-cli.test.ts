// `framewright export-onnx` in-process through main() with captured streams: a checkpoint of a
// tiny model is exported, checked and reloaded; bad input fails with one line and writes nothing.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { captureIo } from './helpers/captured-io.js';
import { TRAIN_PRESETS, saveCheckpoint } from '../src/train/index.js';
import { TransformerModel } from '../src/transformer/model.js';
import { Rng } from '../src/transformer/random.js';
import { closeOnnxSessions, openOnnxSession } from '../src/runtime/onnx-session.js';
import { initTfjsBackend } from '../src/runtime/tfjs-backend.js';
import type { ExportOnnxResult } from '../src/cli/commands/export-onnx.js';

const PRESET = TRAIN_PRESETS['reverse-tiny']!;
let dir: string;
let run: string;
let checkpoint: string;

beforeAll(async () => {
  await initTfjsBackend();
  dir = await mkdtemp(join(tmpdir(), 'fw-export-onnx-'));
  run = join(dir, 'run');
  const model = new TransformerModel(PRESET.model, new Rng(9));
  const weights = new Map([...model.variables()].map(([n, v]) => [n, { shape: [...v.shape], data: v.dataSync() as Float32Array }]));
  checkpoint = await saveCheckpoint(run, {
    model: PRESET.model,
    weights,
    optimizer: new Map(),
    ema: undefined,
    state: { format: 'framewright-checkpoint', version: 1, step: 0, rng: new Rng(1).state(), losses: [], train: PRESET },
  });
  model.dispose();
});

afterAll(async () => {
  await closeOnnxSessions();
  await rm(dir, { recursive: true, force: true });
});

async function exportOnnx(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = captureIo(dir);
  const code = await main(['export-onnx', ...args], io);
  return { code, out: io.out, err: io.err };
}

describe('framewright export-onnx', () => {
  it('exports the latest checkpoint of a run, checks it against tfjs and prints the result', async () => {
    const { code, out, err } = await exportOnnx(['--checkpoint', 'run', '--out', 'models/reverse.onnx', '--json']);
    expect(err).toBe('');
    expect(code).toBe(0);
    const result = JSON.parse(out) as ExportOnnxResult;
    expect(result.path).toBe(join(dir, 'models', 'reverse.onnx'));
    expect(result.checkpoint).toBe(checkpoint);
    expect(result.maxAbsDiff).toBeLessThanOrEqual(1e-4);
    expect(result.model.opsets).toEqual({ '': 17 });
    expect(result.model.inputs).toEqual([{ name: 'ids', elemType: 6, dims: ['batch', 'seq'] }]);
    expect(result.model.outputs[0]).toMatchObject({ name: 'output', dims: ['batch', 'seq', PRESET.model.outputSize] });
    expect(readFileSync(result.path).byteLength).toBe(result.bytes);

    const session = await openOnnxSession(result.path);
    const { output } = await session.run({ ids: { data: new Int32Array(3 * 5), dims: [3, 5] } });
    expect(output!.dims).toEqual([3, 5, PRESET.model.outputSize]);
  });

  it('writes the requested opset and a mask input, and prints a readable summary', async () => {
    const { code, out } = await exportOnnx(['--checkpoint', checkpoint, '--out', 'opset20.onnx', '--opset', '20', '--mask']);
    expect(code).toBe(0);
    expect(out).toMatch(/^wrote .*opset20\.onnx \(\d+\.\d\d MB, opset 20, /);
    expect(out).toContain('inputs  ids [batch, seq], mask [batch, seq]');
    expect(out).toMatch(/checked in ONNX Runtime \(cpu\): max \|tfjs − onnx\| = \d\.\d\de-\d/);
  });

  it('names a missing flag, a bad opset, a missing folder and a corrupt checkpoint, writing nothing', async () => {
    const usage = await exportOnnx(['--out', 'x.onnx']);
    expect([usage.code, usage.err]).toEqual([2, 'framewright: export-onnx: --checkpoint DIR is required\n']);
    const opset = await exportOnnx(['--checkpoint', 'run', '--out', 'x.onnx', '--opset', '12']);
    expect(opset.code).toBe(2);
    expect(opset.err).toMatch(/--opset must be between 17 and 21, got 12/);
    const missing = await exportOnnx(['--checkpoint', 'nowhere', '--out', 'x.onnx']);
    expect(missing.code).toBe(3);
    expect(missing.err).toBe(`framewright: checkpoint folder not found: ${join(dir, 'nowhere')}\n`);

    const weights = join(checkpoint, 'weights.bin');
    const original = readFileSync(weights);
    writeFileSync(weights, original.subarray(0, original.byteLength - 8));
    try {
      const corrupt = await exportOnnx(['--checkpoint', 'run', '--out', 'new-folder/x.onnx', '--json']);
      expect(corrupt.code).not.toBe(0);
      expect(corrupt.err.trim().split('\n')).toHaveLength(1);
      expect(corrupt.err).toContain('weights');
      expect(JSON.parse(corrupt.out).error.code).toBe('CHECKPOINT_INVALID');
      expect(existsSync(join(dir, 'new-folder'))).toBe(false);
    } finally {
      writeFileSync(weights, original);
    }
  });
});
