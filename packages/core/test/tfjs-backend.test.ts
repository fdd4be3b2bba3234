import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import {
  TFJS_BACKEND_ENV,
  describeTfjsBackend,
  forcedTfjsBackend,
  formatTfjsBackendReport,
  initTfjsBackend,
} from '../src/runtime/tfjs-backend.js';

// One process resolves its backend once, so these run in order: failures first, then the default.
describe('tfjs backend resolution', () => {
  it('an unknown backend name is a clear error listing the valid names', async () => {
    expect(() => forcedTfjsBackend({ [TFJS_BACKEND_ENV]: 'cuda' })).toThrow(
      'FRAMEWRIGHT_TF_BACKEND=cuda is not a tfjs backend; valid names: tensorflow-gpu, tensorflow, wasm, cpu',
    );
    await expect(initTfjsBackend({ [TFJS_BACKEND_ENV]: 'webgl' })).rejects.toMatchObject({ code: 'INVALID_PARAMS' });
    expect(forcedTfjsBackend({ [TFJS_BACKEND_ENV]: ' ' })).toBeUndefined();
  });

  it('a forced backend that cannot start fails with its reason, and is not memoised', async () => {
    const error = await initTfjsBackend({ [TFJS_BACKEND_ENV]: 'tensorflow' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'BACKEND_UNAVAILABLE' });
    expect((error as Error).message).toMatch(/^no tfjs backend could start: \[tensorflow\] .*tfjs-node/);
    expect(describeTfjsBackend()).toBeUndefined();
  });

  it('by default the optional native backends are tried, fail here, and WASM is chosen', async () => {
    const report = await initTfjsBackend({});
    expect(report.chosen).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(report.forced).toBe(false);
    expect(report.attempts.map((a) => [a.name, a.status])).toEqual([
      ['tensorflow-gpu', 'failed'],
      ['tensorflow', 'failed'],
      ['wasm', 'ok'],
      ['cpu', 'skipped'],
    ]);
    expect(report.attempts[0]!.detail).toMatch(/tfjs-node-gpu/);
    expect(describeTfjsBackend()).toBe(report);
    const lines = formatTfjsBackendReport(report);
    expect(lines[2]).toBe('wasm: ok (chosen)');
    expect(lines[0]).toMatch(/^tensorflow-gpu: failed — /);
    // later calls reuse the resolution, whatever the environment says
    expect(await initTfjsBackend({ [TFJS_BACKEND_ENV]: 'cpu' })).toBe(report);
    expect(tf.tidy(() => tf.matMul(tf.ones([2, 3]), tf.ones([3, 1])).dataSync())).toEqual(Float32Array.from([3, 3]));
  });
});
