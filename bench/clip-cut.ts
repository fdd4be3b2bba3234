// clip-cut throughput against ffmpeg's own decode-only throughput, on a 60 s 1080p H.264 video
// with cuts (generated once into the temp folder and reused), plus peak memory of the Node
// process and of the ffmpeg children, measured again on a 20 s cut of the same video to show
// that memory does not grow with the length of the video; then the time to write the clip files
// of the cut list in each clip mode (copy, smart, accurate; bench/clip-export.ts).
//
//   npm run bench:clip-cut            (or: npx tsx bench/clip-cut.ts --runs 3)
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { cutSegment, decodeNull, generateSampleVideo, probe } from '../packages/core/src/media/index.js';
import { clipCutOperation } from '../packages/core/src/ops/clip-cut/index.js';
import { benchExports, longGopCopy } from './clip-export.js';

const TARGET_RATIO = 0.8;
/** Frames analysed per CPU second (ffmpeg and Node together) against ffmpeg's decode-only: at least equal. */
const CPU_TARGET_RATIO = 1;
const runs = Number(process.argv[process.argv.indexOf('--runs') + 1] ?? 0) || 2;

/** Peak RSS (MiB) of this process and of its ffmpeg children while `work` runs. */
async function withPeakMemory<T>(work: () => Promise<T>): Promise<{ value: T; nodeMiB: number; ffmpegMiB: number }> {
  let nodePeak = process.memoryUsage().rss;
  let ffmpegPeak = 0;
  const sample = () => {
    nodePeak = Math.max(nodePeak, process.memoryUsage().rss);
    // Children of the main thread (where libuv spawns): cheap to list, unlike scanning /proc.
    const children = readFileSync(`/proc/self/task/${process.pid}/children`, 'utf8').trim().split(' ').filter((p) => p !== '');
    for (const pid of children) {
      try {
        const status = readFileSync(`/proc/${pid}/status`, 'utf8');
        if (!/^Name:\s+ffmpeg$/m.test(status)) continue;
        const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
        if (hwm?.[1] !== undefined) ffmpegPeak = Math.max(ffmpegPeak, Number(hwm[1]) * 1024);
      } catch {
        // the process ended between listing and reading
      }
    }
  };
  const timer = setInterval(sample, 100);
  try {
    const value = await work();
    sample();
    return { value, nodeMiB: nodePeak / 2 ** 20, ffmpegMiB: ffmpegPeak / 2 ** 20 };
  } finally {
    clearInterval(timer);
  }
}

/** Linux clock ticks per second (USER_HZ), the unit of the CPU times in /proc. */
const TICKS_PER_SECOND = 100;

/**
 * CPU seconds used so far by this process and by its children that have exited (the ffmpeg and
 * ffprobe runs): a measure that, unlike wall time, a busy shared machine does not distort.
 */
function cpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const children = (Number(fields[13]) + Number(fields[14])) / TICKS_PER_SECOND;
  const own = process.cpuUsage();
  return children + (own.user + own.system) / 1e6;
}

interface Measured {
  seconds: number;
  fps: number;
  cpuSeconds: number;
  /** Frames per CPU second (all processes of the run together). */
  cpuFps: number;
  nodeMiB: number;
  ffmpegMiB: number;
}

async function measureDecode(path: string, frames: number): Promise<Measured> {
  // The bench's own Node work (memory sampling) is left out: only the ffmpeg child counts.
  const before = cpuSeconds() - ownCpu();
  const { value, nodeMiB, ffmpegMiB } = await withPeakMemory(() => decodeNull(path));
  const cpu = cpuSeconds() - ownCpu() - before;
  return { seconds: value.seconds, fps: frames / value.seconds, cpuSeconds: cpu, cpuFps: frames / cpu, nodeMiB, ffmpegMiB };
}

function ownCpu(): number {
  const own = process.cpuUsage();
  return (own.user + own.system) / 1e6;
}

async function measureClipCut(path: string, frames: number): Promise<Measured & { cuts: number[] }> {
  const outputDir = mkdtempSync(join(tmpdir(), 'fw-bench-out-'));
  try {
    const started = performance.now();
    const cpuBefore = cpuSeconds();
    const { value, nodeMiB, ffmpegMiB } = await withPeakMemory(() =>
      clipCutOperation.run({ input: path, exports: ['json'] }, { signal: new AbortController().signal, onProgress: () => undefined, outputDir }),
    );
    const seconds = (performance.now() - started) / 1000;
    const cpu = cpuSeconds() - cpuBefore;
    return { seconds, fps: frames / seconds, cpuSeconds: cpu, cpuFps: frames / cpu, nodeMiB, ffmpegMiB, cuts: value.cuts.map((c) => c.frame) };
  } finally {
    rmSync(outputDir, { recursive: true, force: true });
  }
}

const best = <T extends { fps: number }>(list: T[]) => list.reduce((a, b) => (b.fps > a.fps ? b : a));
const mib = (v: number) => `${v.toFixed(0)} MiB`;

async function main(): Promise<void> {
  const cacheDir = join(tmpdir(), 'framewright-bench');
  const long = join(cacheDir, 'clip-cut-60s-1080p.mp4');
  const short = join(cacheDir, 'clip-cut-20s-1080p.mp4');
  if (!existsSync(long)) {
    console.log(`generating ${long} (once; reused by later runs) ...`);
    mkdirSync(cacheDir, { recursive: true });
    await generateSampleVideo(long, { width: 1920, height: 1080, fps: 25, seconds: 60, grain: 3, preset: 'veryfast' });
  }
  const info = await probe(long);
  if (!existsSync(short)) await cutSegment(long, short, { startFrame: 0, endFrame: 500, fps: info.fps, mode: 'accurate' });
  const shortInfo = await probe(short);
  const cores = cpus().length;
  console.log(`video: ${info.width}x${info.height} ${info.codec} ${info.fps.num}/${info.fps.den} fps, ${info.frameCount} frames; ${cores} cores; load ${loadavg()[0]!.toFixed(1)}`);

  // Alternate the two so a change in machine load hits both alike; keep each one's best run.
  const decodes: Measured[] = [];
  const clipCuts: Array<Measured & { cuts: number[] }> = [];
  for (let i = 0; i < runs; i++) {
    decodes.push(await measureDecode(long, info.frameCount));
    clipCuts.push(await measureClipCut(long, info.frameCount));
    console.log(
      `run ${i + 1}: decode-only ${decodes[i]!.fps.toFixed(1)} fps (${decodes[i]!.cpuFps.toFixed(1)} per CPU s), ` +
      `clip-cut ${clipCuts[i]!.fps.toFixed(1)} fps (${clipCuts[i]!.cpuFps.toFixed(1)} per CPU s)`,
    );
  }
  const decode = best(decodes);
  const clipCut = best(clipCuts);
  const shortRun = await measureClipCut(short, shortInfo.frameCount);
  const ratio = clipCut.fps / decode.fps;
  const cpuDecode = decodes.reduce((a, b) => (b.cpuFps > a.cpuFps ? b : a));
  const cpuClipCut = clipCuts.reduce((a, b) => (b.cpuFps > a.cpuFps ? b : a));
  const cpuRatio = cpuClipCut.cpuFps / cpuDecode.cpuFps;

  console.log('');
  console.log(`decode only (ffmpeg -f null): ${decode.fps.toFixed(1)} frames/s (${decode.seconds.toFixed(2)} s)`);
  console.log(`clip-cut, default settings:   ${clipCut.fps.toFixed(1)} frames/s (${clipCut.seconds.toFixed(2)} s, cuts at ${clipCut.cuts.join(', ')})`);
  console.log(`ratio: ${ratio.toFixed(3)} (target >= ${TARGET_RATIO}) ${ratio >= TARGET_RATIO ? 'PASS' : 'BELOW TARGET'}`);
  console.log(
    `per CPU second (load-independent): decode-only ${cpuDecode.cpuFps.toFixed(1)}, clip-cut ${cpuClipCut.cpuFps.toFixed(1)} ` +
    `frames; ratio ${cpuRatio.toFixed(3)} (target >= ${CPU_TARGET_RATIO}) ${cpuRatio >= CPU_TARGET_RATIO ? 'PASS' : 'BELOW TARGET'}`,
  );
  console.log(`peak RSS, 60 s video: node ${mib(clipCut.nodeMiB)}, ffmpeg ${mib(clipCut.ffmpegMiB)}`);
  console.log(`peak RSS, 20 s video: node ${mib(shortRun.nodeMiB)}, ffmpeg ${mib(shortRun.ffmpegMiB)}`);
  console.log('\nclip files of that cut list, each clip mode in turn:');
  const clipFiles = {
    x264Defaults: await benchExports('keyframe every 2 s and at cuts', long, clipCut.cuts, info.frameCount),
    keyframeEvery250: await benchExports('keyframe every 250 frames', await longGopCopy(long, cacheDir), clipCut.cuts, info.frameCount),
  };
  console.log(JSON.stringify({
    video: { width: info.width, height: info.height, frames: info.frameCount, fps: info.fps },
    cores,
    decodeOnlyFps: round(decode.fps),
    clipCutFps: round(clipCut.fps),
    ratio: round(ratio),
    cpu: { decodeOnlyFramesPerCpuSecond: round(cpuDecode.cpuFps), clipCutFramesPerCpuSecond: round(cpuClipCut.cpuFps), ratio: round(cpuRatio), target: CPU_TARGET_RATIO, pass: cpuRatio >= CPU_TARGET_RATIO },
    target: TARGET_RATIO,
    pass: ratio >= TARGET_RATIO,
    peakRssMiB: {
      long: { node: round(clipCut.nodeMiB), ffmpeg: round(clipCut.ffmpegMiB) },
      short: { node: round(shortRun.nodeMiB), ffmpeg: round(shortRun.ffmpegMiB) },
    },
    clipFiles,
  }));
}

const round = (v: number) => Math.round(v * 1000) / 1000;

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
