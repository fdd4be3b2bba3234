import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runOperation } from '../src/engine/index.js';
import { OnnxGraphBuilder } from '../src/onnx/graph-builder.js';
import { decodeRgbFrames, drawBox, tempDir } from './helpers/video-gen.js';

// A tiny model with RIFE's signature (two [1,3,H,W] frames and a timestep in, a frame out) whose
// answer is known exactly: frame0 + t·(frame1 − frame0).
function lerpModel(): Uint8Array {
  const g = new OnnxGraphBuilder('lerp-interpolator');
  const a = g.input('img0', 'float32', [1, 3, 'height', 'width']);
  const b = g.input('img1', 'float32', [1, 3, 'height', 'width']);
  const t = g.input('timestep', 'float32', [1, 1, 1, 1]);
  g.output(g.node('Add', [a, g.node('Mul', [t, g.node('Sub', [b, a])])]), 'output', [1, 3, 'height', 'width']);
  return g.toBytes();
}

/** One input only: not a frame-interpolation model. */
function identityModel(): Uint8Array {
  const g = new OnnxGraphBuilder('identity');
  const x = g.input('x', 'float32', [1, 3, 'height', 'width']);
  g.output(g.node('Identity', [x]), 'y', [1, 3, 'height', 'width']);
  return g.toBytes();
}

async function writePack(dir: string, id: string, model: Uint8Array, extra: Record<string, unknown> = {}, sha256?: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'model.onnx'), model);
  const manifest = {
    manifestVersion: 1,
    id,
    family: 'frame-interpolation',
    task: 'frame-interpolation',
    licence: { name: 'MIT' },
    files: [{ path: 'model.onnx', role: 'model', size: model.length, sha256: sha256 ?? createHash('sha256').update(model).digest('hex') }],
    ...extra,
  };
  await writeFile(join(dir, 'framewright-model.json'), JSON.stringify(manifest));
  return dir;
}

/** The float32 arithmetic the model does, byte for byte as video-gen rounds it. */
function expectedLerp(a: Uint8Array, b: Uint8Array, t: number): Uint8Array {
  const f = Math.fround;
  const t32 = f(t);
  return a.map((av, i) => {
    const a32 = f(av / 255);
    const v = f(a32 + f(t32 * f(f(b[i]! / 255) - a32)));
    return Math.round(Math.min(1, Math.max(0, v)) * 255);
  });
}

const W = 192;
const H = 108;
let dir: string;
let keyframes: string[];

beforeAll(async () => {
  dir = tempDir('fw-video-gen-model-');
  keyframes = [
    await drawBox(dir, 'a', { width: W, height: H, x: 40, y: 30, box: 30 }),
    await drawBox(dir, 'b', { width: W, height: H, x: 90, y: 50, box: 30 }),
  ];
});

describe('video-gen interpolate with a frame-interpolation model pack', () => {
  it('runs the pack for every in-between (padded to its alignment and cropped back) with exact outputs', async () => {
    const pack = await writePack(join(dir, 'packs', 'lerp'), 'tiny-lerp', lerpModel(), { alignment: 32 });
    const result = await runOperation('video-gen', { mode: 'interpolate', keyframes, frames: 5, fps: 12, model: pack, format: 'png-sequence', outputDir: join(dir, 'out') });
    expect(result.warnings).toEqual(['in-between frames by the frame-interpolation model tiny-lerp']);
    const frames = await decodeRgbFrames(join(result.path, 'frame-%05d.png'), W, H);
    expect(frames).toHaveLength(5);
    for (let j = 1; j <= 3; j++) {
      const expected = expectedLerp(frames[0]!, frames[4]!, j / 4);
      const differing = frames[j]!.filter((v, i) => v !== expected[i]).length;
      expect(differing, `in-between ${j}`).toBe(0);
    }
  }, 60_000);

  it('finds a pack by id in FRAMEWRIGHT_MODELS_DIR', async () => {
    await writePack(join(dir, 'by-id', 'lerp'), 'lerp-by-id', lerpModel());
    const before = process.env['FRAMEWRIGHT_MODELS_DIR'];
    process.env['FRAMEWRIGHT_MODELS_DIR'] = join(dir, 'by-id');
    try {
      const result = await runOperation('video-gen', { mode: 'interpolate', keyframes, frames: 3, model: 'lerp-by-id', outputDir: join(dir, 'by-id-out') });
      expect(result.frames).toBe(3);
    } finally {
      if (before === undefined) delete process.env['FRAMEWRIGHT_MODELS_DIR'];
      else process.env['FRAMEWRIGHT_MODELS_DIR'] = before;
    }
  }, 60_000);

  it('refuses a missing pack, a model file that does not match its hash, and a model of the wrong signature; writes nothing', async () => {
    const out = join(dir, 'refused');
    const run = (model: string) => runOperation('video-gen', { mode: 'interpolate', keyframes, frames: 3, model, outputDir: out });
    await expect(run('no-such-pack')).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND', message: expect.stringMatching(/^unknown model "no-such-pack"; installed packs: /) as unknown });
    const tampered = await writePack(join(dir, 'packs', 'tampered'), 'tampered', lerpModel(), {}, '0'.repeat(64));
    await expect(run(tampered)).rejects.toMatchObject({ code: 'MODEL_INVALID', message: expect.stringMatching(/does not match its SHA-256/) as unknown });
    const wrong = await writePack(join(dir, 'packs', 'identity'), 'identity', identityModel());
    await expect(run(wrong)).rejects.toMatchObject({ code: 'MODEL_INVALID', message: expect.stringMatching(/is not a frame-interpolation model: it needs two float32 \[1,3,H,W\] frame inputs and a float32 timestep; it has x float32 \[1,3,height,width\]/) as unknown });
    await expect(runOperation('video-gen', { mode: 'interpolate', keyframes, interpolation: 'model', outputDir: out })).rejects.toMatchObject({ code: 'INVALID_PARAMS', pointer: '/model' });
    // A refused run leaves not even the output folder it would have made.
    expect(existsSync(out)).toBe(false);
  }, 60_000);
});
