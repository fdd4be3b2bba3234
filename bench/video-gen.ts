// video-gen speed: seconds of wall time per second of video generated, for each mode at 512×288,
// 24 fps, about 2 s of video each, in one run. Keyframes are frames of ffmpeg's testsrc2 (moving
// content) made into the temp folder. The model-pack row runs a tiny lerp ONNX pack: it measures
// the pack plumbing (tensor layout, ONNX Runtime calls), not a real RIFE network.
//
//   npm run bench:video-gen            (or: npx tsx bench/video-gen.ts --runs 3)
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runOperation } from '../packages/core/src/engine/index.js';
import { resolveTools } from '../packages/core/src/media/index.js';
import { OPERATION_REGISTRY } from '../packages/core/src/ops/index.js';
import { OnnxGraphBuilder } from '../packages/core/src/onnx/graph-builder.js';

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1] ?? 0) || 2;
const WIDTH = 512;
const HEIGHT = 288;
const FPS = 24;

const dir = mkdtempSync(join(tmpdir(), 'fw-bench-video-gen-'));

async function keyframes(): Promise<string[]> {
  const { ffmpeg } = await resolveTools();
  const paths: string[] = [];
  for (const t of [0, 1, 2]) {
    const path = join(dir, `key-${t}.png`);
    await promisify(execFile)(ffmpeg.path, ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=s=${WIDTH}x${HEIGHT}:r=${FPS}`, '-ss', String(t), '-frames:v', '1', path]);
    paths.push(path);
  }
  return paths;
}

function lerpPack(): string {
  const g = new OnnxGraphBuilder('lerp-interpolator');
  const a = g.input('img0', 'float32', [1, 3, 'height', 'width']);
  const b = g.input('img1', 'float32', [1, 3, 'height', 'width']);
  const t = g.input('timestep', 'float32', [1, 1, 1, 1]);
  g.output(g.node('Add', [a, g.node('Mul', [t, g.node('Sub', [b, a])])]), 'output', [1, 3, 'height', 'width']);
  const model = g.toBytes();
  const pack = join(dir, 'lerp-pack');
  mkdirSync(pack);
  writeFileSync(join(pack, 'model.onnx'), model);
  writeFileSync(join(pack, 'framewright-model.json'), JSON.stringify({
    manifestVersion: 1, id: 'bench-lerp', family: 'frame-interpolation', task: 'frame-interpolation', licence: { name: 'MIT' },
    files: [{ path: 'model.onnx', role: 'model', size: model.length, sha256: createHash('sha256').update(model).digest('hex') }],
  }));
  return pack;
}

async function main(): Promise<void> {
  const keys = await keyframes();
  const still = keys[1]!;
  const pack = lerpPack();
  // 3 keyframes over 49 frames (23 in-betweens per gap); camera moves: 48 frames.
  const interpolate = { mode: 'interpolate', keyframes: keys, frames: 49, fps: FPS };
  const modes: [string, Record<string, unknown>][] = [
    ['interpolate, optical flow (default)', { ...interpolate }],
    ['interpolate, motion-compensated (minterpolate)', { ...interpolate, interpolation: 'motion' }],
    ['interpolate, linear blend', { ...interpolate, interpolation: 'blend' }],
    ['interpolate, model pack (tiny lerp ONNX)', { ...interpolate, model: pack }],
    ['image-to-video, ken-burns', { mode: 'image-to-video', image: still, motion: 'ken-burns', frames: 48, fps: FPS, width: WIDTH, height: HEIGHT }],
    ['image-to-video, ken-burns + tone + soft subtitles', { mode: 'image-to-video', image: still, frames: 48, fps: FPS, width: WIDTH, height: HEIGHT, audio: { kind: 'tone' }, subtitles: { text: 'Framewright' } }],
    ['image-to-video, ProRes MOV', { mode: 'image-to-video', image: still, frames: 48, fps: FPS, width: WIDTH, height: HEIGHT, format: 'prores' }],
    ['text-to-video', { mode: 'text-to-video', prompt: 'a red circle moves from left to right on a blue background', frames: 48, fps: FPS, width: WIDTH, height: HEIGHT }],
  ];
  const capability = await OPERATION_REGISTRY['video-gen'].availability();
  console.log(`video-gen at ${WIDTH}x${HEIGHT}, ${FPS} fps, best of ${runs} runs; ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'})`);
  console.log(`${'mode'.padEnd(52)} ${'frames'.padStart(6)} ${'video s'.padStart(8)} ${'wall s'.padStart(8)} ${'s per video s'.padStart(14)}`);
  for (const [name, params] of modes) {
    const mode = capability.modes?.find((m) => m.mode === params['mode']);
    if (mode !== undefined && !mode.available) {
      console.log(`${name.padEnd(52)} unavailable: ${mode.reason ?? 'not in this build'}`);
      continue;
    }
    let best = Number.POSITIVE_INFINITY;
    let result: { frames: number; durationSeconds: number } | undefined;
    for (let r = 0; r < runs; r++) {
      const out = join(dir, `out-${name.replace(/\W+/g, '-')}-${r}`);
      const started = performance.now();
      result = await runOperation('video-gen', { ...params, outputDir: out });
      best = Math.min(best, (performance.now() - started) / 1000);
      rmSync(out, { recursive: true, force: true });
    }
    const perSecond = best / result!.durationSeconds;
    console.log(`${name.padEnd(52)} ${String(result!.frames).padStart(6)} ${result!.durationSeconds.toFixed(2).padStart(8)} ${best.toFixed(2).padStart(8)} ${perSecond.toFixed(2).padStart(14)}`);
  }
}

try {
  await main();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
