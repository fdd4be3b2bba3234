import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OnnxGraphBuilder } from '../src/onnx/graph-builder.js';
import { inspectOnnxModel } from '../src/onnx/inspect.js';
import { formatOnnxProviderReport, resolveOnnxProviders } from '../src/runtime/onnx-providers.js';
import { cachedOnnxSessionCount, closeOnnxSessions, createOnnxSession, OnnxSession, openOnnxSession } from '../src/runtime/onnx-session.js';
import { ModelCache, releaseModelCaches } from '../src/runtime/model-cache.js';
import { isFramewrightError, type FramewrightError } from '../src/protocol/errors.js';

const IN = 4;
const OUT = 3;
const weight = Float32Array.from({ length: IN * OUT }, (_, i) => Math.sin(i + 1));
const bias = Float32Array.from({ length: OUT }, (_, i) => 0.25 * i - 0.5);

/** y = relu(x · W + b) with a dynamic batch axis. */
function affineModel(): Uint8Array {
  const g = new OnnxGraphBuilder('affine');
  const x = g.input('x', 'float32', ['batch', IN]);
  const w = g.initializer('dense.kernel', weight, [IN, OUT]);
  const b = g.initializer('dense.bias', bias, [OUT]);
  const y = g.node('Relu', [g.node('Add', [g.node('MatMul', [x, w]), b])]);
  g.output(y, 'y', ['batch', OUT]);
  return g.toBytes({ opset: 17, metadata: { component: 'affine' } });
}

function affineReference(x: Float32Array, batch: number): Float32Array {
  const y = new Float32Array(batch * OUT);
  for (let n = 0; n < batch; n++) {
    for (let o = 0; o < OUT; o++) {
      let sum = bias[o]!;
      for (let i = 0; i < IN; i++) sum += x[n * IN + i]! * weight[i * OUT + o]!;
      y[n * OUT + o] = Math.max(0, sum);
    }
  }
  return y;
}

async function expectError(promise: Promise<unknown>, code: string, pattern: RegExp): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isFramewrightError(error)).toBe(true);
  expect((error as FramewrightError).code).toBe(code);
  expect((error as FramewrightError).message).toMatch(pattern);
  expect((error as FramewrightError).message).not.toContain('\n');
}

let dir: string;
let modelPath: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fw-onnx-session-'));
  modelPath = join(dir, 'affine.onnx');
  await writeFile(modelPath, affineModel());
});

afterAll(async () => {
  await closeOnnxSessions();
  await rm(dir, { recursive: true, force: true });
});

describe('ONNX execution providers', () => {
  it('tries CUDA, DirectML and CoreML (where the build has them) and CPU separately, gives a reason for each not used, and chooses one that started', async () => {
    const report = await resolveOnnxProviders({});
    expect(report.attempts.map((a) => a.name)).toEqual(['cuda', 'dml', 'coreml', 'cpu']);
    for (const a of report.attempts) {
      if (a.name !== 'cpu' && !report.builtWith.includes(a.name)) {
        expect(a).toEqual({ name: a.name, status: 'skipped', detail: `not in this onnxruntime-node build for ${process.platform} ${process.arch} (it has ${report.builtWith.join(', ')})` });
      }
    }
    // onnxruntime-node's Linux build has no DirectML or CoreML.
    if (process.platform === 'linux') expect(formatOnnxProviderReport(report).filter((l) => / not used — not in this onnxruntime-node build/.test(l)).map((l) => l.split(':')[0])).toEqual(['dml', 'coreml']);
    const chosen = report.attempts.find((a) => a.name === report.chosen)!;
    expect(chosen.status).toBe('ok');
    for (const a of report.attempts) if (a.status === 'failed') expect(a.detail.length).toBeGreaterThan(0);
    expect(formatOnnxProviderReport(report).join('\n')).toContain(`${report.chosen}: ok (chosen`);
    expect(report.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('FRAMEWRIGHT_ORT_PROVIDER forces one provider; its failure is fatal and named', async () => {
    const cudaLoads = (await resolveOnnxProviders({})).attempts.find((a) => a.name === 'cuda')!.status === 'ok';
    vi.resetModules();
    const fresh = await import('../src/runtime/onnx-providers.js');
    const forced = fresh.resolveOnnxProviders({ FRAMEWRIGHT_ORT_PROVIDER: 'cuda' });
    if (cudaLoads) await expect(forced).resolves.toMatchObject({ chosen: 'cuda', forced: true });
    else await expectError(forced, 'BACKEND_UNAVAILABLE', /no ONNX Runtime execution provider could start: \[cuda\] /);
    await expectError(fresh.resolveOnnxProviders({ FRAMEWRIGHT_ORT_PROVIDER: 'tpu' }), 'INVALID_PARAMS', /FRAMEWRIGHT_ORT_PROVIDER=tpu is not an ONNX execution provider; valid names: cuda, dml, coreml, cpu/);
    await expect(fresh.resolveOnnxProviders({ FRAMEWRIGHT_ORT_PROVIDER: 'cpu' })).resolves.toMatchObject({ chosen: 'cpu', forced: true });
  });
});

describe('hand-built graphs through onnxruntime', () => {
  it('runs MatMul+Add+Relu equal to a JS reference for two batch sizes (dynamic batch)', async () => {
    const session = await openOnnxSession(modelPath, { intraOpThreads: 1 });
    expect(session.inputs).toEqual([{ name: 'x', type: 'float32', dims: ['batch', IN] }]);
    for (const batch of [1, 5]) {
      const x = Float32Array.from({ length: batch * IN }, (_, i) => Math.cos(i * 0.7) * 2);
      const { y } = await session.run({ x: { data: x, dims: [batch, IN] } });
      expect(y!.dims).toEqual([batch, OUT]);
      const want = affineReference(x, batch);
      const got = y!.data as Float32Array;
      for (let i = 0; i < want.length; i++) expect(Math.abs(got[i]! - want[i]!)).toBeLessThan(1e-6);
    }
  });

  it('writes a structurally complete model: IR version, opset, named dynamic inputs and outputs, metadata', () => {
    const summary = inspectOnnxModel(affineModel(), 'affine');
    expect(summary).toMatchObject({
      irVersion: 8,
      opsets: { '': 17 },
      producer: 'framewright',
      inputs: [{ name: 'x', elemType: 1, dims: ['batch', IN] }],
      outputs: [{ name: 'y', elemType: 1, dims: ['batch', OUT] }],
      opTypes: ['Add', 'Identity', 'MatMul', 'Relu'],
      initializerNames: ['dense.kernel', 'dense.bias'],
      parameterCount: IN * OUT + OUT,
      metadata: { component: 'affine' },
    });
  });

  it('refuses an opset it cannot write and a value name used twice', () => {
    const g = new OnnxGraphBuilder('bad');
    const x = g.input('x', 'float32', [1]);
    expect(() => g.input('x', 'float32', [1])).toThrow(/used twice/);
    g.output(x, 'y', [1]);
    expect(() => g.toModel({ opset: 11 })).toThrow(/unsupported ONNX opset 11/);
  });
});

describe('session cache', () => {
  it('returns the same session for the same file and options, another for other options', async () => {
    await closeOnnxSessions();
    const a = await openOnnxSession(modelPath, { intraOpThreads: 1 });
    const b = await openOnnxSession(modelPath, { intraOpThreads: 1 });
    const c = await openOnnxSession(modelPath, { intraOpThreads: 2 });
    expect(b).toBe(a);
    expect(c).not.toBe(a);
    expect(cachedOnnxSessionCount()).toBe(2);
  });

  it('opens a new session when the file is rewritten', async () => {
    const path = join(dir, 'rewritten.onnx');
    await writeFile(path, affineModel());
    const first = await openOnnxSession(path);
    await writeFile(path, Buffer.concat([Buffer.from(affineModel())]));
    const later = new Date(Date.now() + 5_000);
    await import('node:fs/promises').then((fs) => fs.utimes(path, later, later));
    const second = await openOnnxSession(path);
    expect(second).not.toBe(first);
  });

  it('closeOnnxSessions empties the model caches with the sessions, so nothing hands out a released one', async () => {
    await closeOnnxSessions();
    // A model cache like the built-in models': a value built on a cached session.
    const models = new ModelCache<{ session: OnnxSession }>();
    const load = vi.fn(async () => ({ session: await openOnnxSession(modelPath) }));
    const x = { x: { data: Float32Array.from([1, -2, 3, 0.5]), dims: [1, IN] } };
    const before = await (await models.get('affine', load)).session.run(x);
    expect(await models.get('affine', load)).toBe(await models.get('affine', load));
    expect(load).toHaveBeenCalledTimes(1);
    const release = vi.spyOn(OnnxSession.prototype, 'release');
    await closeOnnxSessions();
    expect(release).toHaveBeenCalledTimes(1);
    release.mockRestore();
    expect(models.size).toBe(0);
    expect(cachedOnnxSessionCount()).toBe(0);
    const again = await models.get('affine', load);
    expect(load).toHaveBeenCalledTimes(2);
    expect((await again.session.run(x)).y).toEqual(before.y);
  });

  it('does not keep a failed load, so the next call tries again', async () => {
    const cache = new ModelCache<string>();
    await expect(cache.get('k', () => Promise.reject(new Error('not yet')))).rejects.toThrow('not yet');
    expect(cache.size).toBe(0);
    expect(await cache.get('k', () => Promise.resolve('loaded'))).toBe('loaded');
    await releaseModelCaches();
    expect(cache.size).toBe(0);
  });
});

describe('bad models and bad inputs', () => {
  it('names a file that is not an ONNX model', async () => {
    const path = join(dir, 'notes.onnx');
    await writeFile(path, 'these are my notes, not a model\n');
    await expectError(createOnnxSession(path), 'MODEL_INVALID', /not an ONNX model: .*notes\.onnx/);
  });

  it('names a truncated model file', async () => {
    const path = join(dir, 'truncated.onnx');
    const bytes = affineModel();
    await writeFile(path, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    await expectError(createOnnxSession(path), 'MODEL_INVALID', /truncated\.onnx/);
  });

  it('names an empty file, a folder and a missing file', async () => {
    const empty = join(dir, 'empty.onnx');
    await writeFile(empty, '');
    await expectError(createOnnxSession(empty), 'MODEL_INVALID', /empty\.onnx is empty/);
    await expectError(createOnnxSession(dir), 'MODEL_INVALID', /is not a file/);
    await expectError(openOnnxSession(join(dir, 'missing.onnx')), 'MODEL_NOT_FOUND', /missing\.onnx/);
  });

  it('names the node when the input values cannot run (a token id beyond the table)', async () => {
    const g = new OnnxGraphBuilder('lookup');
    const ids = g.input('ids', 'int32', ['n']);
    g.output(g.node('Gather', [g.initializer('table', new Float32Array(8), [4, 2]), ids], { axis: 0 }), 'rows', ['n', 2]);
    const session = await createOnnxSession(g.toBytes());
    expect((await session.run({ ids: { data: Int32Array.of(3, 0), dims: [2] } })).rows!.dims).toEqual([2, 2]);
    await expectError(session.run({ ids: { data: Int32Array.of(9), dims: [1] } }), 'INVALID_PARAMS', /cannot run on these inputs: Gather node Gather_\d+: indices element out of data bounds, idx=9/);
    await session.release();
  });

  it('names a wrong input name, a missing input, a wrong shape, rank, element type and element count', async () => {
    const session = await openOnnxSession(modelPath);
    const data = new Float32Array(2 * IN);
    await expectError(session.run({ x: { data, dims: [2, IN] }, z: { data, dims: [2, IN] } }), 'INVALID_PARAMS', /no input named z; inputs: x/);
    await expectError(session.run({}), 'INVALID_PARAMS', /input x was not given/);
    await expectError(session.run({ x: { data, dims: [IN, 2] } }), 'INVALID_PARAMS', /input x has shape \[4, 2\]; expected \[batch, 4\]/);
    await expectError(session.run({ x: { data, dims: [2 * IN] } }), 'INVALID_PARAMS', /input x must have rank 2/);
    await expectError(session.run({ x: { data: new Int32Array(2 * IN), dims: [2, IN] } }), 'INVALID_PARAMS', /must be float32, got Int32Array/);
    await expectError(session.run({ x: { data, dims: [3, IN] } }), 'INVALID_PARAMS', /has 8 elements; shape \[3, 4\] needs 12/);
  });
});
