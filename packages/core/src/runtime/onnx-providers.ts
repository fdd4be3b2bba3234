import * as ort from 'onnxruntime-node';
import { FramewrightError, oneLine } from '../protocol/errors.js';
import { OnnxGraphBuilder } from '../onnx/index.js';

/**
 * ONNX Runtime execution providers Framewright tries, in priority order: CUDA (Linux, Windows),
 * DirectML (`dml`, Windows), CoreML (macOS), then CPU. A provider that this onnxruntime-node build
 * does not have is skipped with that reason.
 */
export const ONNX_PROVIDER_NAMES = ['cuda', 'dml', 'coreml', 'cpu'] as const;

/** One of {@link ONNX_PROVIDER_NAMES}. */
export type OnnxProviderName = (typeof ONNX_PROVIDER_NAMES)[number];

/** The environment variable that forces one execution provider (`cuda`, `dml`, `coreml` or `cpu`). */
export const ONNX_PROVIDER_ENV = 'FRAMEWRIGHT_ORT_PROVIDER';

/** What happened when one provider was started on a probe model. */
export interface OnnxProviderAttempt {
  /** Provider name. */
  name: OnnxProviderName;
  /** `ok`: it started a session; `failed`: it threw; `skipped`: this build does not have it (see `detail`). */
  status: 'ok' | 'failed' | 'skipped';
  /** Why it is not used (its one-line failure, or that the build lacks it); empty when it started. */
  detail: string;
}

/** Which providers start on this machine and which one sessions use, for `framewright doctor`. */
export interface OnnxProviderReport {
  /** The provider new sessions use (the first in priority order that started). */
  chosen: OnnxProviderName;
  /** True when {@link ONNX_PROVIDER_ENV} forced it. */
  forced: boolean;
  /** Every provider that was tried, in priority order. */
  attempts: OnnxProviderAttempt[];
  /** onnxruntime-node's own list of providers compiled into this build (bundled or downloadable). */
  builtWith: string[];
  /** The onnxruntime-node version. */
  version: string;
}

let resolving: Promise<OnnxProviderReport> | undefined;

/** A one-node Identity model: enough for a provider to load its library and create kernels. */
function probeModel(): Uint8Array {
  const g = new OnnxGraphBuilder('provider-probe');
  g.output(g.input('x', 'float32', [1]), 'y', [1]);
  return g.toBytes();
}

/**
 * Tries `name` alone. Asking onnxruntime for a list that contains a provider it cannot load
 * throws for the whole list, so each provider is started separately.
 */
async function tryProvider(name: OnnxProviderName, model: Uint8Array): Promise<OnnxProviderAttempt> {
  try {
    const session = await ort.InferenceSession.create(model, { executionProviders: [name], logSeverityLevel: 3 });
    await session.release();
    return { name, status: 'ok', detail: '' };
  } catch (error) {
    return { name, status: 'failed', detail: oneLine(error instanceof Error ? error.message : String(error)) || 'failed to start' };
  }
}

/**
 * Reads {@link ONNX_PROVIDER_ENV}: `undefined` when unset or empty.
 * @throws FramewrightError `INVALID_PARAMS` for a name that is not a provider
 */
export function forcedOnnxProvider(env: NodeJS.ProcessEnv = process.env): OnnxProviderName | undefined {
  const value = env[ONNX_PROVIDER_ENV]?.trim();
  if (value === undefined || value === '') return undefined;
  if (!(ONNX_PROVIDER_NAMES as readonly string[]).includes(value)) {
    throw new FramewrightError('INVALID_PARAMS', `${ONNX_PROVIDER_ENV}=${value} is not an ONNX execution provider; valid names: ${ONNX_PROVIDER_NAMES.join(', ')}`);
  }
  return value as OnnxProviderName;
}

async function resolve(order: readonly OnnxProviderName[], forced: boolean): Promise<OnnxProviderReport> {
  // A failed provider is already reported in `attempts`; onnxruntime would also print it to
  // stderr in red at its default level. Only fatal native errors still print. (Takes effect
  // because this runs before the process's first session.)
  ort.env.logLevel = 'fatal';
  const model = probeModel();
  const builtWith = ort.listSupportedBackends().map((b) => b.name);
  const attempts: OnnxProviderAttempt[] = [];
  for (const name of order) {
    if (name !== 'cpu' && !builtWith.includes(name)) {
      attempts.push({ name, status: 'skipped', detail: `not in this onnxruntime-node build for ${process.platform} ${process.arch} (it has ${builtWith.join(', ')})` });
    } else attempts.push(await tryProvider(name, model));
  }
  const chosen = attempts.find((a) => a.status === 'ok');
  if (chosen === undefined) {
    const reasons = attempts.map((a) => `[${a.name}] ${a.detail}`).join('; ');
    throw new FramewrightError('BACKEND_UNAVAILABLE', `no ONNX Runtime execution provider could start: ${reasons}`);
  }
  return { chosen: chosen.name, forced, attempts, builtWith, version: ort.env.versions.node ?? ort.env.versions.common };
}

/**
 * Starts each execution provider once per process (CUDA, DirectML, CoreML where this build has
 * them, then CPU) on a tiny probe model and
 * records every failure; sessions then use the first that started. {@link ONNX_PROVIDER_ENV}
 * forces one (its failure is then fatal). Later calls return the same report.
 *
 * @example
 * ```ts
 * const report = await resolveOnnxProviders();
 * console.log(report.chosen); // 'cpu' on a machine without the CUDA provider
 * ```
 * @throws FramewrightError `BACKEND_UNAVAILABLE` naming each provider's failure when none starts
 */
export function resolveOnnxProviders(env: NodeJS.ProcessEnv = process.env): Promise<OnnxProviderReport> {
  if (resolving === undefined) {
    let forced: OnnxProviderName | undefined;
    try {
      forced = forcedOnnxProvider(env);
    } catch (error) {
      return Promise.reject(error);
    }
    resolving = resolve(forced === undefined ? ONNX_PROVIDER_NAMES : [forced], forced !== undefined).catch((error: unknown) => {
      resolving = undefined;
      throw error;
    });
  }
  return resolving;
}

/** One line per provider, for `framewright doctor`: `cpu: ok (chosen)`, `cuda: failed — …`, `dml: not used — …`. */
export function formatOnnxProviderReport(report: OnnxProviderReport): string[] {
  return report.attempts.map((a) => {
    if (a.status === 'failed') return `${a.name}: failed — ${a.detail}`;
    if (a.status === 'skipped') return `${a.name}: not used — ${a.detail}`;
    return a.name === report.chosen ? `${a.name}: ok (chosen${report.forced ? `, forced by ${ONNX_PROVIDER_ENV}` : ''})` : `${a.name}: ok`;
  });
}
