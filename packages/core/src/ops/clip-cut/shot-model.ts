// clip-cut's `model` detector: a shot-detection model pack (TransNetV2's interface, see
// models/shot-detection.ts) run over the frames of the analysis decode. Frames arrive one at a
// time at the analysis size and are resized to 48×27; a window of 100 is handed to ONNX Runtime as
// soon as its last frame is in, while the decode goes on, so memory is a ring of 100 small frames
// and two input tensors whatever the video's length, plus two floats per frame of output.
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { RgbResizer } from '../../image/index.js';
import {
  findModelPack,
  listInstalledModels,
  MODEL_MANIFEST_NAME,
  modelSearchDirs,
  readModelPack,
  sha256File,
  SHOT_MODEL_FRAME,
  SHOT_MODEL_WINDOW,
  shotModelIo,
  type ModelPack,
  type ModelSearchOptions,
  type ShotModelIo,
} from '../../models/index.js';
import { FramewrightError, oneLine } from '../../protocol/index.js';
import { openOnnxSession, type OnnxSession, type OnnxTensorData } from '../../runtime/onnx-session.js';
import { Series } from './series.js';

/** What a shot-detection model said about every frame of a video. */
export interface ShotModelScores {
  /** Probability (0-1) that frame `i` is the last frame before a transition (a cut starts at `i + 1`). */
  readonly cut: Float32Array;
  /** Probability (0-1) that frame `i` is part of a gradual transition, when the model has that head. */
  readonly transition?: Float32Array;
}

const { frames: WINDOW, step: STEP, context: CONTEXT } = SHOT_MODEL_WINDOW;
const FRAME_BYTES = SHOT_MODEL_FRAME.width * SHOT_MODEL_FRAME.height * SHOT_MODEL_FRAME.channels;

const isFile = (p: string) => stat(p).then((s) => s.isFile(), () => false);

/**
 * The shot-detection pack `model` names: a pack folder, or a pack id in the model search folders;
 * without `model`, the first installed shot-detection pack.
 * @throws FramewrightError `MODEL_NOT_FOUND` (no such pack, or none installed), `MODEL_INVALID`
 *   (a broken pack, or one of another family)
 */
export async function findShotModelPack(model: string | undefined, search: ModelSearchOptions = {}): Promise<ModelPack> {
  let pack: ModelPack;
  if (model !== undefined) {
    pack = (await isFile(join(resolve(model), MODEL_MANIFEST_NAME))) ? await readModelPack(resolve(model)) : await findModelPack(model, search);
  } else {
    const installed = (await listInstalledModels(search)).find((m) => m.family === 'shot-detection' && m.status === 'ok');
    if (installed === undefined) {
      throw new FramewrightError(
        'MODEL_NOT_FOUND',
        `the model detector needs a shot-detection model pack and none is installed (searched ${modelSearchDirs(search).join(', ')}); see "Shot detection packs" in docs/models.md`,
        { pointer: '/model' },
      );
    }
    pack = await readModelPack(installed.dir);
  }
  if (pack.manifest.family !== 'shot-detection') {
    throw new FramewrightError('MODEL_INVALID', `model pack ${pack.manifest.id} is a ${pack.manifest.family} pack, not a shot-detection one`, { pointer: '/model' });
  }
  return pack;
}

/** A shot-detection pack, opened and checked, ready to run over one video at a time. */
export interface ShotModel {
  /** The pack id. */
  readonly id: string;
  /** How its tensors are fed and read. */
  readonly io: ShotModelIo;
  /** A runner for one video. */
  runner(): ShotModelRunner;
}

/**
 * Opens the shot-detection pack `model` (see {@link findShotModelPack}): its model file is checked
 * against the manifest's size and SHA-256, loaded, and checked for TransNetV2's interface.
 * @throws FramewrightError `MODEL_NOT_FOUND`, or `MODEL_INVALID` naming what is wrong (a changed
 *   file, a missing tensor name, a wrong input shape)
 */
export async function openShotModel(model: string | undefined, search: ModelSearchOptions = {}): Promise<ShotModel> {
  const pack = await findShotModelPack(model, search);
  const { manifest } = pack;
  const file = manifest.files.find((f) => f.role === 'model')!;
  const path = join(pack.dir, file.path);
  const info = await stat(path).catch(() => undefined);
  if (info === undefined) throw new FramewrightError('MODEL_INVALID', `model pack ${manifest.id}: ${path} is missing`);
  if (info.size !== file.size) throw new FramewrightError('MODEL_INVALID', `model pack ${manifest.id}: ${path} has ${info.size} bytes, the manifest says ${file.size}`);
  if ((await sha256File(path)) !== file.sha256) throw new FramewrightError('MODEL_INVALID', `model pack ${manifest.id}: ${path} does not match its SHA-256 in the manifest`);
  // One window every 50 frames, beside the decode: idle threads must not spin.
  const session = await openOnnxSession(path, { spinning: false });
  const io = shotModelIo(session, manifest.shotDetection, path);
  return { id: manifest.id, io, runner: () => new ShotModelRunner(session, io, manifest.id) };
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/**
 * Runs a shot-detection model over one video's frames, in TransNetV2's windows: the video padded
 * with 25 copies of its first frame and enough copies of its last, windows of 100 every 50 frames,
 * the middle 50 outputs of each kept. Feed every frame with {@link ShotModelRunner.push} (await
 * what it returns), then call {@link ShotModelRunner.finish} once.
 */
export class ShotModelRunner {
  /** The last 100 frames at 48×27, indexed by frame number modulo 100. */
  private readonly ring = Array.from({ length: WINDOW }, () => new Uint8Array(FRAME_BYTES));
  /** Two input tensors: one being filled while the other is being run. */
  private readonly inputs: OnnxTensorData[];
  private readonly cut = new Series();
  private readonly transition: Series | undefined;
  private received = 0;
  private nextWindow = 0;
  private running: Promise<void> | undefined;
  private failure: unknown;
  private finished = false;
  private resizer: RgbResizer | undefined;

  /** Windows run so far. */
  windows = 0;

  /** @internal Made by {@link ShotModel.runner}. */
  constructor(
    private readonly session: OnnxSession,
    private readonly io: ShotModelIo,
    private readonly id: string,
  ) {
    const make = () => (io.inputType === 'uint8' ? new Uint8Array(WINDOW * FRAME_BYTES) : new Float32Array(WINDOW * FRAME_BYTES));
    this.inputs = [make(), make()];
    this.transition = io.transitionOutput === undefined ? undefined : new Series();
  }

  /** Bytes this runner holds besides its output (the same for a video of any length). */
  get heldBytes(): number {
    return this.ring.length * FRAME_BYTES + this.inputs.reduce((sum, t) => sum + t.byteLength, 0);
  }

  /**
   * Takes the next frame (RGB24, `width × height`; resized to 48×27 unless it is that size). The
   * buffer may be reused once this returns. Returns a promise when it started a window and had to
   * wait for the one before; otherwise nothing, so a caller pays for no await per frame.
   */
  push(rgb: Uint8Array, width: number, height: number): Promise<void> | undefined {
    if (this.finished) throw new FramewrightError('INTERNAL', 'shot model runner: push after finish');
    const slot = this.ring[this.received % WINDOW]!;
    const { width: w, height: h } = SHOT_MODEL_FRAME;
    if (width === w && height === h) slot.set(rgb.subarray(0, FRAME_BYTES));
    else {
      if (this.resizer?.sourceWidth !== width || this.resizer.sourceHeight !== height) this.resizer = new RgbResizer(width, height, w, h);
      this.resizer.resize(rgb, slot);
    }
    this.received++;
    // Window k covers frames 50k-25 … 50k+74 and can run once its last frame is in.
    if (this.received - 1 < this.nextWindow * STEP + WINDOW - CONTEXT - 1) return undefined;
    return this.launch(this.nextWindow++, Number.POSITIVE_INFINITY);
  }

  /**
   * Runs the windows left (padded with the last frame) and returns every frame's scores.
   * @throws FramewrightError `MODEL_INVALID` when the model's outputs are not 100 scores a window
   */
  async finish(): Promise<ShotModelScores> {
    this.finished = true;
    const n = this.received;
    while (this.nextWindow * STEP < n) await this.launch(this.nextWindow++, n - 1);
    await this.settle();
    const cut = this.cut.done(n);
    return this.transition === undefined ? { cut } : { cut, transition: this.transition.done(n) };
  }

  private async settle(): Promise<void> {
    await this.running;
    this.running = undefined;
    if (this.failure !== undefined) throw this.failure;
  }

  /** Fills window `k`'s input (frame numbers clamped to 0 … last), waits for the window before, starts this one. */
  private async launch(k: number, last: number): Promise<void> {
    const data = this.inputs[k % 2]!;
    const scale = this.io.inputScale;
    for (let j = 0; j < WINDOW; j++) {
      const frame = Math.min(last, Math.max(0, k * STEP - CONTEXT + j));
      const source = this.ring[frame % WINDOW]!;
      if (data instanceof Uint8Array) data.set(source, j * FRAME_BYTES);
      else for (let i = 0, o = j * FRAME_BYTES; i < FRAME_BYTES; i++, o++) data[o] = source[i]! * scale;
    }
    await this.settle();
    const dims = [1, WINDOW, SHOT_MODEL_FRAME.height, SHOT_MODEL_FRAME.width, SHOT_MODEL_FRAME.channels];
    this.running = this.session.run({ [this.io.input]: { data, dims } }).then(
      (outputs) => this.keep(outputs),
      (error: unknown) => {
        // The feeds were checked against the model's declared inputs, so this is the model itself.
        const detail = oneLine(error instanceof Error ? error.message : String(error));
        this.failure = new FramewrightError('MODEL_INVALID', `shot-detection model ${this.id} failed on window ${k}: ${detail}`, { cause: error });
      },
    );
    this.windows++;
  }

  /** Keeps the middle 50 scores of a window (the frames the next window does not cover better). */
  private keep(outputs: Record<string, { data: OnnxTensorData; dims: readonly number[] }>): void {
    const read = (name: string) => {
      const value = outputs[name];
      if (value === undefined || !(value.data instanceof Float32Array) || value.data.length !== WINDOW) {
        throw new FramewrightError('MODEL_INVALID', `shot-detection model ${this.id}: output ${name} gave [${value?.dims.join(', ') ?? 'nothing'}], not 100 scores for a window of 100 frames`);
      }
      return value.data;
    };
    try {
      const cut = read(this.io.cutOutput);
      const transition = this.io.transitionOutput === undefined ? undefined : read(this.io.transitionOutput);
      const squash = this.io.logits ? sigmoid : (x: number) => x;
      for (let j = CONTEXT; j < CONTEXT + STEP; j++) {
        this.cut.push(squash(cut[j]!));
        if (transition !== undefined) this.transition!.push(squash(transition[j]!));
      }
    } catch (error) {
      this.failure = error instanceof FramewrightError ? error : new FramewrightError('MODEL_INVALID', `shot-detection model ${this.id}: ${oneLine(String(error))}`);
    }
  }
}
