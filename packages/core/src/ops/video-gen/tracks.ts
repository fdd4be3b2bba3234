// Audio and subtitle tracks, prepared before any frame is encoded so that a bad audio file or a
// broken SRT fails first and leaves nothing behind.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { checkInputFile, placeSpeech, probeAudio, synthesizeSpeech, type AudioTrackSource, type PlacedSpeech } from '../../media/index.js';
import { FramewrightError, type VideoGenParams } from '../../protocol/index.js';
import { checkCues, formatSrt, parseSubtitles, type Cue } from '../../media/subtitles.js';

/** Subtitles ready for the encoder. */
export interface PreparedSubtitles {
  /** The cues, fitted to the video. */
  readonly cues: Cue[];
  /** A normalised SRT file in the work folder. */
  readonly srtPath: string;
  /** Burn into the picture instead of a soft track. */
  readonly burn: boolean;
  /** Format of the sidecar file written beside the video. */
  readonly sidecar: 'srt' | 'vtt';
}

/** Tracks ready for the encoder; `dispose` removes the work folder. */
export interface PreparedTracks {
  /** The audio source, when one was asked for. */
  readonly audio?: AudioTrackSource;
  /** The subtitles, when asked for. */
  readonly subtitles?: PreparedSubtitles;
  /** Notes for the result (audio trimmed or padded, cues cut at the end). */
  readonly warnings: string[];
  /** Removes the temporary files. */
  dispose(): Promise<void>;
}

const DEFAULT_TONE_HZ = 440;

async function cuesOf(spec: NonNullable<VideoGenParams['subtitles']>, prompt: string | undefined, durationSeconds: number): Promise<Cue[]> {
  const sources = [spec.text, spec.cues, spec.file].filter((s) => s !== undefined).length;
  if (sources > 1) throw new FramewrightError('INVALID_PARAMS', 'subtitles: give one of text, cues or file, not several', { pointer: '/subtitles' });
  if (spec.file !== undefined) {
    const path = await checkInputFile(spec.file);
    const ext = extname(path).toLowerCase();
    if (ext !== '.srt' && ext !== '.vtt') throw new FramewrightError('UNSUPPORTED_MEDIA', `subtitles file ${path} is neither .srt nor .vtt`);
    return checkCues(parseSubtitles(await readFile(path, 'utf8'), `subtitles file ${path}`), durationSeconds, `subtitles file ${path}`);
  }
  if (spec.cues !== undefined) return checkCues(spec.cues, durationSeconds, 'subtitles');
  const text = spec.text ?? prompt;
  if (text === undefined) throw new FramewrightError('INVALID_PARAMS', 'subtitles need text, cues or a file (or a prompt to caption)', { pointer: '/subtitles' });
  return [{ startSeconds: 0, endSeconds: durationSeconds, text }];
}

function fitNote(what: string, audioSeconds: number, videoSeconds: number): string | undefined {
  if (audioSeconds > videoSeconds + 0.05) return `${what} is ${audioSeconds.toFixed(2)} s long: trimmed to the ${videoSeconds.toFixed(2)} s video`;
  if (audioSeconds > 0 && audioSeconds < videoSeconds - 0.05) return `${what} is ${audioSeconds.toFixed(2)} s long: padded with silence to the ${videoSeconds.toFixed(2)} s video`;
  return undefined;
}

/** Tempo above which sped-up speech is hard to follow; the run warns. */
const FAST_SPEECH = 1.6;

/**
 * Each cue spoken at its start: a cue whose speech would run into the next cue (or past the
 * video's end) is sped up to fit its slot; one that is shorter is followed by silence.
 */
async function narrateCues(cues: readonly Cue[], durationSeconds: number, dir: string, voice: string | undefined, signal: AbortSignal, warnings: string[]): Promise<string> {
  const pieces: PlacedSpeech[] = [];
  for (const [i, cue] of cues.entries()) {
    const wav = join(dir, `cue-${i + 1}.wav`);
    await synthesizeSpeech(cue.text.replace(/\s+/g, ' '), wav, { ...(voice === undefined ? {} : { voice }), signal });
    const spoken = (await probeAudio(wav)).durationSeconds;
    const slot = Math.max(0.05, Math.min(cues[i + 1]?.startSeconds ?? durationSeconds, durationSeconds) - cue.startSeconds);
    const tempo = spoken > slot ? spoken / slot : 1;
    if (tempo > FAST_SPEECH) warnings.push(`cue ${i + 1} is spoken ${tempo.toFixed(2)}× as fast to fit its ${slot.toFixed(2)} s`);
    pieces.push({ path: wav, startSeconds: cue.startSeconds, tempo });
  }
  const out = join(dir, 'narration.wav');
  await placeSpeech(pieces, durationSeconds, out, signal);
  return out;
}

/**
 * Checks and prepares the audio and subtitles `params` ask for, for a video of `durationSeconds`.
 * Narration speaks the subtitle text (else the prompt) with espeak-ng.
 * @throws FramewrightError `INPUT_NOT_FOUND` / `INPUT_UNREADABLE` / `UNSUPPORTED_MEDIA` for an
 *   audio or subtitles file, `INVALID_PARAMS` for broken cues, `OPERATION_UNAVAILABLE` when
 *   narration is asked for and espeak-ng is not installed
 * @param onWorkDir - told the work folder before anything is written in it (the run's output
 *   ledger records it, so a crash mid-run does not leave it behind)
 */
export async function prepareTracks(params: VideoGenParams, durationSeconds: number, signal: AbortSignal, onWorkDir?: (dir: string) => Promise<void>): Promise<PreparedTracks> {
  const warnings: string[] = [];
  const dir = await mkdtemp(join(tmpdir(), 'fw-video-gen-'));
  const dispose = () => rm(dir, { recursive: true, force: true });
  try {
    await onWorkDir?.(dir);
    let subtitles: PreparedSubtitles | undefined;
    if (params.subtitles !== undefined) {
      const cues = await cuesOf(params.subtitles, params.prompt, durationSeconds);
      const srtPath = join(dir, 'captions.srt');
      await writeFile(srtPath, formatSrt(cues));
      subtitles = { cues, srtPath, burn: params.subtitles.burn ?? false, sidecar: params.subtitles.format ?? 'srt' };
    }
    let audio: AudioTrackSource | undefined;
    const spec = params.audio;
    if (spec?.kind === 'file') {
      const info = await probeAudio(spec.path);
      const note = fitNote(`audio file ${info.path}`, info.durationSeconds, durationSeconds);
      if (note !== undefined) warnings.push(note);
      audio = { kind: 'file', path: info.path };
    } else if (spec?.kind === 'tone') audio = { kind: 'tone', frequency: spec.frequency ?? DEFAULT_TONE_HZ };
    else if (spec?.kind === 'silence') audio = { kind: 'silence' };
    else if (spec?.kind === 'narration' && spec.timing === 'cues') {
      if (subtitles === undefined) throw new FramewrightError('INVALID_PARAMS', 'narration timed by cues needs subtitles to speak', { pointer: '/audio/timing' });
      audio = { kind: 'file', path: await narrateCues(subtitles.cues, durationSeconds, dir, spec.voice, signal, warnings) };
    } else if (spec?.kind === 'narration') {
      const text = subtitles?.cues.map((c) => c.text.replace(/\s+/g, ' ')).join(' ') ?? params.prompt;
      if (text === undefined) throw new FramewrightError('INVALID_PARAMS', 'narration speaks the subtitles or the prompt: give one of them', { pointer: '/audio' });
      const wav = join(dir, 'narration.wav');
      await synthesizeSpeech(text, wav, { ...(spec.voice === undefined ? {} : { voice: spec.voice }), signal });
      const info = await probeAudio(wav);
      const note = fitNote('the narration', info.durationSeconds, durationSeconds);
      if (note !== undefined) warnings.push(note);
      audio = { kind: 'file', path: wav };
    }
    return { ...(audio === undefined ? {} : { audio }), ...(subtitles === undefined ? {} : { subtitles }), warnings, dispose };
  } catch (error) {
    await dispose();
    throw error;
  }
}
