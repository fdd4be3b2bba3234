import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { FramewrightError, oneLine } from '../protocol/errors.js';

/** Names of the tfjs backends Framewright can start, in priority order (first that starts wins). */
export const TFJS_BACKEND_NAMES = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;

/** One of {@link TFJS_BACKEND_NAMES}. */
export type TfjsBackendName = (typeof TFJS_BACKEND_NAMES)[number];

/** The environment variable that forces one backend (`wasm`, `cpu`, `tensorflow`, `tensorflow-gpu`). */
export const TFJS_BACKEND_ENV = 'FRAMEWRIGHT_TF_BACKEND';

/** What happened to one candidate backend during resolution. */
export interface TfjsBackendAttempt {
  /** Candidate name. */
  name: TfjsBackendName;
  /** `ok`: it started; `failed`: it was tried and failed; `skipped`: not tried (a higher one won, or another was forced). */
  status: 'ok' | 'failed' | 'skipped';
  /** Why it failed or was skipped; empty when it started. */
  detail: string;
}

/** What {@link initTfjsBackend} chose and why, for `framewright doctor`. */
export interface TfjsBackendReport {
  /** The backend that runs (a {@link TfjsBackendName}). */
  chosen: TfjsBackendName;
  /** The tfjs engine's name for it (`tensorflow`, `wasm`, `cpu`). */
  engineName: string;
  /** True when {@link TFJS_BACKEND_ENV} forced it. */
  forced: boolean;
  /** Every candidate in priority order with its outcome. */
  attempts: TfjsBackendAttempt[];
}

type Starter = () => Promise<string>;

const require = createRequire(import.meta.url);

/** Imports a module by a name TypeScript must not resolve (optional peers are usually absent). */
async function importOptional(name: string): Promise<unknown> {
  return import(name);
}

async function setEngineBackend(engineName: string): Promise<string> {
  const ok = await tf.setBackend(engineName);
  if (!ok || tf.getBackend() !== engineName) throw new Error(`tf.setBackend('${engineName}') returned false`);
  await tf.ready();
  return engineName;
}

/**
 * Starts one candidate. The native packages register the `tensorflow` backend when imported;
 * WASM needs the folder of its `.wasm` files, which in Node is the package's own dist folder.
 */
const STARTERS: Record<TfjsBackendName, Starter> = {
  'tensorflow-gpu': async () => {
    await importOptional('@tensorflow/tfjs-node-gpu');
    return setEngineBackend('tensorflow');
  },
  tensorflow: async () => {
    await importOptional('@tensorflow/tfjs-node');
    return setEngineBackend('tensorflow');
  },
  wasm: async () => {
    const dist = dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
    setWasmPaths(join(dist, '/'));
    return setEngineBackend('wasm');
  },
  cpu: async () => setEngineBackend('cpu'),
};

let resolving: Promise<TfjsBackendReport> | undefined;
let lastReport: TfjsBackendReport | undefined;

/** True when `name` is one of {@link TFJS_BACKEND_NAMES}. */
export function isTfjsBackendName(name: string): name is TfjsBackendName {
  return (TFJS_BACKEND_NAMES as readonly string[]).includes(name);
}

/**
 * Reads {@link TFJS_BACKEND_ENV}: `undefined` when unset or empty.
 * @throws FramewrightError `INVALID_PARAMS` for a name that is not a backend, listing the valid names
 */
export function forcedTfjsBackend(env: NodeJS.ProcessEnv = process.env): TfjsBackendName | undefined {
  const value = env[TFJS_BACKEND_ENV]?.trim();
  if (value === undefined || value === '') return undefined;
  if (!isTfjsBackendName(value)) {
    throw new FramewrightError(
      'INVALID_PARAMS',
      `${TFJS_BACKEND_ENV}=${value} is not a tfjs backend; valid names: ${TFJS_BACKEND_NAMES.join(', ')}`,
    );
  }
  return value;
}

/**
 * Tries the candidates in `order`, each once, and returns the report of the first that starts.
 * @throws FramewrightError `BACKEND_UNAVAILABLE` naming every candidate's failure when none starts
 */
async function resolve(order: readonly TfjsBackendName[], forced: boolean): Promise<TfjsBackendReport> {
  const attempts: TfjsBackendAttempt[] = TFJS_BACKEND_NAMES.map((name) => ({
    name,
    status: 'skipped',
    detail: order.includes(name) ? 'a higher-priority backend started' : `not tried: ${TFJS_BACKEND_ENV} forced another`,
  }));
  for (const name of order) {
    const attempt = attempts.find((a) => a.name === name)!;
    try {
      const engineName = await STARTERS[name]();
      attempt.status = 'ok';
      attempt.detail = '';
      return { chosen: name, engineName, forced, attempts };
    } catch (error) {
      attempt.status = 'failed';
      attempt.detail = oneLine(error instanceof Error ? error.message : String(error)) || 'failed to start';
    }
  }
  const reasons = attempts.filter((a) => a.status === 'failed').map((a) => `[${a.name}] ${a.detail}`);
  throw new FramewrightError('BACKEND_UNAVAILABLE', `no tfjs backend could start: ${reasons.join('; ')}`);
}

/**
 * Starts the tfjs backend once per process: `@tensorflow/tfjs-node-gpu`, then
 * `@tensorflow/tfjs-node` (optional peers), then WASM, then pure-JS `cpu`; each is tried once and
 * every failure is recorded. {@link TFJS_BACKEND_ENV} forces one backend (its failure is then fatal).
 * Later calls return the same report.
 *
 * @example
 * ```ts
 * const report = await initTfjsBackend();
 * console.log(report.chosen); // 'wasm' on a machine without tfjs-node
 * ```
 * @throws FramewrightError `INVALID_PARAMS` for an unknown forced name, `BACKEND_UNAVAILABLE` when none starts
 */
export function initTfjsBackend(env: NodeJS.ProcessEnv = process.env): Promise<TfjsBackendReport> {
  if (resolving === undefined) {
    let forced: TfjsBackendName | undefined;
    try {
      forced = forcedTfjsBackend(env);
    } catch (error) {
      return Promise.reject(error);
    }
    resolving = resolve(forced === undefined ? TFJS_BACKEND_NAMES : [forced], forced !== undefined).then(
      (report) => (lastReport = report),
      (error: unknown) => {
        resolving = undefined;
        throw error;
      },
    );
  }
  return resolving;
}

/** The report of the backend started by {@link initTfjsBackend}, or `undefined` before it ran. */
export function describeTfjsBackend(): TfjsBackendReport | undefined {
  return lastReport;
}

/** One line per candidate, for `framewright doctor`: `wasm: ok (chosen)`, `tensorflow: failed — …`. */
export function formatTfjsBackendReport(report: TfjsBackendReport): string[] {
  return report.attempts.map((a) => {
    if (a.status === 'ok') return `${a.name}: ok (chosen${report.forced ? `, forced by ${TFJS_BACKEND_ENV}` : ''})`;
    return `${a.name}: ${a.status} — ${a.detail}`;
  });
}
