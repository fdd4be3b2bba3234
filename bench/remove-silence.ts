// clip-cut remove: CPU time of the loudness analysis per hour of audio (target < 10 s), speed of the
// Silero VAD on one thread against real time (target >= 100x), and the sync of a rendered edit at
// the end of a 10-minute recording (target: last beep within one frame of its flash). The media
// (10 minutes, 48 kHz stereo AAC, beeps under white frames every 10 s) is made once in the temp
// folder and reused.
//
//   npm run bench:remove-silence
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { probe, readChunkLoudness, renderKeptRanges } from '../packages/core/src/media/index.js';
import { isLoud, keepFrames, maskOf, REMOVE_DEFAULTS } from '../packages/core/src/ops/clip-cut/remove.js';
import { readSpeechProbabilities } from '../packages/core/src/ops/clip-cut/speech.js';

const LOUDNESS_TARGET_CPU_PER_HOUR = 10;
const VAD_TARGET_REALTIME = 100;
const MINUTES = 10;
const FPS = 30;

/** Linux clock ticks per second (USER_HZ), the unit of the CPU times in /proc. */
const TICKS_PER_SECOND = 100;

/** CPU seconds of this process and of its children that have exited (ffmpeg): unlike wall time, not distorted by a busy machine. */
function cpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const own = process.cpuUsage();
  return (Number(fields[13]) + Number(fields[14])) / TICKS_PER_SECOND + (own.user + own.system) / 1e6;
}

async function measure<T>(work: () => Promise<T>): Promise<{ value: T; cpu: number; wall: number }> {
  const cpu0 = cpuSeconds();
  const wall0 = performance.now();
  const value = await work();
  return { value, cpu: cpuSeconds() - cpu0, wall: (performance.now() - wall0) / 1000 };
}

function ffmpeg(args: string[]): void {
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
}

const dir = join(tmpdir(), 'fw-bench-remove');
mkdirSync(dir, { recursive: true });
const media = join(dir, `beeps-${MINUTES}min.mp4`);
if (!existsSync(media)) {
  console.log(`making ${MINUTES} minutes of media in ${dir} …`);
  // A beep of 0.3 s every 10 s (so 0.7 s of it is kept each time), white frames under each, noise below the threshold between.
  const on = 'lt(mod(t,10),0.3)';
  const audio = `${on}*0.5*sin(2*PI*1000*t)+0.01*(random(0)-0.5)`;
  ffmpeg([
    '-f', 'lavfi', '-i', `color=c=black:s=32x24:r=${FPS}:d=${MINUTES * 60}`,
    '-f', 'lavfi', '-i', `aevalsrc='${audio}|${audio}':s=48000:d=${MINUTES * 60}`,
    '-vf', `drawbox=w=iw:h=ih:c=white:t=fill:enable='${on}'`,
    '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '300', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '128k', '-shortest', media,
  ]);
}

const info = await probe(media);
const audio = info.audio!;
const seconds = info.durationSeconds;
console.log(`media: ${(seconds / 60).toFixed(1)} min, ${audio.sampleRate} Hz ${audio.channels} ch ${audio.codec}; load average ${loadavg()[0]!.toFixed(2)}`);

// Loudness: decode (ffmpeg) + peaks (Node) + the edit, all CPU counted.
const loud = await measure(async () => {
  const { levels } = await readChunkLoudness(media, { fps: info.fps, sampleRate: audio.sampleRate, channels: audio.channels });
  return keepFrames(maskOf(info.frameCount, (j) => isLoud(levels[j] ?? 0, REMOVE_DEFAULTS.silenceThreshold)), info.fps, REMOVE_DEFAULTS);
});
const perHour = (loud.cpu * 3600) / seconds;
console.log(`loudness analysis: ${loud.cpu.toFixed(2)} s CPU (${loud.wall.toFixed(2)} s wall) for ${(seconds / 60).toFixed(1)} min = ${perHour.toFixed(2)} s CPU per hour of audio (target < ${LOUDNESS_TARGET_CPU_PER_HOUR}: ${perHour < LOUDNESS_TARGET_CPU_PER_HOUR ? 'met' : 'NOT met'}); ${loud.value.length} kept ranges`);

// VAD: the model runs on one thread; the decode to 16 kHz is ffmpeg's.
const vad = await measure(() => readSpeechProbabilities(media));
const realtime = seconds / vad.cpu;
console.log(`Silero VAD: ${vad.cpu.toFixed(2)} s CPU (${vad.wall.toFixed(2)} s wall), ${vad.value.probabilities.length} windows = ${realtime.toFixed(0)}x real time per CPU second, ${(seconds / vad.wall).toFixed(0)}x wall (target >= ${VAD_TARGET_REALTIME}x on one core: ${realtime >= VAD_TARGET_REALTIME ? 'met' : 'NOT met'})`);

// Render and check the last beep against its flash.
const rendered = join(dir, 'edited.mp4');
rmSync(rendered, { force: true });
const render = await measure(() => renderKeptRanges(media, rendered, { ranges: loud.value, fps: info.fps, audio: { sampleRate: audio.sampleRate, channels: audio.channels } }));
const keptFrames = loud.value.reduce((sum, r) => sum + r.endFrame - r.startFrame, 0);
const lumas = execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-i', rendered, '-vf', 'scale=1:1', '-pix_fmt', 'gray', '-f', 'rawvideo', '-'], { maxBuffer: 1 << 28 });
const pcm = execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-i', rendered, '-ac', '1', '-c:a', 'pcm_f32le', '-f', 'f32le', '-'], { maxBuffer: 1 << 30 });
const samples = new Float32Array(pcm.buffer.slice(pcm.byteOffset, pcm.byteOffset + pcm.byteLength));
let lastFlash = -1;
for (let f = lumas.length - 1; f > 0; f--) if (lumas[f]! > 128 && lumas[f - 1]! <= 128) { lastFlash = f / FPS; break; }
let lastBeep = -1;
for (let i = samples.length - 1, quiet = 0; i >= 0; i--) {
  // The start of the last beep: the earliest loud sample before a long enough quiet stretch.
  if (Math.abs(samples[i]!) > 0.1) { lastBeep = i / audio.sampleRate; quiet = 0; }
  else if (lastBeep >= 0 && ++quiet > audio.sampleRate * 0.1) break;
}
const skew = Math.abs(lastBeep - lastFlash);
console.log(`render: ${render.wall.toFixed(1)} s wall, ${lumas.length} frames (kept ${keptFrames}), audio ${(samples.length / audio.sampleRate).toFixed(3)} s for ${(keptFrames / FPS).toFixed(3)} s of video; last flash at ${lastFlash.toFixed(3)} s, its beep at ${lastBeep.toFixed(3)} s: ${(skew * 1000).toFixed(1)} ms apart (target <= one frame, ${(1000 / FPS).toFixed(1)} ms: ${skew <= 1 / FPS ? 'met' : 'NOT met'})`);
