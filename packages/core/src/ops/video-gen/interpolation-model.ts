// Frame interpolation by a model pack of family `frame-interpolation` (RIFE-style ONNX: two frames
// [1,3,H,W] float in 0..1 and a timestep → the frame at that time). The pack is a folder with
// framewright-model.json (the models module's manifest); its model file is checked (size,
// SHA-256) before it is loaded.
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { RgbImage } from '../../image/index.js';
import { findModelPack, MODEL_MANIFEST_NAME, readModelPack, sha256File, type ModelPack } from '../../models/index.js';
import { cancelled, FramewrightError } from '../../protocol/index.js';
import { openOnnxSession, type OnnxSession, type OnnxValueSpec } from '../../runtime/onnx-session.js';

/** An opened model: `between(a, b, t)` is the frame at time `t` between `a` and `b`. */
export interface FrameInterpolator {
  /** The pack id. */
  readonly id: string;
  /** Notes for the result. */
  readonly warnings: string[];
  /** The interpolated frame (RGB bytes at the frames' size). */
  between(a: RgbImage, b: RgbImage, t: number, signal: AbortSignal): Promise<Uint8Array>;
}

const isFile = (p: string) => stat(p).then((s) => s.isFile(), () => false);

/**
 * The pack `model` names: a pack folder, or the id of a pack in the model search folders (the
 * same folders, order and manifest as image-gen's packs); it must be a frame-interpolation pack.
 */
async function openPack(model: string): Promise<ModelPack> {
  const pack = (await isFile(join(resolve(model), MODEL_MANIFEST_NAME))) ? await readModelPack(resolve(model)) : await findModelPack(model);
  if (pack.manifest.family !== 'frame-interpolation') {
    throw new FramewrightError('MODEL_INVALID', `model pack ${pack.manifest.id} is a ${pack.manifest.family} pack, not a frame-interpolation one`);
  }
  return pack;
}

/** The model's inputs: the two 4-D frame inputs in order, and the timestep. */
function ioOf(session: OnnxSession, what: string): { frame0: OnnxValueSpec; frame1: OnnxValueSpec; timestep: OnnxValueSpec; output: string } {
  const frames = session.inputs.filter((i) => i.dims.length === 4 && i.type === 'float32' && i.dims[1] === 3);
  const timestep = session.inputs.find((i) => !frames.slice(0, 2).includes(i));
  const output = session.outputs[0];
  if (frames.length < 2 || timestep === undefined || timestep.type !== 'float32' || session.inputs.length !== 3 || output === undefined) {
    throw new FramewrightError('MODEL_INVALID', `${what} is not a frame-interpolation model: it needs two float32 [1,3,H,W] frame inputs and a float32 timestep; it has ${session.inputs.map((i) => `${i.name} ${i.type} [${i.dims.join(',')}]`).join(', ')}`);
  }
  return { frame0: frames[0]!, frame1: frames[1]!, timestep, output: output.name };
}

/** HWC bytes → CHW floats in 0..1, edge-padded to `pw × ph`. */
function toPlanar(image: RgbImage, pw: number, ph: number): Float32Array {
  const out = new Float32Array(3 * pw * ph);
  const plane = pw * ph;
  for (let y = 0; y < ph; y++) {
    const sy = Math.min(y, image.height - 1);
    for (let x = 0; x < pw; x++) {
      const s = (sy * image.width + Math.min(x, image.width - 1)) * 3;
      const d = y * pw + x;
      out[d] = image.rgb[s]! / 255;
      out[plane + d] = image.rgb[s + 1]! / 255;
      out[2 * plane + d] = image.rgb[s + 2]! / 255;
    }
  }
  return out;
}

/** CHW floats (padded `pw` wide) → HWC bytes of `width × height`, clamped and rounded. */
function fromPlanar(data: Float32Array, pw: number, ph: number, width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height * 3);
  const plane = pw * ph;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const s = y * pw + x;
      const d = (y * width + x) * 3;
      for (let c = 0; c < 3; c++) out[d + c] = Math.round(Math.min(1, Math.max(0, data[c * plane + s]!)) * 255);
    }
  }
  return out;
}

/**
 * Opens the frame-interpolation pack `model` (a folder, or an id) for frames of `size`.
 * @throws FramewrightError `MODEL_NOT_FOUND`, `MODEL_INVALID` (manifest, file size or hash,
 *   signature)
 */
export async function openFrameInterpolator(model: string, size: { width: number; height: number }): Promise<FrameInterpolator> {
  const pack = await openPack(model);
  const { manifest } = pack;
  const file = manifest.files.find((f) => f.role === 'model') ?? manifest.files[0]!;
  const path = join(pack.dir, file.path);
  const info = await stat(path).catch(() => undefined);
  if (info === undefined) throw new FramewrightError('MODEL_INVALID', `model pack ${manifest.id}: ${path} is missing`);
  if (info.size !== file.size) throw new FramewrightError('MODEL_INVALID', `model pack ${manifest.id}: ${path} has ${info.size} bytes, the manifest says ${file.size}`);
  if ((await sha256File(path)) !== file.sha256) throw new FramewrightError('MODEL_INVALID', `model pack ${manifest.id}: ${path} does not match its SHA-256 in the manifest`);
  const session = await openOnnxSession(path);
  const io = ioOf(session, path);
  const align = manifest.alignment ?? 1;
  const pw = Math.ceil(size.width / align) * align;
  const ph = Math.ceil(size.height / align) * align;
  for (const input of [io.frame0, io.frame1]) {
    const [, , h, w] = input.dims;
    if ((typeof h === 'number' && h !== ph) || (typeof w === 'number' && w !== pw)) {
      throw new FramewrightError('MODEL_INVALID', `model pack ${manifest.id} takes ${w}x${h} frames; this video is ${size.width}x${size.height}`);
    }
  }
  // A timestep is a scalar per batch ([1], [1,1], [1,1,1,1]) or a full map [1,1,H,W].
  const timestepDims = io.timestep.dims.length === 4 && (typeof io.timestep.dims[2] !== 'number' || io.timestep.dims[2] > 1)
    ? [1, 1, ph, pw]
    : io.timestep.dims.map(() => 1);
  const timestepSize = timestepDims.reduce((a, b) => a * b, 1);
  const cache = new WeakMap<RgbImage, Float32Array>();
  const planar = (image: RgbImage) => {
    let p = cache.get(image);
    if (p === undefined) cache.set(image, (p = toPlanar(image, pw, ph)));
    return p;
  };
  return {
    id: manifest.id,
    warnings: [`in-between frames by the frame-interpolation model ${manifest.id}`],
    async between(a, b, t, signal) {
      if (signal.aborted) throw cancelled('video-gen');
      const out = await session.run({
        [io.frame0.name]: { data: planar(a), dims: [1, 3, ph, pw] },
        [io.frame1.name]: { data: planar(b), dims: [1, 3, ph, pw] },
        [io.timestep.name]: { data: new Float32Array(timestepSize).fill(t), dims: timestepDims },
      });
      const frame = out[io.output];
      if (frame === undefined || !(frame.data instanceof Float32Array) || frame.data.length !== 3 * pw * ph) {
        throw new FramewrightError('MODEL_INVALID', `model pack ${manifest.id} returned [${frame?.dims.join(', ') ?? 'nothing'}], not a [1,3,${ph},${pw}] float frame`);
      }
      return fromPlanar(frame.data, pw, ph, size.width, size.height);
    },
  };
}
