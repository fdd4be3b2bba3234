// Keyframe interpolation quality and speed on large motion, side by side in one run. Each scene
// is rendered by ffmpeg at 512×288 as five frames of one continuous move — pans, a zoom, objects
// crossing a still or a panning ground, over rich sources (testsrc2, mandelbrot, cellauto, life,
// gradients); frames 0 and 4 are the keyframes, frames 1–3 the truth of the three in-betweens.
// Every mode runs through the video-gen operation (PNG sequence out, so nothing is lost to
// encoding): optical flow (the default), minterpolate ("motion") and a cross-fade ("blend"). A
// fourth column swaps in opencv-js's Farneback flow under the same synthesis, to show why the
// project computes its own flow. Speed: in-between frames per CPU second of the flow path at
// 512×288 (it runs on one thread, so one core), flows once per keyframe pair; wall time beside it.
//
//   npm run bench:interpolation            (or: npx tsx bench/interpolation.ts --json)
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runOperation } from '../packages/core/src/engine/index.js';
import { resolveTools } from '../packages/core/src/media/index.js';
import { flowFrame, flowPair, flowPairOf } from '../packages/core/src/ops/video-gen/flow-interpolate.js';
import type { FlowField } from '../packages/core/src/ops/video-gen/flow.js';

const W = 512;
const H = 288;
const FRAMES = 5;
const TARGET = { decibelsOverMinterpolate: 2, framesPerSecond: 5 } as const;
const json = process.argv.includes('--json');
const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'fw-bench-interpolation-'));

interface Scene {
  readonly name: string;
  /** ffmpeg inputs (after the stills are made) and the filter graph that yields the five frames as [out]. */
  readonly inputs: readonly string[];
  readonly graph: string;
}

/** Stills the scenes move over, rendered once (1280×720; life is drawn at 640×360 and scaled). */
const STILLS: Record<string, string> = {
  testsrc2: 'testsrc2=s=1280x720',
  mandelbrot: 'mandelbrot=s=1280x720:maxiter=200',
  cellauto: 'cellauto=s=1280x720:rule=110:seed=7',
  life: 'life=s=640x360:mold=10:ratio=0.3:seed=5:life_color=#ffd040:death_color=#301060,scale=1280:720:flags=neighbor',
  gradients: 'gradients=s=1280x720:c0=0x2040c0:c1=0xe0a030:c2=0x30c060:n=3:seed=3',
};

const still = (name: string) => ['-loop', '1', '-i', join(dir, `${name}.png`)];

const SCENES: readonly Scene[] = [
  { name: 'pan right over testsrc2, 30 px/frame', inputs: still('testsrc2'), graph: `[0:v]crop=${W}:${H}:x='60+n*30':y='120+n*4'[out]` },
  { name: 'diagonal pan over mandelbrot, 28+14 px/frame', inputs: still('mandelbrot'), graph: `[0:v]crop=${W}:${H}:x='300-n*28':y='200+n*14'[out]` },
  { name: 'zoom in on cellauto, 1.0 to 1.24', inputs: still('cellauto'), graph: `[0:v]zoompan=z='1+0.06*on':x='iw/2-iw/zoom/2':y='ih/2-ih/zoom/2':d=1:s=${W}x${H}[out]` },
  {
    name: 'testsrc2 tile crossing a still mandelbrot, 40 px/frame',
    inputs: [...still('mandelbrot'), ...still('testsrc2')],
    graph: `[0:v]crop=${W}:${H}:200:150[bg];[1:v]crop=160:120:500:300[fg];[bg][fg]overlay=x='30+n*40':y='90+n*6'[out]`,
  },
  {
    name: 'life ground panning left, gradients tile moving right',
    inputs: [...still('life'), ...still('gradients')],
    graph: `[0:v]crop=${W}:${H}:x='400-n*20':y=200[bg];[1:v]crop=128:128:300:200[fg];[bg][fg]overlay=x='60+n*36':y='60+n*10'[out]`,
  },
];

async function ffmpeg(args: readonly string[]): Promise<void> {
  const { ffmpeg: tool } = await resolveTools();
  await run(tool.path, ['-hide_banner', '-loglevel', 'error', '-y', ...args], { maxBuffer: 1 << 26 });
}

async function rgbOf(path: string): Promise<Uint8Array> {
  const { ffmpeg: tool } = await resolveTools();
  const { stdout } = await run(tool.path, ['-hide_banner', '-loglevel', 'error', '-i', path, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { encoding: 'buffer', maxBuffer: 1 << 26 });
  return new Uint8Array(stdout);
}

function psnr(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i]! - b[i]!) ** 2;
  return 10 * Math.log10((255 * 255) / Math.max(1e-9, sum / a.length));
}

/** opencv-js, loaded once; its load time is reported. */
async function loadOpenCv(): Promise<{ cv: any; seconds: number }> {
  const started = performance.now();
  const mod: any = await import('@techstark/opencv-js');
  // The Emscripten module is a thenable that resolves to itself: awaiting it never ends.
  const cv = mod.default ?? mod;
  if (cv.Mat === undefined) await new Promise<void>((done) => { cv.onRuntimeInitialized = done; });
  return { cv, seconds: (performance.now() - started) / 1000 };
}

function farneback(cv: any, a: Uint8Array, b: Uint8Array): FlowField {
  const gray = (rgb: Uint8Array) => {
    const m = new cv.Mat(H, W, cv.CV_8UC1);
    for (let i = 0, j = 0; i < W * H; i++, j += 3) m.data[i] = Math.round(0.299 * rgb[j]! + 0.587 * rgb[j + 1]! + 0.114 * rgb[j + 2]!);
    return m;
  };
  const ga = gray(a);
  const gb = gray(b);
  const flow = new cv.Mat();
  cv.calcOpticalFlowFarneback(ga, gb, flow, 0.5, 5, 21, 5, 7, 1.5, 0);
  const u = new Float32Array(W * H);
  const v = new Float32Array(W * H);
  const data: Float32Array = flow.data32F;
  for (let i = 0; i < W * H; i++) {
    u[i] = data[2 * i]!;
    v[i] = data[2 * i + 1]!;
  }
  ga.delete();
  gb.delete();
  flow.delete();
  return { width: W, height: H, u, v };
}

/** CPU seconds of this process since `start`: the work of the one thread that runs the flow. */
function cpuSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

interface Row { scene: string; flow: number; farneback: number; motion: number; blend: number }

async function main(): Promise<void> {
  for (const [name, source] of Object.entries(STILLS)) await ffmpeg(['-f', 'lavfi', '-i', source, '-frames:v', '1', join(dir, `${name}.png`)]);
  const { cv, seconds: cvLoad } = await loadOpenCv();
  const rows: Row[] = [];
  let flowSeconds = 0;
  let farnebackSeconds = 0;
  let flowWallSeconds = 0;
  let inBetweens = 0;
  for (const [s, scene] of SCENES.entries()) {
    const pattern = join(dir, `scene-${s}-%d.png`);
    await ffmpeg([...scene.inputs, '-filter_complex', `${scene.graph};[out]format=rgb24[rgb]`, '-map', '[rgb]', '-frames:v', String(FRAMES), '-start_number', '0', pattern]);
    const path = (i: number) => join(dir, `scene-${s}-${i}.png`);
    const truth = await Promise.all([1, 2, 3].map((i) => rgbOf(path(i))));
    const keyframes = [path(0), path(FRAMES - 1)];
    const score = async (interpolation: 'flow' | 'motion' | 'blend') => {
      const result = await runOperation('video-gen', { mode: 'interpolate', keyframes, frames: FRAMES, interpolation, format: 'png-sequence', outputDir: join(dir, `out-${s}-${interpolation}`) });
      const frames = await Promise.all([2, 3, 4].map((i) => rgbOf(join(result.path, `frame-${String(i).padStart(5, '0')}.png`))));
      return frames.reduce((sum, f, i) => sum + psnr(f, truth[i]!), 0) / frames.length;
    };
    // The flow path's speed, on the decoded keyframes alone (no ffmpeg in the timing).
    const a = { width: W, height: H, rgb: await rgbOf(path(0)) };
    const b = { width: W, height: H, rgb: await rgbOf(path(FRAMES - 1)) };
    let started = process.cpuUsage();
    let wall = performance.now();
    const pair = flowPair(a, b);
    for (const t of [0.25, 0.5, 0.75]) flowFrame(a, b, pair, t);
    flowSeconds += cpuSince(started);
    flowWallSeconds += (performance.now() - wall) / 1000;
    inBetweens += 3;
    started = process.cpuUsage();
    const cvPair = flowPairOf(farneback(cv, a.rgb, b.rgb), farneback(cv, b.rgb, a.rgb));
    const cvFrames = [0.25, 0.5, 0.75].map((t) => flowFrame(a, b, cvPair, t));
    farnebackSeconds += cpuSince(started);
    rows.push({
      scene: scene.name,
      flow: await score('flow'),
      farneback: cvFrames.reduce((sum, f, i) => sum + psnr(f, truth[i]!), 0) / 3,
      motion: await score('motion'),
      blend: await score('blend'),
    });
  }
  const mean = (k: keyof Omit<Row, 'scene'>) => rows.reduce((sum, r) => sum + r[k], 0) / rows.length;
  const summary = {
    size: `${W}x${H}`, inBetweensPerPair: 3,
    meanPsnr: { flow: mean('flow'), farneback: mean('farneback'), motion: mean('motion'), blend: mean('blend') },
    flowOverMinterpolate: mean('flow') - mean('motion'),
    flowFramesPerSecond: inBetweens / flowSeconds,
    flowFramesPerWallSecond: inBetweens / flowWallSeconds,
    farnebackFramesPerSecond: inBetweens / farnebackSeconds,
    opencvLoadSeconds: cvLoad,
    targets: TARGET,
  };
  const pass = { quality: summary.flowOverMinterpolate >= TARGET.decibelsOverMinterpolate, speed: summary.flowFramesPerSecond >= TARGET.framesPerSecond };
  if (json) {
    process.stdout.write(`${JSON.stringify({ ...summary, rows, pass })}\n`);
    return;
  }
  const db = (v: number) => `${v.toFixed(2)} dB`.padStart(10);
  console.log(`interpolation at ${W}x${H}: keyframes 4 frames apart, mean PSNR of the 3 in-betweens against the rendered truth`);
  console.log(`${'scene'.padEnd(56)} ${'flow'.padStart(10)} ${'farneback'.padStart(10)} ${'minterp.'.padStart(10)} ${'blend'.padStart(10)}`);
  for (const r of rows) console.log(`${r.scene.padEnd(56)} ${db(r.flow)} ${db(r.farneback)} ${db(r.motion)} ${db(r.blend)}`);
  console.log(`${'mean'.padEnd(56)} ${db(mean('flow'))} ${db(mean('farneback'))} ${db(mean('motion'))} ${db(mean('blend'))}`);
  console.log(`flow − minterpolate: ${summary.flowOverMinterpolate.toFixed(2)} dB (target ≥ ${TARGET.decibelsOverMinterpolate}: ${pass.quality ? 'met' : 'MISSED'})`);
  console.log(`flow speed: ${summary.flowFramesPerSecond.toFixed(2)} in-betweens per CPU second (one thread), 3 per pair, flows included (target ≥ ${TARGET.framesPerSecond}: ${pass.speed ? 'met' : 'MISSED'}); ${summary.flowFramesPerWallSecond.toFixed(2)} per wall second on this machine now`);
  console.log(`opencv-js Farneback + the same synthesis: ${summary.farnebackFramesPerSecond.toFixed(2)} in-betweens per CPU second; opencv-js load ${cvLoad.toFixed(2)} s`);
}

try {
  await main();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
