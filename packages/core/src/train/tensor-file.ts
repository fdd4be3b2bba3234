import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FramewrightError } from '../protocol/errors.js';

/** A named float32 tensor read from or written to a tensor file. */
export interface NamedTensor {
  /** Dimensions. */
  shape: number[];
  /** Row-major values. */
  data: Float32Array;
}

/** One entry of a tensor index: where a tensor's bytes are in the `.bin` file. */
export interface TensorIndexEntry {
  /** Stable dotted name, e.g. `blocks.0.attn.q.weight`. */
  name: string;
  /** Dimensions. */
  shape: number[];
  /** Byte offset in the `.bin` file (a multiple of 4). */
  offset: number;
  /** Number of float32 values (the product of `shape`). */
  length: number;
}

/**
 * The JSON index beside a `.bin` file of raw float32 little-endian values, one tensor after
 * another in index order.
 */
export interface TensorIndex {
  /** Always `framewright-tensors`. */
  format: 'framewright-tensors';
  /** Format version (1). */
  version: 1;
  /** Always `float32`. */
  dtype: 'float32';
  /** Always `little-endian`. */
  byteOrder: 'little-endian';
  /** Exact size of the `.bin` file. */
  byteLength: number;
  /** Hex SHA-256 of the `.bin` file. */
  sha256: string;
  /** Tensors in file order. */
  tensors: TensorIndexEntry[];
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Writes `<dir>/<base>.bin` (float32, little-endian) and `<dir>/<base>.json` (a {@link TensorIndex}).
 * `dir` is expected to be a temporary folder that is renamed into place as a whole.
 */
export async function writeTensorFile(dir: string, base: string, tensors: ReadonlyMap<string, NamedTensor>): Promise<void> {
  const entries: TensorIndexEntry[] = [];
  let offset = 0;
  for (const [name, t] of tensors) {
    entries.push({ name, shape: [...t.shape], offset, length: t.data.length });
    offset += t.data.length * 4;
  }
  const bytes = new Uint8Array(offset);
  const view = new DataView(bytes.buffer);
  for (const e of entries) {
    const data = tensors.get(e.name)!.data;
    if (LITTLE_ENDIAN) bytes.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), e.offset);
    else for (let i = 0; i < data.length; i++) view.setFloat32(e.offset + i * 4, data[i]!, true);
  }
  const index: TensorIndex = {
    format: 'framewright-tensors',
    version: 1,
    dtype: 'float32',
    byteOrder: 'little-endian',
    byteLength: offset,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    tensors: entries,
  };
  await writeFile(join(dir, `${base}.bin`), bytes);
  await writeFile(join(dir, `${base}.json`), `${JSON.stringify(index, null, 1)}\n`);
}

function invalid(message: string): FramewrightError {
  return new FramewrightError('CHECKPOINT_INVALID', message);
}

/** Reads a JSON file of a checkpoint, naming the file when it is missing or not JSON. */
export async function readJsonFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw invalid(`checkpoint file ${path} is missing or unreadable`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw invalid(`checkpoint file ${path} is not valid JSON (corrupt or truncated)`);
  }
}

function checkIndex(value: unknown, path: string): TensorIndex {
  const v = value as Partial<TensorIndex> | null;
  if (v === null || typeof v !== 'object' || v.format !== 'framewright-tensors' || v.version !== 1 || v.dtype !== 'float32' || !Array.isArray(v.tensors)) {
    throw invalid(`${path} is not a framewright-tensors v1 float32 index`);
  }
  if (typeof v.byteLength !== 'number' || typeof v.sha256 !== 'string') throw invalid(`${path} lacks byteLength or sha256`);
  let end = 0;
  for (const e of v.tensors) {
    const ok =
      e !== null && typeof e === 'object' && typeof e.name === 'string' && Array.isArray(e.shape) &&
      e.shape.every((d) => Number.isInteger(d) && d >= 0) && Number.isInteger(e.offset) && e.offset % 4 === 0 &&
      e.length === e.shape.reduce((a, b) => a * b, 1) && e.offset === end;
    if (!ok) throw invalid(`${path} has a malformed entry for tensor ${String((e as { name?: unknown })?.name)}`);
    end += e.length * 4;
  }
  if (end !== v.byteLength) throw invalid(`${path} says ${v.byteLength} bytes but its tensors need ${end}`);
  return v as TensorIndex;
}

/**
 * Reads `<dir>/<base>.json` and `.bin`, checking the index, the file size (truncation) and the
 * SHA-256 (corruption) before decoding anything.
 * @throws FramewrightError `CHECKPOINT_INVALID` naming the file and what is wrong
 */
export async function readTensorFile(dir: string, base: string): Promise<Map<string, NamedTensor>> {
  const indexPath = join(dir, `${base}.json`);
  const binPath = join(dir, `${base}.bin`);
  const index = checkIndex(await readJsonFile(indexPath), indexPath);
  let bytes: Buffer;
  try {
    bytes = await readFile(binPath);
  } catch {
    throw invalid(`checkpoint file ${binPath} is missing or unreadable`);
  }
  if (bytes.length !== index.byteLength) {
    throw invalid(`${binPath} is ${bytes.length < index.byteLength ? 'truncated' : 'too long'}: ${bytes.length} bytes, index says ${index.byteLength}`);
  }
  if (createHash('sha256').update(bytes).digest('hex') !== index.sha256) throw invalid(`${binPath} is corrupt: its SHA-256 does not match ${base}.json`);
  const out = new Map<string, NamedTensor>();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const e of index.tensors) {
    const data = new Float32Array(e.length);
    if (LITTLE_ENDIAN) new Uint8Array(data.buffer).set(bytes.subarray(e.offset, e.offset + e.length * 4));
    else for (let i = 0; i < e.length; i++) data[i] = view.getFloat32(e.offset + i * 4, true);
    out.set(e.name, { shape: e.shape, data });
  }
  return out;
}
