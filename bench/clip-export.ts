// The clip-file part of bench:clip-cut: how long writing every clip file of a cut list takes in
// each clip mode (copy, smart, accurate), on the same video in the same run, and whether each
// file holds the frames its mode promises. Run twice: on the bench video as x264 encodes it by
// default (a keyframe every 2 s and at shot changes) and on the same pictures re-encoded with a
// keyframe only every 250 frames and 3 B-frames (no keyframe at the cuts), the hard case.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { cutSegment, prepareSegmentSource, probe, readVideoPackets, type SegmentMode } from '../packages/core/src/media/index.js';

const run = promisify(execFile);
const MODES: readonly SegmentMode[] = ['copy', 'smart', 'accurate'];

/** What writing one video's clip files in one mode took. */
export interface ExportTiming {
  mode: SegmentMode;
  seconds: number;
  /** CPU seconds of the ffmpeg children. */
  cpuSeconds: number;
  /** Frames per clip: the cut list's, and the file's as its packets count them. */
  frames: Array<{ expected: number; file: number }>;
  reencodedFrames: number;
  ffmpegPeakMiB: number;
}

/** CPU seconds of the children that have exited (Linux /proc). */
function childCpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

/** Peak VmHWM (MiB) of ffmpeg children, sampled every 100 ms while `work` runs. */
async function ffmpegPeak<T>(work: () => Promise<T>): Promise<{ value: T; peakMiB: number }> {
  let peak = 0;
  const timer = setInterval(() => {
    const children = readFileSync(`/proc/self/task/${process.pid}/children`, 'utf8').trim().split(' ').filter((p) => p !== '');
    for (const pid of children) {
      try {
        const status = readFileSync(`/proc/${pid}/status`, 'utf8');
        const hwm = /^Name:\s+ffmpeg$/m.test(status) ? /VmHWM:\s+(\d+) kB/.exec(status) : null;
        if (hwm?.[1] !== undefined) peak = Math.max(peak, Number(hwm[1]) / 1024);
      } catch {
        // the process ended between listing and reading
      }
    }
  }, 100);
  try {
    return { value: await work(), peakMiB: peak };
  } finally {
    clearInterval(timer);
  }
}

/** Writes the clip files of `cuts` (clip starts after 0) in `mode`, as clip-cut does, and checks them. */
async function exportClips(path: string, cuts: readonly number[], frameCount: number, mode: SegmentMode): Promise<ExportTiming> {
  const info = await probe(path);
  const outputDir = mkdtempSync(join(tmpdir(), 'fw-bench-clips-'));
  try {
    const bounds = [0, ...cuts, frameCount];
    const started = performance.now();
    const cpuBefore = childCpuSeconds();
    const { value: made, peakMiB } = await ffmpegPeak(async () => {
      const source = await prepareSegmentSource(path);
      const cutsMade = [];
      for (let i = 0; i + 1 < bounds.length; i++) {
        cutsMade.push(await cutSegment(path, join(outputDir, `clip-${i + 1}.mp4`), { startFrame: bounds[i]!, endFrame: bounds[i + 1]!, fps: info.fps, mode, source }));
      }
      return cutsMade;
    });
    const seconds = (performance.now() - started) / 1000;
    const cpuSeconds = childCpuSeconds() - cpuBefore;
    const frames = [];
    for (let i = 0; i < made.length; i++) {
      const file = (await readVideoPackets(join(outputDir, `clip-${i + 1}.mp4`))).pts.length;
      frames.push({ expected: made[i]!.endFrame - made[i]!.startFrame, file });
      if (mode !== 'copy' && made[i]!.endFrame - made[i]!.startFrame !== bounds[i + 1]! - bounds[i]!) throw new Error(`${mode} clip ${i + 1} holds frames ${made[i]!.startFrame}-${made[i]!.endFrame}`);
    }
    return { mode, seconds, cpuSeconds, frames, reencodedFrames: made.reduce((a, m) => a + m.reencodedFrames, 0), ffmpegPeakMiB: peakMiB };
  } finally {
    rmSync(outputDir, { recursive: true, force: true });
  }
}

/** The bench video's pictures with a keyframe every 250 frames only, 3 B-frames (made once, cached). */
export async function longGopCopy(path: string, cacheDir: string): Promise<string> {
  const out = join(cacheDir, 'clip-cut-60s-1080p-gop250.mp4');
  if (!existsSync(out)) {
    console.log(`generating ${out} (once; reused by later runs) ...`);
    await run(process.env['FFMPEG_PATH'] ?? 'ffmpeg', [
      '-hide_banner', '-loglevel', 'error', '-y', '-i', path, '-c:v', 'libx264', '-preset', 'veryfast', '-bf', '3',
      '-x264-params', 'keyint=250:min-keyint=250:scenecut=0', '-pix_fmt', 'yuv420p', '-c:a', 'copy', '-movflags', '+faststart', out,
    ]);
  }
  return out;
}

/** Times every clip mode on `path` with cuts at `cuts`, prints the figures and returns them. */
export async function benchExports(label: string, path: string, cuts: readonly number[], frameCount: number): Promise<Record<string, unknown>> {
  const timings: ExportTiming[] = [];
  for (const mode of MODES) {
    const t = await exportClips(path, cuts, frameCount, mode);
    timings.push(t);
    console.log(
      `  ${label}, ${mode.padEnd(8)} ${t.seconds.toFixed(2).padStart(7)} s (${(frameCount / t.seconds).toFixed(1)} frames/s, CPU ${t.cpuSeconds.toFixed(1)} s), ` +
      `re-encoded ${t.reencodedFrames} of ${frameCount} frames; frames per clip (cut list/file): ${t.frames.map((f) => `${f.expected}/${f.file}`).join(' ')}; ffmpeg peak ${t.ffmpegPeakMiB.toFixed(0)} MiB`,
    );
  }
  const [copy, smart, accurate] = timings as [ExportTiming, ExportTiming, ExportTiming];
  const ratio = (a: number, b: number) => Math.round((a / b) * 1000) / 1000;
  console.log(`  ${label}: smart takes ${ratio(smart.seconds, copy.seconds)}x the time of copy and ${ratio(smart.seconds, accurate.seconds)}x that of accurate (CPU ${ratio(smart.cpuSeconds, copy.cpuSeconds)}x, ${ratio(smart.cpuSeconds, accurate.cpuSeconds)}x)`);
  return {
    ...Object.fromEntries(timings.map((t) => [t.mode, { seconds: ratio(t.seconds, 1), cpuSeconds: ratio(t.cpuSeconds, 1), reencodedFrames: t.reencodedFrames, ffmpegPeakMiB: Math.round(t.ffmpegPeakMiB) }])),
    smartOverCopy: ratio(smart.seconds, copy.seconds),
    smartOverAccurate: ratio(smart.seconds, accurate.seconds),
    smartExact: smart.frames.every((f) => f.expected === f.file),
  };
}
