// Recordings with known loud, quiet and spoken parts for the remove tests, made with ffmpeg and
// espeak-ng, and a plain reading of their audio (f32 PCM) for the tests' own reference edits.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** Runs ffmpeg quietly, throwing with its stderr on failure. */
export function ffmpeg(args: string[]): void {
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Speaks `text` into `dir/<name>.wav` with espeak-ng. */
export function speak(dir: string, name: string, text: string): string {
  const wav = join(dir, `${name}.wav`);
  execFileSync('espeak-ng', ['-v', 'en', '-s', '160', '-w', wav, text], { stdio: 'ignore' });
  return wav;
}

/**
 * A video (`seconds` long, 30 fps, 64×48) whose stereo 48 kHz audio is `left|right` (aevalsrc
 * expressions of t) with each of `speech` mixed in at its second.
 */
export function makeRecording(path: string, options: { seconds: number; left: string; right: string; speech?: Array<{ wav: string; at: number }>; audioCodec?: string[] }): string {
  const speech = options.speech ?? [];
  const inputs = speech.flatMap((s) => ['-i', s.wav]);
  const delayed = speech.map((s, i) => `[${i + 2}:a]aresample=48000,pan=stereo|c0=c0|c1=c0,adelay=${Math.round(s.at * 1000)}|${Math.round(s.at * 1000)}[s${i}]`);
  const mix = speech.length === 0 ? '[1:a]anull[a]' : `[1:a]${speech.map((_, i) => `[s${i}]`).join('')}amix=inputs=${speech.length + 1}:normalize=0:duration=first[a]`;
  ffmpeg([
    '-f', 'lavfi', '-i', `color=c=gray:s=64x48:r=30:d=${options.seconds}`,
    '-f', 'lavfi', '-i', `aevalsrc='${options.left}|${options.right}':s=48000:d=${options.seconds}`,
    ...inputs,
    '-filter_complex', [...delayed, mix].join(';'),
    '-map', '0:v', '-map', '[a]', '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '30', '-pix_fmt', 'yuv420p',
    ...(options.audioCodec ?? ['-c:a', 'pcm_s16le']), '-t', String(options.seconds), path,
  ]);
  return path;
}

/** The first audio stream of `path` as interleaved f32 samples at its own rate. */
export function readPcm(path: string, channels: number): Float32Array {
  const raw = execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-i', path, '-map', '0:a:0', '-ac', String(channels), '-c:a', 'pcm_f32le', '-f', 'f32le', '-'], { maxBuffer: 1 << 28 });
  return new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
}

/** The first audio stream of `path` as interleaved signed 16-bit samples at its own rate. */
export function readPcm16(path: string, channels: number): Int16Array {
  const raw = execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-i', path, '-map', '0:a:0', '-ac', String(channels), '-c:a', 'pcm_s16le', '-f', 's16le', '-'], { maxBuffer: 1 << 28 });
  return new Int16Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
}
