// What audio tracks need before encoding: checking a user's audio file, and speech synthesised by
// espeak-ng (the local text-to-speech engine Debian and most Linux distributions package).
import { execFile } from 'node:child_process';
import type ffmpeg from 'fluent-ffmpeg';
import { cancelled, FramewrightError, oneLine } from '../protocol/index.js';
import { lastLine, newCommand, runCommand } from './command.js';
import { checkInputFile } from './probe.js';
import { boundCommand } from './tools.js';

/** The audio stream of a file, as {@link probeAudio} reports it. */
export interface AudioFileInfo {
  /** Absolute path. */
  readonly path: string;
  /** Codec name, e.g. `mp3`, `pcm_s16le`. */
  readonly codec: string;
  /** Duration in seconds (0 when the container does not say). */
  readonly durationSeconds: number;
}

/**
 * Checks that `input` is a readable file with an audio stream.
 * Errors: `INPUT_NOT_FOUND`, `INPUT_UNREADABLE`, `UNSUPPORTED_MEDIA` (not media, or no audio).
 *
 * @example
 * ```ts
 * const { durationSeconds } = await probeAudio('music.mp3');
 * ```
 */
export async function probeAudio(input: string): Promise<AudioFileInfo> {
  const path = await checkInputFile(input);
  const command = await newCommand();
  const data = await new Promise<ffmpeg.FfprobeData>((resolve, reject) => {
    command.input(path).ffprobe(['-v', 'error'], (error: Error | null, result: ffmpeg.FfprobeData) => {
      if (error) reject(new FramewrightError('UNSUPPORTED_MEDIA', `not a readable audio file: ${path} (${lastLine(error.message) || 'ffprobe cannot read it'})`, { cause: error }));
      else resolve(result);
    });
  });
  const audio = data.streams.find((s) => s.codec_type === 'audio');
  if (audio === undefined) throw new FramewrightError('UNSUPPORTED_MEDIA', `no audio stream in ${path}`);
  const duration = Number.parseFloat(String(data.format.duration ?? audio.duration ?? '0'));
  return { path, codec: audio.codec_name ?? 'unknown', durationSeconds: Number.isFinite(duration) ? duration : 0 };
}

/** The espeak-ng binary: `ESPEAK_NG_PATH` when set, else `espeak-ng` on PATH. */
export function espeakPath(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const fromEnv = env['ESPEAK_NG_PATH'];
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : 'espeak-ng';
}

/** espeak-ng's version when it runs here, else `undefined` (for `framewright doctor`). */
export function espeakVersion(env: Readonly<Record<string, string | undefined>> = process.env): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(espeakPath(env), ['--version'], { timeout: 10_000, windowsHide: true }, (error, stdout) => {
      resolve(error ? undefined : (/(\d+\.\d+(?:\.\d+)?)/.exec(stdout)?.[1] ?? stdout.trim()));
    });
  });
}

/** Options of {@link synthesizeSpeech}. */
export interface SpeechOptions {
  /** An espeak-ng voice, e.g. `en-us`, `de` (default `en`). */
  readonly voice?: string;
  /** Words per minute (default 160). */
  readonly wordsPerMinute?: number;
  /** Kills espeak-ng; rejects with `CANCELLED`. */
  readonly signal?: AbortSignal;
}

/**
 * Speaks `text` into the WAV file `wavPath` with espeak-ng. The text goes on stdin, never on the
 * command line, so nothing in it is read as an option.
 * Errors: `OPERATION_UNAVAILABLE` when espeak-ng is not installed; `INVALID_PARAMS` for an
 * unknown voice; `CANCELLED`.
 */
export async function synthesizeSpeech(text: string, wavPath: string, options: SpeechOptions = {}): Promise<void> {
  const voice = options.voice ?? 'en';
  if (!/^[A-Za-z0-9_+-]{1,60}$/.test(voice)) throw new FramewrightError('INVALID_PARAMS', `narration voice ${JSON.stringify(voice)} is not a voice name`);
  const bin = espeakPath();
  // Bound to this process like ffmpeg, so a killed server leaves no espeak-ng writing a WAV.
  const command = await boundCommand(bin, ['-v', voice, '-s', String(options.wordsPerMinute ?? 160), '-w', wavPath, '--stdin']);
  // Under the wrapper a missing espeak-ng is the wrapper's exit status 127 and complaint, not ENOENT.
  const missing = (error: { code?: unknown }, stderr: string) => error.code === 'ENOENT' || (command.bound && error.code === 127 && /failed to execute/.test(stderr));
  return new Promise((resolve, reject) => {
    const child = execFile(
      command.file,
      [...command.args],
      { timeout: 120_000, windowsHide: true, ...(options.signal === undefined ? {} : { signal: options.signal }) },
      (error, _stdout, stderr) => {
        if (options.signal?.aborted === true) reject(cancelled('narration'));
        else if (error === null) {
          // espeak-ng exits 0 for an unknown voice and only complains on stderr.
          if (/voice does not exist|unknown voice/i.test(stderr)) reject(new FramewrightError('INVALID_PARAMS', `espeak-ng has no voice ${JSON.stringify(voice)}`));
          else resolve();
        } else if (missing(error, stderr)) {
          reject(new FramewrightError('OPERATION_UNAVAILABLE', `narration needs espeak-ng, which is not installed (${bin} not found): install it (apt install espeak-ng) or set ESPEAK_NG_PATH`));
        } else reject(new FramewrightError('INTERNAL', `espeak-ng failed: ${oneLine(stderr.trim() || error.message)}`));
      },
    );
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(text);
  });
}

/** One spoken piece placed on a timeline by {@link placeSpeech}. */
export interface PlacedSpeech {
  /** A WAV (espeak-ng's output). */
  readonly path: string;
  /** Where it starts, seconds. */
  readonly startSeconds: number;
  /** Playback speed (1 = as spoken; above 1 squeezes it into its slot). */
  readonly tempo: number;
}

/** ffmpeg's atempo takes 0.5-2 per filter; faster speeds chain filters. */
function atempoChain(tempo: number): string {
  const parts: string[] = [];
  let left = tempo;
  while (left > 2) {
    parts.push('atempo=2');
    left /= 2;
  }
  parts.push(`atempo=${left.toFixed(6)}`);
  return parts.join(',');
}

/**
 * Mixes spoken pieces into one 48 kHz mono WAV of `durationSeconds`, each starting at its time
 * (silence between them) and sped up by its tempo: narration that follows subtitle cues.
 */
export async function placeSpeech(pieces: readonly PlacedSpeech[], durationSeconds: number, outPath: string, signal?: AbortSignal): Promise<void> {
  if (pieces.length === 0) throw new FramewrightError('INVALID_PARAMS', 'no speech to place');
  const command = await newCommand();
  for (const piece of pieces) command.input(piece.path);
  const chains = pieces.map((piece, i) => `[${i}:a]aresample=48000,aformat=channel_layouts=mono,${atempoChain(piece.tempo)},adelay=${Math.round(piece.startSeconds * 1000)}[s${i}]`);
  const mix = `${pieces.map((_, i) => `[s${i}]`).join('')}amix=inputs=${pieces.length}:duration=longest:normalize=0,apad,atrim=0:${durationSeconds.toFixed(6)}[a]`;
  command.complexFilter([...chains, mix].join(';')).output(outPath).outputOptions(['-map', '[a]', '-c:a', 'pcm_s16le', '-y']);
  await runCommand(command, 'placing the narration on the cues', signal).done;
}
