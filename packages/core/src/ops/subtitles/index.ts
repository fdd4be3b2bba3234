// The subtitles operation: speech to text with a Whisper pack, written as SRT, WebVTT and JSON.
import { stat } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { SpeechScorer, VAD_SAMPLE_RATE, speechRanges, speechWindows } from '../../builtin/index.js';
import { checkInputFile, probeAudio, readAudioSamples } from '../../media/index.js';
import { formatSrt, formatVtt } from '../../media/subtitles.js';
import { findModelPack, listInstalledModels, MODEL_MANIFEST_NAME, modelSearchDirs, packFile, readModelPack, type ModelPack, type ModelSearchOptions } from '../../models/index.js';
import { FramewrightError, type SubtitlesParams, type SubtitlesResult } from '../../protocol/index.js';
import { writeFileAtomic } from '../../util/fs.js';
import { availableWithPacks, ffmpegUnavailable } from '../availability.js';
import { runInLedger } from '../output-ledger.js';
import type { Operation, OperationContext } from '../types.js';
import { cuesFromSegments } from './cues.js';
import { transcribe } from './decode.js';
import { WhisperTokens } from './tokens.js';
import { OnnxWhisper } from './whisper.js';

export { cuesFromSegments, layoutLines, wordsOf, type CueLimits, type TimedCue, type TimedWord } from './cues.js';
export { transcribe, segmentWindow, decodeTokens, detectLanguage, applyTimestampRules, normaliseRanges, type Segment, type Transcript, type TranscribeOptions, type WindowSegments } from './decode.js';
export { logMelSpectrogram, melFilters } from './mel.js';
export { WhisperTokens, type WhisperTask } from './tokens.js';
export { OnnxWhisper, OnnxDecoding, type WhisperDecoding, type WhisperModel, type WhisperWindow } from './whisper.js';

/** The one line that says how to get a Whisper pack (the CLI exits 7 with it). */
export const WHISPER_PACK_HINT =
  'export one with Hugging Face Optimum (optimum-cli export onnx --model openai/whisper-tiny --task automatic-speech-recognition-with-past DIR) and make it a speech-to-text pack as docs/subtitles.md says';

const isFile = (path: string) => stat(path).then((s) => s.isFile(), () => false);

/**
 * The speech-to-text pack `model` names (a folder or an installed id), or the first installed one.
 * @throws FramewrightError `MODEL_NOT_FOUND` naming what to get and how; `MODEL_INVALID` for a pack of another family
 */
export async function findSpeechPack(model: string | undefined, search: ModelSearchOptions = {}): Promise<ModelPack> {
  let pack: ModelPack;
  if (model !== undefined) {
    pack = (await isFile(join(resolve(model), MODEL_MANIFEST_NAME))) ? await readModelPack(resolve(model)) : await findModelPack(model, search);
  } else {
    const installed = (await listInstalledModels(search)).find((m) => m.family === 'speech-to-text' && m.status === 'ok');
    if (installed === undefined) {
      throw new FramewrightError('MODEL_NOT_FOUND', `subtitles need a speech-to-text (Whisper) model pack and none is installed (searched ${modelSearchDirs(search).join(', ')}): ${WHISPER_PACK_HINT}`, { pointer: '/model' });
    }
    pack = await readModelPack(installed.dir);
  }
  if (pack.manifest.family !== 'speech-to-text') {
    throw new FramewrightError('MODEL_INVALID', `model pack ${pack.manifest.id} is a ${pack.manifest.family} pack, not a speech-to-text one`, { pointer: '/model' });
  }
  return pack;
}

const round = (seconds: number) => Math.round(seconds * 1000) / 1000;

/** Kept on each side of what the VAD calls speech: first and last syllables are quiet. */
const SPEECH_PAD_SECONDS = 0.2;

/** Where Silero VAD hears speech in 16 kHz mono `samples` (its default threshold, 0.5). */
async function heardSpeech(samples: Float32Array): Promise<[number, number][]> {
  const scorer = await SpeechScorer.open();
  await scorer.push(samples);
  const { probabilities } = await scorer.finish();
  return speechRanges(speechWindows(probabilities, 0.5), SPEECH_PAD_SECONDS, samples.length / VAD_SAMPLE_RATE);
}

async function run(params: SubtitlesParams, context: OperationContext<'subtitles'>): Promise<SubtitlesResult> {
  const audio = await probeAudio(params.input);
  const pack = await findSpeechPack(params.model);
  context.onProgress({ stage: 'audio', fraction: 0 });
  const [model, tokens, samples] = await Promise.all([
    OnnxWhisper.fromPack(pack),
    WhisperTokens.load(packFile(pack, 'generation_config'), packFile(pack, 'vocab')),
    readAudioSamples(audio.path, { signal: context.signal }),
  ]);
  const speechRanges = params.speechRanges?.map((r): [number, number] => [r[0]!, r[1]!]) ?? (params.vad === false ? undefined : await heardSpeech(samples));
  const transcript = await transcribe(model, tokens, samples, {
    ...(params.language === undefined ? {} : { language: params.language }),
    ...(params.task === undefined ? {} : { task: params.task }),
    ...(speechRanges === undefined ? {} : { speechRanges }),
    signal: context.signal,
    onProgress: (seconds, totalSeconds) => context.onProgress({ stage: 'decode', fraction: totalSeconds > 0 ? 0.05 + (0.9 * seconds) / totalSeconds : 0.95, seconds, totalSeconds }),
  });
  const cues = cuesFromSegments(transcript.segments, {
    ...(params.maxLineChars === undefined ? {} : { maxLineChars: params.maxLineChars }),
    ...(params.maxLines === undefined ? {} : { maxLines: params.maxLines }),
    ...(params.minCueSeconds === undefined ? {} : { minSeconds: params.minCueSeconds }),
    ...(params.maxCueSeconds === undefined ? {} : { maxSeconds: params.maxCueSeconds }),
  }).map((c) => ({
    startSeconds: round(c.startSeconds),
    endSeconds: round(c.endSeconds),
    text: c.text,
    words: c.words.map((w) => ({ text: w.text, startSeconds: round(w.startSeconds), endSeconds: round(w.endSeconds) })),
  }));
  const name = params.name ?? basename(params.input, extname(params.input));
  const formats = params.formats ?? ['srt', 'vtt', 'json'];
  const files = formats.map((f) => join(context.outputDir, `${name}.${f}`));
  const result: SubtitlesResult = {
    input: audio.path,
    model: pack.manifest.id,
    language: transcript.language,
    task: transcript.task,
    durationSeconds: round(samples.length / 16000),
    windows: transcript.windows,
    decodedSeconds: round(transcript.decodedSeconds),
    skippedSeconds: round(transcript.skippedSeconds),
    cues,
    files,
  };
  context.onProgress({ stage: 'write', fraction: 0.97 });
  // A file with no speech has no cues: SRT and WebVTT are then empty documents.
  for (const [i, format] of formats.entries()) {
    const text = format === 'srt' ? formatSrt(cues) : format === 'vtt' ? formatVtt(cues) : `${JSON.stringify(result, null, 2)}\n`;
    await writeFileAtomic(files[i]!, text);
  }
  return result;
}

/**
 * `subtitles`: captions from what is said, with a speech-to-text (Whisper) pack.
 *
 * @example
 * ```ts
 * const result = await subtitlesOperation.run({ input: 'talk.mp4', language: 'en' }, { signal, onProgress: console.log, outputDir: '/tmp/out' });
 * console.log(result.cues[0]?.text);
 * ```
 */
export const subtitlesOperation: Operation<'subtitles'> = {
  name: 'subtitles',
  async availability() {
    // Without an installed pack a run may still name a pack folder; check() refuses a run that has none.
    return (await ffmpegUnavailable()) ?? availableWithPacks('speech-to-text');
  },
  async check(params) {
    // A missing input is the first thing to say, before what to install.
    await checkInputFile(params.input);
    await findSpeechPack(params.model);
    if (params.minCueSeconds !== undefined && params.maxCueSeconds !== undefined && params.minCueSeconds > params.maxCueSeconds) {
      throw new FramewrightError('INVALID_PARAMS', `minCueSeconds ${params.minCueSeconds} is over maxCueSeconds ${params.maxCueSeconds}`, { pointer: '/minCueSeconds' });
    }
    return {};
  },
  run(params, context) {
    return runInLedger('subtitles', context, params.overwrite, (outputs) => run(params, { ...context, outputs }));
  },
};
