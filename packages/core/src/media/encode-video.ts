// Encodes raw RGB frames fed through ffmpeg's stdin into a video file (H.264 MP4, ProRes MOV)
// or a PNG sequence, with an optional audio track and subtitles (a soft track, or burned in).
// One ffmpeg does everything, so a filter on the fed frames (motion interpolation) costs no
// extra pass. The output appears under its final name only once it is complete and checked.
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { FramewrightError, isFramewrightError } from '../protocol/index.js';
import { writeAtomic } from '../util/fs.js';
import { newCommand, runCommand } from './command.js';
import { probe, type Rational } from './probe.js';

/** What the media layer's `encodeVideo` writes: a video-gen output format. */
export type VideoContainer = 'mp4' | 'prores' | 'png-sequence';

/** Where the audio track comes from; it is trimmed or padded with silence to the video's length. */
export type AudioTrackSource =
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'tone'; readonly frequency: number }
  | { readonly kind: 'silence' };

/** Subtitles for {@link encodeVideo}: an SRT file, as a soft track or burned into the picture. */
export interface SubtitleTrack {
  /** A well-formed SRT file (the caller validated it); its path must not contain `'`. */
  readonly srtPath: string;
  /** Burn the text into the picture instead of adding a subtitle stream. */
  readonly burn: boolean;
}

/** Options of {@link encodeVideo}. */
export interface EncodeVideoOptions {
  /** Output file (`.mp4`, `.mov`) or, for a PNG sequence, the folder to create. */
  readonly path: string;
  /** Container and codec. */
  readonly format: VideoContainer;
  /** Width of the fed frames (even for `mp4`/`prores`). */
  readonly width: number;
  /** Height of the fed frames (even for `mp4`/`prores`). */
  readonly height: number;
  /** The rate the frames are fed at (differs from `fps` only when `filter` changes the rate). */
  readonly inputRate: Rational;
  /** Frame rate of the output. */
  readonly fps: Rational;
  /** Exact number of output frames; a shorter result is an error. */
  readonly frames: number;
  /** An ffmpeg filter chain applied to the fed frames first (e.g. `minterpolate=…`). */
  readonly filter?: string;
  /** Audio track; for a PNG sequence it is written as `audio.wav` in the folder. */
  readonly audio?: AudioTrackSource;
  /** Subtitles; a PNG sequence can only have them burned in. */
  readonly subtitles?: SubtitleTrack;
  /** Cancels encoding: ffmpeg is killed, nothing is left behind, rejects with `CANCELLED`. */
  readonly signal?: AbortSignal;
  /** Called as ffmpeg reports frames encoded (a few times a second, and once at the end). */
  readonly onFrame?: (encoded: number) => void;
}

/** What {@link encodeVideo} wrote. */
export interface EncodedVideo {
  /** The video file, or the PNG sequence folder. */
  readonly path: string;
  /** Every file written (for a PNG sequence: each frame, then `audio.wav`). */
  readonly files: string[];
}

/** File name pattern of PNG sequence frames (`frame-00001.png`, …). */
export const PNG_SEQUENCE_PATTERN = 'frame-%05d.png';

const ratio = (r: Rational) => `${r.num}/${r.den}`;

const VIDEO_CODEC: Record<Exclude<VideoContainer, 'png-sequence'>, string[]> = {
  mp4: ['-c:v', 'libx264', '-preset', 'fast', '-crf', '18', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', '-f', 'mp4'],
  prores: ['-c:v', 'prores_ks', '-profile:v', '3', '-vendor', 'apl0', '-pix_fmt', 'yuv422p10le', '-f', 'mov'],
};
const AUDIO_CODEC: Record<VideoContainer, string[]> = {
  mp4: ['-c:a', 'aac', '-b:a', '160k'],
  prores: ['-c:a', 'pcm_s16le'],
  'png-sequence': ['-c:a', 'pcm_s16le', '-f', 'wav'],
};

/** The audio input and the filter that fits it to `seconds` (stereo, 48 kHz). */
function audioInput(audio: AudioTrackSource, seconds: number): { input: string; lavfi: boolean; chain: string } {
  const fit = `aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo,apad=whole_dur=${seconds},atrim=end=${seconds},asetpts=PTS-STARTPTS`;
  if (audio.kind === 'file') return { input: audio.path, lavfi: false, chain: fit };
  if (audio.kind === 'tone') return { input: `sine=frequency=${audio.frequency}:sample_rate=48000`, lavfi: true, chain: fit };
  return { input: 'anullsrc=r=48000:cl=stereo', lavfi: true, chain: fit };
}

/** A path as a quoted filter option value: forward slashes, and the drive colon escaped (`C\:/…`). */
function filterPath(path: string): string {
  return path.replace(/\\/g, '/').replace(/:/g, '\\:');
}

/** Wraps the frame source so its own failure is kept (ffmpeg only sees a closed pipe). */
function feed(frames: AsyncIterable<Uint8Array>, frameBytes: number, failure: { error?: unknown }): Readable {
  async function* checked(): AsyncGenerator<Buffer> {
    try {
      for await (const frame of frames) {
        if (frame.length !== frameBytes) {
          throw new FramewrightError('INTERNAL', `a frame of ${frame.length} bytes was fed to a ${frameBytes}-byte encoder`);
        }
        yield Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
      }
    } catch (error) {
      failure.error = error;
      throw error;
    }
  }
  return Readable.from(checked(), { objectMode: false, highWaterMark: frameBytes * 2 });
}

/**
 * Encodes `frames` (raw RGB, `width × height × 3` bytes each; a yielded buffer must not be
 * changed afterwards) into `options.path`. The file (or folder) is written under a temporary
 * name, its frame count is checked, and only then renamed: a failure or a cancel leaves nothing.
 *
 * Errors: `CANCELLED`; `FFMPEG_FAILED` with ffmpeg's message; `OUTPUT_FAILED` when the output has
 * fewer frames than asked; whatever the frame source throws, unchanged.
 *
 * @example
 * ```ts
 * await encodeVideo(frames(), { path: 'out.mp4', format: 'mp4', width: 512, height: 288,
 *   inputRate: { num: 24, den: 1 }, fps: { num: 24, den: 1 }, frames: 48 });
 * ```
 */
export async function encodeVideo(frames: AsyncIterable<Uint8Array>, options: EncodeVideoOptions): Promise<EncodedVideo> {
  const { width, height, format } = options;
  const seconds = (options.frames * options.fps.den) / options.fps.num;
  const files: string[] = [];
  await writeAtomic(options.path, async (temp) => {
    const failure: { error?: unknown } = {};
    const source = feed(frames, width * height * 3, failure);
    const command = (await newCommand())
      .addOption('-stats')
      .addOption('-stats_period', '0.2')
      .input(source)
      .inputOptions(['-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${width}x${height}`, '-framerate', ratio(options.inputRate)]);
    const chains: string[] = [];
    const video = [
      ...(options.filter === undefined ? [] : [options.filter]),
      `settb=expr=${options.fps.den}/${options.fps.num}`,
      'setpts=N',
      // libass sizes text against a 288-line canvas: 22 is about a twelfth of the picture height.
      ...(options.subtitles?.burn === true ? [`subtitles=filename='${filterPath(options.subtitles.srtPath)}':force_style='FontSize=22,Outline=2'`] : []),
      `format=${format === 'png-sequence' ? 'rgb24' : format === 'mp4' ? 'yuv420p' : 'yuv422p10le'}`,
    ];
    chains.push(`[0:v]${video.join(',')}[v]`);
    let next = 1;
    if (options.audio !== undefined) {
      const audio = audioInput(options.audio, seconds);
      command.input(audio.input);
      if (audio.lavfi) command.inputFormat('lavfi');
      chains.push(`[${next}:a]${audio.chain}[a]`);
      next++;
    }
    const softSubtitles = options.subtitles !== undefined && !options.subtitles.burn && format !== 'png-sequence';
    if (softSubtitles) command.input(options.subtitles!.srtPath).inputFormat('srt');
    command.complexFilter(chains.join(';'));

    // Frames already carry exact timestamps (setpts=N in 1/fps); passthrough stops ffmpeg from
    // duplicating the last frame to fill out a slightly longer audio stream.
    const frameOptions = ['-map', '[v]', '-r', ratio(options.fps), '-fps_mode', 'passthrough'];
    if (format === 'png-sequence') {
      await mkdir(temp);
      command.output(join(temp, PNG_SEQUENCE_PATTERN)).outputOptions([...frameOptions, '-c:v', 'png', '-f', 'image2', '-start_number', '1']);
      if (options.audio !== undefined) command.output(join(temp, 'audio.wav')).outputOptions(['-map', '[a]', ...AUDIO_CODEC[format]]);
    } else {
      command.output(temp).outputOptions([
        ...frameOptions,
        ...(options.audio === undefined ? [] : ['-map', '[a]', ...AUDIO_CODEC[format]]),
        ...(softSubtitles ? ['-map', `${next}:s`, '-c:s', 'mov_text', '-metadata:s:s:0', 'language=eng'] : []),
        ...VIDEO_CODEC[format],
      ]);
    }

    // ffmpeg prints its stats line even at -loglevel error; other lines are its complaints.
    let complaint = '';
    command.on('stderr', (line: string) => {
      const encoded = /^frame=\s*(\d+)/.exec(line.trim());
      if (encoded !== null) options.onFrame?.(Number(encoded[1]));
      else if (line.trim() !== '') complaint = line.trim();
    });
    const what = `encoding ${options.path}`;
    try {
      await runCommand(command, what, options.signal).done;
    } catch (error) {
      if (options.signal?.aborted !== true && failure.error !== undefined) throw failure.error;
      if (isFramewrightError(error) && error.code === 'FFMPEG_FAILED' && complaint !== '') {
        throw new FramewrightError('FFMPEG_FAILED', `${what} failed: ${complaint}`, { cause: error });
      }
      throw error;
    } finally {
      source.destroy();
    }
    if (failure.error !== undefined) throw failure.error;
    const written = await countOutputFrames(temp, format);
    if (written !== options.frames) {
      throw new FramewrightError('OUTPUT_FAILED', `${what}: ${written} frames were written, ${options.frames} were asked for`);
    }
    options.onFrame?.(options.frames);
    if (format === 'png-sequence') {
      const names = (await readdir(temp)).sort();
      files.push(...names.filter((n) => n.endsWith('.png')).map((n) => join(options.path, n)));
      if (names.includes('audio.wav')) files.push(join(options.path, 'audio.wav'));
    } else files.push(options.path);
  });
  return { path: options.path, files };
}

async function countOutputFrames(path: string, format: VideoContainer): Promise<number> {
  if (format === 'png-sequence') return (await readdir(path)).filter((n) => n.endsWith('.png')).length;
  return (await probe(path)).frameCount;
}
