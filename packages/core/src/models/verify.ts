import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createOnnxSession, type OnnxValueSpec } from '../runtime/onnx-session.js';
import { resolveOnnxProviders } from '../runtime/onnx-providers.js';
import { isFramewrightError } from '../protocol/errors.js';
import { readModelPack, type ModelPack, type OnnxSignatureEntry } from './manifest.js';
import { shotModelIo } from './shot-detection.js';

/** What `framewright models verify` found for one file. */
export interface FileCheck {
  /** Path inside the pack. */
  readonly path: string;
  /** `ok`, or the first thing that is wrong. */
  readonly status: 'ok' | 'missing' | 'size-mismatch' | 'hash-mismatch' | 'signature-mismatch' | 'unloadable';
  /** One line; empty when ok (or, when ok, what could not be checked on this machine). */
  readonly detail: string;
}

/** The outcome of {@link verifyModelPack}. */
export interface PackVerification {
  /** Pack folder. */
  readonly dir: string;
  /** Manifest id (absent when the manifest failed). */
  readonly id?: string;
  /** True when the manifest and every file check out. */
  readonly ok: boolean;
  /** The manifest's problem, when it has one. */
  readonly manifestError?: string;
  /** One entry per listed file. */
  readonly files: FileCheck[];
}

/** SHA-256 of a file, streamed (packs hold multi-GB files). */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function sameDims(declared: OnnxSignatureEntry['shape'], actual: OnnxValueSpec['dims']): boolean {
  // A symbolic axis in the manifest matches anything (exporters name axes differently, and ONNX
  // Runtime may resolve an output axis to a size by shape inference); a size must be equal.
  return declared.length === actual.length && declared.every((d, i) => typeof d === 'string' || d === actual[i]);
}

function compareSignature(kind: string, declared: readonly OnnxSignatureEntry[], actual: readonly OnnxValueSpec[]): string | undefined {
  for (const want of declared) {
    const got = actual.find((a) => a.name === want.name);
    if (got === undefined) return `${kind} ${want.name} is not in the model (it has ${actual.map((a) => a.name).join(', ')})`;
    if (got.type !== want.type) return `${kind} ${want.name} is ${got.type}, the manifest says ${want.type}`;
    if (!sameDims(want.shape, got.dims)) return `${kind} ${want.name} has shape [${got.dims.join(', ')}], the manifest says [${want.shape.join(', ')}]`;
  }
  const extra = actual.filter((a) => !declared.some((d) => d.name === a.name));
  return extra.length > 0 ? `the model has ${kind}s the manifest does not list: ${extra.map((a) => a.name).join(', ')}` : undefined;
}

async function checkFile(pack: ModelPack, file: ModelPack['manifest']['files'][number]): Promise<FileCheck> {
  const path = join(pack.dir, file.path);
  const info = await stat(path).catch(() => undefined);
  if (info === undefined || !info.isFile()) return { path: file.path, status: 'missing', detail: `${path} does not exist` };
  if (info.size !== file.size) return { path: file.path, status: 'size-mismatch', detail: `${info.size} bytes, the manifest says ${file.size}` };
  const hash = await sha256File(path);
  if (hash !== file.sha256) return { path: file.path, status: 'hash-mismatch', detail: `sha256 ${hash}, the manifest says ${file.sha256}` };
  // A shot-detection model must also have its family's interface, whatever the manifest lists.
  const familyInterface = pack.manifest.family === 'shot-detection' && file.role === 'model';
  if (file.inputs === undefined && file.outputs === undefined && !familyInterface) return { path: file.path, status: 'ok', detail: '' };
  const runsOn = pack.manifest.runsOn;
  if (runsOn !== undefined) {
    const provider = (await resolveOnnxProviders()).chosen;
    if (!runsOn.includes(provider)) return { path: file.path, status: 'ok', detail: `hash checked; the model itself runs on ${runsOn.join(', ')} only, not on ${provider}` };
  }
  let session;
  try {
    session = await createOnnxSession(path, { intraOpThreads: 1, graphOptimization: 'disabled' });
  } catch (error) {
    return { path: file.path, status: 'unloadable', detail: isFramewrightError(error) ? error.message : String(error) };
  }
  try {
    const declared = file.inputs !== undefined || file.outputs !== undefined;
    let problem = declared ? (compareSignature('input', file.inputs ?? [], session.inputs) ?? compareSignature('output', file.outputs ?? [], session.outputs)) : undefined;
    if (problem === undefined && familyInterface) {
      try {
        shotModelIo(session, pack.manifest.shotDetection, file.path);
      } catch (error) {
        problem = isFramewrightError(error) ? error.message : String(error);
      }
    }
    return problem === undefined ? { path: file.path, status: 'ok', detail: '' } : { path: file.path, status: 'signature-mismatch', detail: problem };
  } finally {
    await session.release();
  }
}

/**
 * Checks a pack completely: the manifest against its schema, every file's presence, size and
 * SHA-256, and for ONNX files that declare them, the input/output names, element types and
 * shapes of the model as ONNX Runtime opens it.
 *
 * @example
 * ```ts
 * const report = await verifyModelPack('/models/sd-turbo');
 * if (!report.ok) console.log(report.files.filter((f) => f.status !== 'ok'));
 * ```
 */
export async function verifyModelPack(dir: string): Promise<PackVerification> {
  let pack: ModelPack;
  try {
    pack = await readModelPack(dir);
  } catch (error) {
    return { dir, ok: false, manifestError: isFramewrightError(error) ? error.message : String(error), files: [] };
  }
  const files: FileCheck[] = [];
  for (const file of pack.manifest.files) files.push(await checkFile(pack, file));
  return { dir, id: pack.manifest.id, ok: files.every((f) => f.status === 'ok'), files };
}
