import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkOperation, ENGINE_VERSION, listCapabilities, runOperation } from '../src/engine/index.js';
import { FramewrightError, type ClipCutProgress } from '../src/protocol/index.js';
import { fakeRegistry, tempDir } from './engine-fakes.js';
import { builtinModelInstalled } from '../src/ops/image-gen/models.js';

async function failure(promise: Promise<unknown>): Promise<FramewrightError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FramewrightError);
  return error as FramewrightError;
}

describe('runOperation refuses bad requests before any work', () => {
  const { registry, probe } = fakeRegistry();

  it('names an unknown operation and lists the known ones', async () => {
    const error = await failure(runOperation('frobnicate' as 'clip-cut', { input: 'x.mp4' }, { registry }));
    expect(error.code).toBe('UNKNOWN_OPERATION');
    expect(error.message).toMatch(/unknown operation "frobnicate": known are image-gen, clip-cut, video-gen/);
  });

  it.each([
    ['a wrong type', { input: 5 }, '/input', /clip-cut params \/input must be string/],
    ['an unknown field', { input: 'a.mp4', speed: 3 }, '/speed', /clip-cut params \/speed is not a known field/],
    ['an out-of-range threshold', { input: 'a.mp4', thresholds: { content: 300 } }, '/thresholds/content', /must be <= 255/],
    ['a missing input', {}, '/input', /clip-cut params \/input is required/],
    ['an unknown detector', { input: 'a.mp4', detectors: ['magic'] }, '/detectors/0', /must be one of/],
  ])('rejects %s with INVALID_PARAMS and the JSON pointer', async (_, params, pointer, message) => {
    // Wrong on purpose: what an untyped caller might send.
    const error = await failure(runOperation('clip-cut', params as never, { registry }));
    expect(error.code).toBe('INVALID_PARAMS');
    expect(error.pointer).toBe(pointer);
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain('\n');
  });

  it('says why an unavailable operation cannot run', async () => {
    const error = await failure(runOperation('image-gen', { prompt: 'a red fox' }, { registry }));
    expect(error.code).toBe('OPERATION_UNAVAILABLE');
    expect(error.message).toMatch(/image-gen is not in this build/);
  });

  it('never started the fake for any of those', () => {
    expect(probe.started).toBe(0);
  });
});

describe('output folder policy', () => {
  it('refuses a folder outside the output root and creates nothing', async () => {
    const { registry, probe } = fakeRegistry();
    const base = tempDir();
    const root = join(base, 'root');
    mkdirSync(root);
    const outside = join(base, 'elsewhere', 'deep');
    for (const outputDir of [outside, '../elsewhere/deep', join(root, '..', 'elsewhere', 'deep')]) {
      const error = await failure(runOperation('clip-cut', { input: 'a.mp4', outputDir }, { registry, outputRoot: root }));
      expect(error.code).toBe('OUTPUT_NOT_ALLOWED');
      expect(error.pointer).toBe('/outputDir');
    }
    expect(existsSync(join(base, 'elsewhere'))).toBe(false);
    expect(readdirSync(root)).toEqual([]);
    expect(probe.started).toBe(0);
  });

  it('follows symlinks: a link inside the root that points outside is refused', async () => {
    const { registry } = fakeRegistry();
    const base = tempDir();
    const root = join(base, 'root');
    const outside = join(base, 'outside');
    mkdirSync(root);
    mkdirSync(outside);
    symlinkSync(outside, join(root, 'escape'));
    const error = await failure(runOperation('clip-cut', { input: 'a.mp4', outputDir: 'escape/sub' }, { registry, outputRoot: root }));
    expect(error.code).toBe('OUTPUT_NOT_ALLOWED');
    expect(readdirSync(outside)).toEqual([]);
  });

  it('takes a relative folder relative to the root, creates it and runs there', async () => {
    const { registry, probe } = fakeRegistry();
    const root = join(tempDir(), 'root-made-on-demand');
    const result = await runOperation('clip-cut', { input: 'a.mp4', outputDir: 'job/one' }, { registry, outputRoot: root });
    expect(probe.outputDirs).toEqual([join(root, 'job', 'one')]);
    expect(result.files).toEqual([join(root, 'job', 'one', 'cuts.json')]);
    expect(readFileSync(result.files[0]!, 'utf8')).toBe('{}');
  });

  it('uses the default folder when params name none, and refuses a default outside the root', async () => {
    const { registry, probe } = fakeRegistry();
    const root = tempDir();
    await runOperation('clip-cut', { input: 'a.mp4' }, { registry, outputRoot: root, defaultOutputDir: join(root, 'job-7') });
    expect(probe.outputDirs).toEqual([join(root, 'job-7')]);
    const error = await failure(runOperation('clip-cut', { input: 'a.mp4' }, { registry, outputRoot: root, defaultOutputDir: tempDir() }));
    expect(error.code).toBe('OUTPUT_NOT_ALLOWED');
    expect(error.pointer).toBeUndefined();
  });

  it('reports a file standing where the folder should be as OUTPUT_FAILED', async () => {
    const { registry } = fakeRegistry();
    const root = tempDir();
    writeFileSync(join(root, 'taken'), 'x');
    const error = await failure(runOperation('clip-cut', { input: 'a.mp4', outputDir: 'taken' }, { registry, outputRoot: root }));
    expect(error.code).toBe('OUTPUT_FAILED');
    expect(error.message).toMatch(/cannot create output folder .*taken: a file is in the way/);
  });

  it('checkOperation applies the same checks and creates nothing', async () => {
    const { registry } = fakeRegistry();
    const root = tempDir();
    await expect(checkOperation('clip-cut', { input: 'a.mp4', outputDir: 'new' }, { registry, outputRoot: root })).resolves.toBeDefined();
    expect(readdirSync(root)).toEqual([]);
    await expect(checkOperation('clip-cut', { input: 'a.mp4', outputDir: '/' }, { registry, outputRoot: root })).rejects.toMatchObject({ code: 'OUTPUT_NOT_ALLOWED' });
  });
});

describe('running', () => {
  it('passes validated progress events through', async () => {
    const { registry } = fakeRegistry({ steps: 4 });
    const events: ClipCutProgress[] = [];
    await runOperation('clip-cut', { input: 'a.mp4' }, { registry, outputRoot: tempDir(), onProgress: (p) => events.push(p) });
    expect(events.map((e) => e.fraction)).toEqual([0.25, 0.5, 0.75, 1]);
  });

  it('rejects with CANCELLED when aborted and the operation stops', async () => {
    const { registry, probe } = fakeRegistry({ steps: 1000 });
    const controller = new AbortController();
    const run = runOperation('clip-cut', { input: 'a.mp4' }, { registry, outputRoot: tempDir(), signal: controller.signal, onProgress: () => controller.abort() });
    const error = await failure(run);
    expect(error.code).toBe('CANCELLED');
    expect(probe.live).toBe(0);
  });

  it('does not start when the signal is already aborted', async () => {
    const { registry, probe } = fakeRegistry();
    const error = await failure(runOperation('clip-cut', { input: 'a.mp4' }, { registry, outputRoot: tempDir(), signal: AbortSignal.abort() }));
    expect(error.code).toBe('CANCELLED');
    expect(probe.started).toBe(0);
  });

  it('treats a result that breaks its schema as an engine bug (INTERNAL)', async () => {
    const { registry } = fakeRegistry({ badResult: true });
    const error = await failure(runOperation('clip-cut', { input: 'a.mp4' }, { registry, outputRoot: tempDir() }));
    expect(error.code).toBe('INTERNAL');
    expect(error.message).toMatch(/engine bug: clip-cut result \/fps/);
  });

  it('stops the run on a progress event that breaks its schema and reports INTERNAL', async () => {
    const { registry, probe } = fakeRegistry({ badProgress: true, steps: 1000 });
    const events: unknown[] = [];
    const error = await failure(runOperation('clip-cut', { input: 'a.mp4' }, { registry, outputRoot: tempDir(), onProgress: (p) => events.push(p) }));
    expect(error.code).toBe('INTERNAL');
    expect(error.message).toMatch(/engine bug: clip-cut progress \/fraction/);
    expect(events).toEqual([]);
    expect(probe.live).toBe(0);
  });
});

describe('capabilities', () => {
  it('lists every declared operation; image-gen, video-gen and subtitles say honestly what is unavailable', async () => {
    const caps = await listCapabilities();
    expect(caps.map((c) => c.op)).toEqual(['image-gen', 'clip-cut', 'video-gen', 'subtitles', 'models-pull']);
    // models-pull downloads unless the environment forbids it (HF_HUB_OFFLINE).
    expect(caps.find((c) => c.op === 'models-pull')).toEqual(process.env['HF_HUB_OFFLINE'] === '1' ? expect.objectContaining({ available: false }) : { op: 'models-pull', available: true });
    // subtitles runs with a speech-to-text pack a run names or that is installed (none ships); it lists the installed ones.
    expect(caps.find((c) => c.op === 'subtitles')).toMatchObject({ op: 'subtitles', available: true });
    // image-gen runs when the built-in model's files are in the package (or a pack is installed).
    const builtin = await builtinModelInstalled();
    expect(caps.find((c) => c.op === 'image-gen')).toEqual(
      builtin.installed ? { op: 'image-gen', available: true, models: ['framewright-shapes-32'] } : { op: 'image-gen', available: false, reason: expect.stringContaining('built-in image model') },
    );
    expect(caps.find((c) => c.op === 'video-gen')).toEqual({
      op: 'video-gen',
      available: true,
      modes: [
        { mode: 'interpolate', available: true },
        { mode: 'image-to-video', available: true },
        { mode: 'text-to-video', available: true }, // the built-in video model ships in models/builtin-video
      ],
    });
  });

  it('reports the fake clip-cut available', async () => {
    const caps = await listCapabilities(fakeRegistry().registry);
    expect(caps.find((c) => c.op === 'clip-cut')).toEqual({ op: 'clip-cut', available: true });
  });

  it('ENGINE_VERSION is the package version', () => {
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8')) as { version: string };
    expect(ENGINE_VERSION).toBe(pkg.version);
  });
});
