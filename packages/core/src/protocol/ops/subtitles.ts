import { Type, type Static } from '@sinclair/typebox';
import { closed, PathString, pathString, progressFields } from '../common.js';

/** Files subtitles can write. */
export const SUBTITLES_FORMATS = ['srt', 'vtt', 'json'] as const;
/** What the speech-to-text model is asked to do. */
export const SUBTITLES_TASKS = ['transcribe', 'translate'] as const;

const Seconds = Type.Number({ minimum: 0, maximum: 360000 });

/** Parameters of subtitles. Every field but `input` has a default. */
export const SubtitlesParamsSchema = closed(
  {
    input: pathString('Video or audio file whose speech to caption'),
    outputDir: Type.Optional(pathString('Folder for the subtitle files; on a server it must lie under the output root')),
    overwrite: Type.Optional(Type.Boolean({ description: 'Replace files of the same names in the output folder (default false: OUTPUT_EXISTS)' })),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200, pattern: '^[^/\\\\\\u0000]+$', description: 'Base name of the files written (default: the input file name)' })),
    model: Type.Optional(Type.String({ minLength: 1, maxLength: 500, description: 'The speech-to-text (Whisper) model pack: an installed pack id or a pack folder (default: the first installed speech-to-text pack)' })),
    language: Type.Optional(Type.String({ pattern: '^([a-z]{2,3}|auto)$', description: 'Language of the speech as Whisper codes it (en, fr, de, ...), or auto (default) to detect it from the first 30 s of speech' })),
    task: Type.Optional(Type.Union(SUBTITLES_TASKS.map((t) => Type.Literal(t)), { description: 'transcribe (default) keeps the language; translate writes English captions (multilingual models only)' })),
    formats: Type.Optional(Type.Array(Type.Union(SUBTITLES_FORMATS.map((f) => Type.Literal(f))), { minItems: 1, uniqueItems: true, description: 'What to write (default srt, vtt and json)' })),
    speechRanges: Type.Optional(
      Type.Array(Type.Array(Seconds, { minItems: 2, maxItems: 2 }), { maxItems: 100000, description: 'Stretches [start, end] in seconds to decode (default: where Silero VAD hears speech, or the whole file with vad false); what lies outside is skipped as non-speech' }),
    ),
    vad: Type.Optional(Type.Boolean({ description: 'Without speechRanges: decode only where Silero VAD v5 hears speech, 0.2 s either side (default true), so silences cost nothing and cue times do not drift; false decodes the whole file' })),
    maxLineChars: Type.Optional(Type.Integer({ minimum: 10, maximum: 200, description: 'Characters a caption line (default 42)' })),
    maxLines: Type.Optional(Type.Integer({ minimum: 1, maximum: 4, description: 'Lines a cue (default 2)' })),
    minCueSeconds: Type.Optional(Type.Number({ minimum: 0, maximum: 60, description: 'Shortest time a cue stays on screen, where the next leaves room (default 1)' })),
    maxCueSeconds: Type.Optional(Type.Number({ minimum: 0.5, maximum: 60, description: 'Longest time a cue stays on screen (default 7)' })),
  },
  { title: 'SubtitlesParams' },
);
/** Parameters of subtitles. */
export type SubtitlesParams = Static<typeof SubtitlesParamsSchema>;

const Word = closed({ text: Type.String(), startSeconds: Type.Number({ minimum: 0 }), endSeconds: Type.Number({ minimum: 0 }) });

/** Result of subtitles. */
export const SubtitlesResultSchema = closed(
  {
    input: PathString,
    model: Type.String({ description: 'The pack id' }),
    language: Type.String({ description: 'Given or detected' }),
    task: Type.Union(SUBTITLES_TASKS.map((t) => Type.Literal(t))),
    durationSeconds: Type.Number({ minimum: 0 }),
    windows: Type.Integer({ minimum: 0, description: '30 s windows decoded' }),
    decodedSeconds: Type.Number({ minimum: 0, description: 'Seconds inside the speech ranges' }),
    skippedSeconds: Type.Number({ minimum: 0, description: 'Seconds outside them, not decoded' }),
    cues: Type.Array(
      closed({
        startSeconds: Type.Number({ minimum: 0 }),
        endSeconds: Type.Number({ minimum: 0 }),
        text: Type.String({ description: 'Lines joined by \\n' }),
        words: Type.Array(Word, { description: 'Each word with its time: the segment bounds come from Whisper timestamp tokens, times inside a segment are interpolated by character position' }),
      }),
    ),
    files: Type.Array(PathString),
  },
  { title: 'SubtitlesResult' },
);
/** Result of subtitles. */
export type SubtitlesResult = Static<typeof SubtitlesResultSchema>;

/** Progress of subtitles. */
export const SubtitlesProgressSchema = closed(
  {
    ...progressFields(['audio', 'decode', 'write'] as const),
    seconds: Type.Optional(Type.Number({ minimum: 0, description: 'Seconds of speech decoded' })),
    totalSeconds: Type.Optional(Type.Number({ minimum: 0 })),
  },
  { title: 'SubtitlesProgress' },
);
/** Progress of subtitles. */
export type SubtitlesProgress = Static<typeof SubtitlesProgressSchema>;
