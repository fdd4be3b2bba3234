import * as ort from 'onnxruntime-node';
import { readFile, stat } from 'node:fs/promises';
import { resolve as resolvePath } from 'node:path';
import { FramewrightError, oneLine } from '../protocol/errors.js';
import { inspectOnnxModel } from '../onnx/index.js';
import { ModelCache, releaseModelCaches } from './model-cache.js';
import { resolveOnnxProviders, type OnnxProviderName } from './onnx-providers.js';

/**
 * Tensor element buffers a session accepts and returns (`Uint8Array` for `bool` and `uint8`).
 * float16 tensors are converted at the boundary: fed as `Float32Array` (or their bit patterns in a
 * `Uint16Array`) and returned as `Float32Array`.
 */
export type OnnxTensorData = Float32Array | Int32Array | BigInt64Array | Uint8Array | Uint16Array;

/** A tensor passed to or returned by {@link OnnxSession.run}: row-major data and its shape. */
export interface OnnxTensorValue<D extends OnnxTensorData = OnnxTensorData> {
  /** Row-major elements. */
  data: D;
  /** Shape; the product must equal `data.length`. */
  dims: readonly number[];
}

/** Options that shape a session; part of the session cache key. */
export interface OnnxSessionOptions {
  /**
   * Execution provider. Default: the one {@link resolveOnnxProviders} chose (CUDA when it
   * loads, else CPU).
   */
  provider?: OnnxProviderName;
  /** Threads inside one operator (ONNX Runtime's default, 0, uses every physical core). */
  intraOpThreads?: number;
  /** Threads across independent operators (only used with `executionMode: 'parallel'`). */
  interOpThreads?: number;
  /** Graph rewrites before the first run. Default `all` (fusions such as LayerNorm/GELU/attention). */
  graphOptimization?: 'disabled' | 'basic' | 'extended' | 'all';
  /** Run independent branches sequentially (default) or in parallel. */
  executionMode?: 'sequential' | 'parallel';
  /**
   * Let idle operator threads spin waiting for work (ONNX Runtime's default, true). A model run
   * now and then beside other work (a decode) should not spin: the spinning takes the CPU the
   * other work needs.
   */
  spinning?: boolean;
}

/** A declared input or output of a loaded model. */
export interface OnnxValueSpec {
  /** Value name. */
  name: string;
  /** Element type (`float32`, `int64`, …). */
  type: string;
  /** Fixed sizes as numbers, symbolic (dynamic) axes by name. */
  dims: ReadonlyArray<number | string>;
}

const TYPE_OF_DATA: ReadonlyArray<[new (...args: never[]) => OnnxTensorData, readonly string[]]> = [
  [Float32Array, ['float32', 'float16']],
  [Uint16Array, ['float16']],
  [Int32Array, ['int32']],
  [BigInt64Array, ['int64']],
  [Uint8Array, ['bool', 'uint8']],
];

/**
 * A loaded ONNX model on one execution provider. {@link OnnxSession.run} checks every feed
 * against the model's declared inputs before calling ONNX Runtime, so a wrong name, type or
 * shape is a one-line error naming the model and the input.
 *
 * @example
 * ```ts
 * const session = await openOnnxSession('model.onnx', { intraOpThreads: 1 });
 * const { y } = await session.run({ x: { data: new Float32Array(8 * 64 * 128), dims: [8, 64, 128] } });
 * ```
 */
export class OnnxSession {
  /** Declared inputs, in model order. */
  readonly inputs: readonly OnnxValueSpec[];
  /** Declared outputs, in model order. */
  readonly outputs: readonly OnnxValueSpec[];

  /** How errors name the model: its path, or `<ONNX model bytes>`. */
  readonly what: string;
  /** The execution provider it runs on. */
  readonly provider: OnnxProviderName;
  /** The options it was created with. */
  readonly options: Readonly<OnnxSessionOptions>;
  private readonly inner: ort.InferenceSession;

  /**
   * Sessions come from {@link createOnnxSession} and {@link openOnnxSession}.
   * @internal
   */
  constructor(inner: ort.InferenceSession, what: string, provider: OnnxProviderName, options: Readonly<OnnxSessionOptions>) {
    this.inner = inner;
    this.what = what;
    this.provider = provider;
    this.options = options;
    this.inputs = inner.inputMetadata.map(spec);
    this.outputs = inner.outputMetadata.map(spec);
  }

  /**
   * Runs the model. Every declared input must be fed; all outputs are returned by name.
   * @throws FramewrightError `INVALID_PARAMS` for a missing or unknown input, a wrong element
   *   type, rank or fixed dimension, or data that does not fill its shape
   */
  async run(feeds: Readonly<Record<string, OnnxTensorValue>>): Promise<Record<string, OnnxTensorValue>> {
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const name of Object.keys(feeds)) {
      if (!this.inputs.some((i) => i.name === name)) {
        throw new FramewrightError('INVALID_PARAMS', `${this.what} has no input named ${name}; inputs: ${this.inputs.map((i) => i.name).join(', ')}`);
      }
    }
    for (const input of this.inputs) {
      const feed = feeds[input.name];
      if (feed === undefined) throw new FramewrightError('INVALID_PARAMS', `${this.what}: input ${input.name} was not given`);
      ortFeeds[input.name] = this.toOrtTensor(input, feed);
    }
    let results: ort.InferenceSession.ReturnType;
    try {
      results = await this.inner.run(ortFeeds);
    } catch (error) {
      // Names, types and ranks were checked above, so what is left is the values: a token id
      // beyond the vocabulary, a sequence longer than the positions, sizes that do not broadcast.
      throw new FramewrightError('INVALID_PARAMS', `${this.what} cannot run on these inputs: ${runFailure(error)}`, { cause: error });
    }
    const out: Record<string, OnnxTensorValue> = {};
    for (const [name, tensor] of Object.entries(results)) {
      const data = tensor.type === 'float16' ? halfToFloat32(tensor.data as ArrayLike<number>) : (tensor.data as OnnxTensorData);
      out[name] = { data, dims: [...tensor.dims] };
    }
    return out;
  }

  /** Frees the native session. Cached sessions are released by {@link closeOnnxSessions}. */
  async release(): Promise<void> {
    await this.inner.release();
  }

  private toOrtTensor(input: OnnxValueSpec, feed: OnnxTensorValue): ort.Tensor {
    const where = `${this.what}: input ${input.name}`;
    const accepted = TYPE_OF_DATA.find(([ctor]) => feed.data instanceof ctor)?.[1] ?? [];
    if (!accepted.includes(input.type)) {
      throw new FramewrightError('INVALID_PARAMS', `${where} must be ${input.type}, got ${feed.data.constructor.name}`);
    }
    if (feed.dims.length !== input.dims.length) {
      throw new FramewrightError('INVALID_PARAMS', `${where} must have rank ${input.dims.length} [${input.dims.join(', ')}], got shape [${feed.dims.join(', ')}]`);
    }
    input.dims.forEach((want, axis) => {
      const got = feed.dims[axis]!;
      if (!Number.isInteger(got) || got < 0 || (typeof want === 'number' && want !== got)) {
        throw new FramewrightError('INVALID_PARAMS', `${where} has shape [${feed.dims.join(', ')}]; expected [${input.dims.join(', ')}] (axis ${axis})`);
      }
    });
    const count = feed.dims.reduce((a, b) => a * b, 1);
    if (feed.data.length !== count) {
      throw new FramewrightError('INVALID_PARAMS', `${where} has ${feed.data.length} elements; shape [${feed.dims.join(', ')}] needs ${count}`);
    }
    if (input.type === 'float16') return halfTensor(feed.data instanceof Uint16Array ? feed.data : float32ToHalf(feed.data as Float32Array), feed.dims);
    return new ort.Tensor(input.type as 'float32', feed.data as Float32Array, feed.dims);
  }
}

/**
 * A float16 tensor from half-precision bit patterns. Where the JS engine has `Float16Array`,
 * onnxruntime-common wraps a Uint16Array in one, which the Node binding (1.30) reads as empty
 * ("not enough space: expected N, got 0"); the bits are handed over as they are instead.
 */
function halfTensor(bits: Uint16Array, dims: readonly number[]): ort.Tensor {
  const tensor = new ort.Tensor('float16', bits, dims);
  if (!(tensor.data instanceof Uint16Array)) (tensor as unknown as { cpuData: Uint16Array }).cpuData = bits;
  return tensor;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE 754 single → half bit patterns, rounding to nearest even (overflow → ±Inf, NaN kept). */
export function float32ToHalf(values: ArrayLike<number>): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) {
    f32[0] = values[i]!;
    const x = u32[0]!;
    const sign = (x >>> 16) & 0x8000;
    const exp = (x >>> 23) & 0xff;
    let mant = x & 0x7fffff;
    if (exp === 0xff) {
      out[i] = sign | 0x7c00 | (mant !== 0 ? 0x200 : 0);
      continue;
    }
    const e = exp - 127 + 15;
    if (e >= 0x1f) {
      out[i] = sign | 0x7c00;
      continue;
    }
    if (e <= 0) {
      if (e < -10) {
        out[i] = sign;
        continue;
      }
      mant |= 0x800000;
      const shift = 14 - e;
      let half = mant >>> shift;
      const rest = mant & ((1 << shift) - 1);
      const midway = 1 << (shift - 1);
      if (rest > midway || (rest === midway && (half & 1) === 1)) half++;
      out[i] = sign | half;
      continue;
    }
    let half = (e << 10) | (mant >>> 13);
    const rest = mant & 0x1fff;
    if (rest > 0x1000 || (rest === 0x1000 && (half & 1) === 1)) half++;
    out[i] = sign | half;
  }
  return out;
}

/** Half bit patterns (or a `Float16Array`) → float32. */
export function halfToFloat32(values: ArrayLike<number>): Float32Array {
  if (!(values instanceof Uint16Array)) return Float32Array.from(values);
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const h = values[i]!;
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >>> 10) & 0x1f;
    const mant = h & 0x3ff;
    out[i] = exp === 0 ? sign * mant * 2 ** -24 : exp === 0x1f ? (mant === 0 ? sign * Infinity : NaN) : sign * (1 + mant / 1024) * 2 ** (exp - 15);
  }
  return out;
}

/** ONNX Runtime's run error without its source-file locations: `Gather node Gather_0: indices element out of data bounds…`. */
function runFailure(error: unknown): string {
  const message = oneLine(error instanceof Error ? error.message : String(error));
  const node = /running (\w+) node\. Name:'([^']*)'/.exec(message);
  const status = /Status Message: (.*)$/.exec(message)?.[1] ?? message;
  const reason = status.replace(/\/onnxruntime_src\/\S+:\d+ [^.]*? was false\. /, '').replace(/\/onnxruntime_src\/\S+:\d+ /, '');
  return node === null ? reason : `${node[1]} node ${node[2]}: ${reason}`;
}

function spec(meta: ort.InferenceSession.ValueMetadata): OnnxValueSpec {
  return meta.isTensor ? { name: meta.name, type: meta.type, dims: [...meta.shape] } : { name: meta.name, type: 'non-tensor', dims: [] };
}

function ortOptions(provider: OnnxProviderName, options: OnnxSessionOptions): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: [provider],
    graphOptimizationLevel: options.graphOptimization ?? 'all',
    executionMode: options.executionMode ?? 'sequential',
    ...(options.intraOpThreads === undefined ? {} : { intraOpNumThreads: options.intraOpThreads }),
    ...(options.interOpThreads === undefined ? {} : { interOpNumThreads: options.interOpThreads }),
    ...(options.spinning === false ? { extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } } } : {}),
    // Failures reach the caller as FramewrightErrors; onnxruntime would also print them to stderr.
    logSeverityLevel: 4,
  };
}

/**
 * Creates an uncached session from a file path or from model bytes (exporter tests, benchmarks).
 * @throws FramewrightError `MODEL_NOT_FOUND` for a missing file; `MODEL_INVALID` naming the
 *   file for anything that is not a loadable ONNX model (not protobuf, truncated, no graph,
 *   an operator ONNX Runtime rejects)
 */
export async function createOnnxSession(source: string | Uint8Array, options: OnnxSessionOptions = {}): Promise<OnnxSession> {
  const what = typeof source === 'string' ? source : '<ONNX model bytes>';
  if (typeof source === 'string') await assertModelFile(source);
  const provider = options.provider ?? (await resolveOnnxProviders()).chosen;
  try {
    const inner =
      typeof source === 'string'
        ? await ort.InferenceSession.create(source, ortOptions(provider, options))
        : await ort.InferenceSession.create(source, ortOptions(provider, options));
    return new OnnxSession(inner, what, provider, { ...options });
  } catch (error) {
    throw await explainLoadFailure(source, what, error);
  }
}

async function assertModelFile(path: string): Promise<void> {
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new FramewrightError('MODEL_NOT_FOUND', `ONNX model not found: ${path}`);
  }
  if (!info.isFile()) throw new FramewrightError('MODEL_INVALID', `not an ONNX model: ${path} is not a file`);
}

/**
 * ONNX Runtime's load errors are long and name internal source files; the structural check
 * says what is wrong with the file itself when it can, else ONNX Runtime's first line is kept.
 */
async function explainLoadFailure(source: string | Uint8Array, what: string, error: unknown): Promise<FramewrightError> {
  // Parsing in JS costs memory like the model itself: only files of a reasonable size.
  const small = typeof source !== 'string' || (await stat(source)).size <= INSPECT_LIMIT_BYTES;
  if (small) {
    try {
      inspectOnnxModel(typeof source === 'string' ? await readFile(source) : source, what);
    } catch (structural) {
      return structural instanceof FramewrightError ? structural : new FramewrightError('MODEL_INVALID', `not an ONNX model: ${what}`);
    }
  }
  const detail = oneLine(error instanceof Error ? error.message : String(error)).replace(/^.*?\[ONNXRuntimeError\][^:]*:[^:]*:\s*/, '');
  return new FramewrightError('MODEL_INVALID', `ONNX Runtime cannot load ${what}: ${detail}`, { cause: error });
}

const INSPECT_LIMIT_BYTES = 512 * 1024 * 1024;

/** Sessions by absolute path, file stamp and options; the one cache that releases sessions. */
const sessions = new ModelCache<OnnxSession>((session) => session.release());

/**
 * Returns the session for `path` with `options`, creating it on first use. The cache key is the
 * absolute path, the file's size and modification time (a rewritten model gets a new session),
 * and the options.
 * @throws FramewrightError as {@link createOnnxSession}
 */
export async function openOnnxSession(path: string, options: OnnxSessionOptions = {}): Promise<OnnxSession> {
  await assertModelFile(path);
  const absolute = resolvePath(path);
  const info = await stat(absolute);
  const stamp = `${info.size}:${info.mtimeMs}`;
  const key = JSON.stringify([absolute, stamp, Object.entries(options).sort()]);
  for (const other of sessions.keys()) {
    // Same file, other size or time: the model was rewritten; its old session can never hit again.
    const [otherPath, otherStamp] = JSON.parse(other) as [string, string];
    if (otherPath === absolute && otherStamp !== stamp) sessions.evict(other);
  }
  return sessions.get(key, () => createOnnxSession(path, options));
}

/** Number of sessions the cache holds (for tests and `framewright doctor`). */
export function cachedOnnxSessionCount(): number {
  return sessions.size;
}

/**
 * Releases every cached session and empties the cache, and with it every cache of models built
 * on sessions (the built-in image and video models), so none hands out a released session; the
 * next load opens new ones. Call it when no run is using a model.
 */
export async function closeOnnxSessions(): Promise<void> {
  await releaseModelCaches();
}
