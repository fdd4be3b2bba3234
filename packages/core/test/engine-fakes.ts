// Fake operations for engine, jobs and server tests: timers and an AbortSignal instead of ffmpeg
// (only media/ may spawn ffmpeg), so the machinery is tested apart from any real operation.
import { mkdtempSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FramewrightError, type ClipCutProgress, type ClipCutResult } from '../src/protocol/index.js';
import { OPERATION_REGISTRY, type OperationRegistry } from '../src/ops/index.js';
import { unavailableOperation } from './helpers/unavailable-operation.js';

/** How a fake clip-cut behaves. */
export interface FakeClipCutOptions {
  /** Progress steps before it finishes (10 ms apart). */
  steps?: number;
  /** Emit a progress event that breaks the schema. */
  badProgress?: boolean;
  /** Return a result that breaks the schema. */
  badResult?: boolean;
}

/** What the fake saw, so tests can tell that work stopped. */
export interface FakeProbe {
  /** Runs started. */
  started: number;
  /** Runs whose timer is still ticking (a stand-in for live child processes). */
  live: number;
  /** Output folders it was given. */
  outputDirs: string[];
}

/**
 * A registry whose clip-cut is a fake and whose image-gen is unavailable (so refusals are tested
 * whatever models are installed); video-gen stays the real one.
 */
export function fakeRegistry(options: FakeClipCutOptions = {}): { registry: OperationRegistry; probe: FakeProbe } {
  const probe: FakeProbe = { started: 0, live: 0, outputDirs: [] };
  const steps = options.steps ?? 5;
  const clipCut: OperationRegistry['clip-cut'] = {
    name: 'clip-cut',
    availability: () => Promise.resolve({ available: true }),
    run: (params, context) =>
      new Promise<ClipCutResult>((resolve, reject) => {
        probe.started++;
        probe.live++;
        probe.outputDirs.push(context.outputDir);
        let step = 0;
        const timer = setInterval(() => {
          step++;
          const progress: ClipCutProgress = { stage: 'analyse', fraction: step / steps, frame: step, totalFrames: steps, framesPerSecond: 100 };
          context.onProgress(options.badProgress ? ({ ...progress, fraction: 2 } as ClipCutProgress) : progress);
          if (step < steps) return;
          clearInterval(timer);
          context.signal.removeEventListener('abort', onAbort);
          probe.live--;
          const json = join(context.outputDir, 'cuts.json');
          const result: ClipCutResult = {
            input: params.input,
            width: 320,
            height: 180,
            fps: 25,
            fpsRational: { num: 25, den: 1 },
            dropFrame: false,
            frameCount: steps,
            durationSeconds: steps / 25,
            cuts: [],
            clips: [],
            outputs: { json },
            files: [json],
          };
          writeFile(json, '{}').then(() => resolve(options.badResult ? ({ ...result, fps: -1 } as ClipCutResult) : result), reject);
        }, 10);
        const onAbort = (): void => {
          clearInterval(timer);
          probe.live--;
          reject(new FramewrightError('CANCELLED', 'clip-cut was cancelled'));
        };
        context.signal.addEventListener('abort', onAbort, { once: true });
      }),
  };
  const imageGen = unavailableOperation('image-gen', 'image-gen is not in this build (the fake registry stands in for a build without image models)');
  return { registry: Object.freeze({ ...OPERATION_REGISTRY, 'clip-cut': clipCut, 'image-gen': imageGen }), probe };
}

/** A fresh temporary folder. */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'fw-engine-'));
}
