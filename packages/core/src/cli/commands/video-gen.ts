import { extname, resolve } from 'node:path';
import { FramewrightError, isFramewrightError, VIDEO_GEN_MODES, VIDEO_GEN_MOTIONS, type VideoGenParams, type VideoGenResult } from '../../protocol/index.js';
import { booleanFlag, numberFlag, parseFlags, positionalArgs, stringFlag, type ParsedArgs } from '../args.js';
import { usageError } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { runOperationInCli, shownPath } from './output-dir.js';
import type { Command } from './types.js';

const FORMATS = ['mp4', 'prores', 'png-sequence'] as const;
const INTERPOLATIONS = ['flow', 'motion', 'blend', 'model'] as const;

const FLAGS = {
  mode: { type: 'string' },
  prompt: { type: 'string' },
  prompts: { type: 'string' },
  keyframes: { type: 'string' },
  image: { type: 'string' },
  frames: { type: 'string' },
  fps: { type: 'string' },
  width: { type: 'string' },
  height: { type: 'string' },
  seed: { type: 'string' },
  interpolation: { type: 'string' },
  motion: { type: 'string' },
  model: { type: 'string' },
  audio: { type: 'string' },
  'tone-frequency': { type: 'string' },
  voice: { type: 'string' },
  'narrate-cues': { type: 'boolean' },
  subtitles: { type: 'string' },
  'subtitle-format': { type: 'string' },
  'burn-subtitles': { type: 'boolean' },
  format: { type: 'string' },
  out: { type: 'string', short: 'o' },
  overwrite: { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Which flag sets each params field, so schema errors name the flag the user typed. */
const FLAG_OF_POINTER: Record<string, string> = {
  '/mode': '--mode', '/prompt': '--prompt', '/prompts': '--prompts', '/keyframes': '--keyframes', '/image': '--image', '/frames': '--frames',
  '/fps': '--fps', '/width': '--width', '/height': '--height', '/seed': '--seed', '/interpolation': '--interpolation',
  '/motion': '--motion', '/model': '--model', '/audio': '--audio', '/audio/frequency': '--tone-frequency',
  '/audio/voice': '--voice', '/subtitles': '--subtitles', '/subtitles/text': '--subtitles', '/outputDir': '--out',
};

const HELP = `Usage: framewright video-gen --mode MODE [options]

Makes a video: in-between frames for keyframes (interpolate), a camera move over a still
(image-to-video), or a clip from a prompt (text-to-video: the built-in model draws one shape
crossing a plain background, e.g. "a red circle moves from left to right on a blue background").
Prints the result: path, frames, fps, width, height, durationSeconds.

Modes and their inputs:
  --mode interpolate --keyframes A.png,B.png[,...]   keyframes spread evenly over the frames
                     (a clip as a keyframe: the first gives its last frame, later ones their first)
  --mode image-to-video --image X.png
  --mode text-to-video --prompt TEXT [--seed S]
                     [--model PACK] keyframes drawn by a text-to-image pack (its id), optical
                     flow between them, --motion as a camera move; --prompts "A|B|C" one per keyframe

Options:
  --frames N                 frames of the video, in every mode (interpolate: keyframe i at frame
                             round(i·(N−1)/(keyframes−1)); default 8 per gap + 1, or 48 frames)
  --fps F                    frame rate, e.g. 24, 29.97 (default 24)
  --width W --height H       output size, even numbers (default: the first keyframe's / the image's;
                             text-to-video 256x256)
  --interpolation KIND       ${INTERPOLATIONS.join(', ')} (default flow: optical flow both ways,
                             occlusion-aware; motion: ffmpeg minterpolate; blend: cross-fade; model: a pack)
  --model PACK               interpolate: a frame-interpolation pack, its folder or id (implies --interpolation
                             model); text-to-video: the id of a text-to-image pack that draws the keyframes
  --motion MOVE              ${VIDEO_GEN_MOTIONS.join(', ')} (default ken-burns)
  --audio SOURCE             tone, silence, narration (speaks the subtitles or prompt with espeak-ng),
                             or an audio FILE (trimmed or padded to the video's length)
  --tone-frequency HZ        pitch of --audio tone (default 440)
  --voice NAME               espeak-ng voice for narration (default en)
  --narrate-cues             narration speaks each subtitle cue at its start (sped up to fit
                             before the next cue), instead of all the text in one go
  --subtitles TEXT|FILE      caption text for the whole video, or an .srt/.vtt file
  --subtitle-format srt|vtt  format of the caption file written beside the video (default srt)
  --burn-subtitles           draw the captions into the picture instead of a subtitle track
  --format FORMAT            ${FORMATS.join(', ')} (default mp4: H.264, yuv420p, faststart)
  -o, --out DIR              folder for every file written (default: the current folder)
  --overwrite                write MODE.mp4 (.mov, folder), replacing one there (default: a free
                             name, MODE-2.mp4, ...)
  --json                     print the result object (or {"error":{code,message}}) on stdout
  -h, --help                 show this help`;

function oneOf<T extends string>(args: ParsedArgs, name: string, allowed: readonly T[]): T | undefined {
  const value = stringFlag(args, name);
  if (value !== undefined && !(allowed as readonly string[]).includes(value)) {
    throw usageError(`video-gen: --${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return value as T | undefined;
}

function audioOf(args: ParsedArgs, cwd: string): VideoGenParams['audio'] {
  const audio = stringFlag(args, 'audio');
  const frequency = numberFlag('video-gen', args, 'tone-frequency');
  const voice = stringFlag(args, 'voice');
  if (frequency !== undefined && audio !== 'tone') throw usageError('video-gen: --tone-frequency goes with --audio tone');
  if (voice !== undefined && audio !== 'narration') throw usageError('video-gen: --voice goes with --audio narration');
  const byCues = booleanFlag(args, 'narrate-cues');
  if (byCues && audio !== 'narration') throw usageError('video-gen: --narrate-cues goes with --audio narration');
  if (audio === undefined) return undefined;
  if (audio === 'tone') return frequency === undefined ? { kind: 'tone' } : { kind: 'tone', frequency };
  if (audio === 'silence') return { kind: 'silence' };
  if (audio === 'narration') return { kind: 'narration', ...(voice === undefined ? {} : { voice }), ...(byCues ? { timing: 'cues' as const } : {}) };
  return { kind: 'file', path: resolve(cwd, audio) };
}

function subtitlesOf(args: ParsedArgs, cwd: string): VideoGenParams['subtitles'] {
  const value = stringFlag(args, 'subtitles');
  const format = oneOf(args, 'subtitle-format', ['srt', 'vtt'] as const);
  const burn = booleanFlag(args, 'burn-subtitles');
  if (value === undefined) {
    if (burn || format !== undefined) throw usageError('video-gen: --burn-subtitles and --subtitle-format need --subtitles');
    return undefined;
  }
  const isFile = /\.(srt|vtt)$/i.test(extname(value));
  return {
    ...(isFile ? { file: resolve(cwd, value) } : { text: value }),
    ...(burn ? { burn } : {}),
    ...(format === undefined ? {} : { format }),
  };
}

/** Turns the command line into video-gen params (paths made absolute against `cwd`). */
export function videoGenParamsOf(args: ParsedArgs, cwd: string): VideoGenParams {
  positionalArgs('video-gen', args, []);
  const mode = oneOf(args, 'mode', VIDEO_GEN_MODES);
  if (mode === undefined) throw usageError(`video-gen: --mode is required (${VIDEO_GEN_MODES.join(', ')})`);
  const keyframes = stringFlag(args, 'keyframes')?.split(',').map((k) => k.trim()).filter((k) => k !== '');
  if (keyframes !== undefined && keyframes.length < 2) throw usageError(`video-gen: --keyframes needs at least two pictures, comma-separated; got ${keyframes.length}`);
  const image = stringFlag(args, 'image');
  const model = stringFlag(args, 'model');
  const optional = {
    prompt: stringFlag(args, 'prompt'),
    prompts: stringFlag(args, 'prompts')?.split('|').map((p) => p.trim()).filter((p) => p !== ''),
    keyframes: keyframes?.map((k) => resolve(cwd, k)),
    image: image === undefined ? undefined : resolve(cwd, image),
    frames: numberFlag('video-gen', args, 'frames', { integer: true }),
    fps: numberFlag('video-gen', args, 'fps'),
    width: numberFlag('video-gen', args, 'width', { integer: true }),
    height: numberFlag('video-gen', args, 'height', { integer: true }),
    seed: numberFlag('video-gen', args, 'seed', { integer: true }),
    interpolation: oneOf(args, 'interpolation', INTERPOLATIONS),
    motion: oneOf(args, 'motion', VIDEO_GEN_MOTIONS),
    // A folder path is resolved against cwd; a bare id is looked up in the model folders.
    model: model === undefined ? undefined : /[\\/]|^\./.test(model) ? resolve(cwd, model) : model,
    audio: audioOf(args, cwd),
    subtitles: subtitlesOf(args, cwd),
    format: oneOf(args, 'format', FORMATS),
  };
  const params: Record<string, unknown> = { mode, outputDir: resolve(cwd, stringFlag(args, 'out') ?? '.') };
  if (booleanFlag(args, 'overwrite')) params['overwrite'] = true;
  for (const [key, value] of Object.entries(optional)) if (value !== undefined) params[key] = value;
  // Ranges are checked by the operation's schema; its errors are mapped back to flag names.
  return params as VideoGenParams;
}

/** Rewrites `video-gen params /fps must be > 0` as `video-gen: --fps must be > 0`. */
function namingFlags(error: unknown): unknown {
  if (!isFramewrightError(error) || error.pointer === undefined) return error;
  const flag = FLAG_OF_POINTER[error.pointer] ?? FLAG_OF_POINTER[error.pointer.replace(/\/\d+$/, '')];
  const prefix = `video-gen params ${error.pointer} `;
  if (flag === undefined) return error;
  const detail = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
  return new FramewrightError(error.code, `video-gen: ${flag} ${detail}`, { pointer: error.pointer, cause: error });
}

/** The human summary printed without `--json`. */
export function summarizeVideo(result: VideoGenResult, outputDir: string): string {
  const lines = [
    `${shownPath(outputDir, result.path)}: ${result.frames} frames at ${Number(result.fps.toFixed(3))} fps, ${result.width}x${result.height}, ${result.durationSeconds.toFixed(2)} s`,
    ...result.warnings.map((w) => `note: ${w}`),
  ];
  if (result.files.length > 1) lines.push(`wrote ${result.files.length} files to ${outputDir}`);
  return `${lines.join('\n')}\n`;
}

/** Runs video-gen in this process with a progress bar; Ctrl+C cancels (exit 130), leaving no partial files. */
export async function runVideoGen(params: VideoGenParams, io: CliIo): Promise<VideoGenResult> {
  return runOperationInCli('video-gen', params, io, namingFlags);
}

/** `framewright video-gen`. */
export const videoGenCommand: Command = {
  name: 'video-gen',
  help: HELP,
  async run(argv, io) {
    const args = parseFlags('video-gen', argv, FLAGS);
    const params = videoGenParamsOf(args, io.cwd);
    const result = await runVideoGen(params, io);
    io.stdout.write(booleanFlag(args, 'json') ? `${JSON.stringify(result, null, 2)}\n` : summarizeVideo(result, params.outputDir ?? io.cwd));
    return 0;
  },
};
