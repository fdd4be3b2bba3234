import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { MODEL_MANIFEST_NAME } from '../../models/index.js';
import { FramewrightError, isFramewrightError, SUBTITLES_FORMATS, SUBTITLES_TASKS, type SubtitlesParams, type SubtitlesResult } from '../../protocol/index.js';
import { booleanFlag, listFlag, numberFlag, parseFlags, positionalArgs, stringFlag, type ParsedArgs } from '../args.js';
import { usageError } from '../exit-codes.js';
import { runOperationInCli, shownPath } from './output-dir.js';
import type { Command } from './types.js';

const FLAGS = {
  out: { type: 'string', short: 'o' },
  model: { type: 'string' },
  language: { type: 'string' },
  task: { type: 'string' },
  format: { type: 'string' },
  'max-line-chars': { type: 'string' },
  'max-lines': { type: 'string' },
  'min-cue-seconds': { type: 'string' },
  'max-cue-seconds': { type: 'string' },
  name: { type: 'string' },
  'no-vad': { type: 'boolean' },
  overwrite: { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const FLAG_OF_POINTER: Record<string, string> = {
  '/input': 'INPUT',
  '/outputDir': '--out',
  '/model': '--model',
  '/language': '--language',
  '/task': '--task',
  '/formats': '--format',
  '/maxLineChars': '--max-line-chars',
  '/maxLines': '--max-lines',
  '/minCueSeconds': '--min-cue-seconds',
  '/maxCueSeconds': '--max-cue-seconds',
  '/name': '--name',
};

const HELP = `Usage: framewright subtitles INPUT [options]

Captions from what is said in a video or audio file: speech to text with a Whisper model pack
(Hugging Face Optimum's ONNX export; see docs/subtitles.md), written as .srt, .vtt and .json.

Options:
  -o, --out DIR             folder for the files (default: the current folder)
  --model PACK              the speech-to-text pack: its id or folder (default: the first installed)
  --language xx|auto        language of the speech (en, fr, ...), or auto (default) to detect it
  --task transcribe|translate
                            transcribe (default), or translate to English (multilingual models)
  --format LIST             comma-separated: ${SUBTITLES_FORMATS.join(', ')} (default all)
  --max-line-chars N        characters a caption line (default 42)
  --max-lines N             lines a cue (default 2)
  --min-cue-seconds N       shortest time a cue stays on screen (default 1)
  --max-cue-seconds N       longest time a cue stays on screen (default 7)
  --no-vad                  decode the whole file (default: only where Silero VAD hears speech,
                            0.2 s either side, so silences cost nothing)
  --name NAME               base name of the files (default: the input file name)
  --overwrite               replace files of that name (default: refuse, exit 5)
  --json                    print the result object (or {"error":{code,message}}) on stdout
  -h, --help                show this help

Without a speech-to-text pack it exits 7 and says which model to get and how.`;

/** Turns the command line into subtitles params (paths made absolute against `cwd`). */
export function subtitlesParamsOf(args: ParsedArgs, cwd: string): SubtitlesParams {
  const [input] = positionalArgs('subtitles', args, ['INPUT']);
  const modelFlag = stringFlag(args, 'model');
  const model = modelFlag !== undefined && existsSync(join(resolve(cwd, modelFlag), MODEL_MANIFEST_NAME)) ? resolve(cwd, modelFlag) : modelFlag;
  const task = stringFlag(args, 'task');
  if (task !== undefined && !(SUBTITLES_TASKS as readonly string[]).includes(task)) throw usageError(`subtitles: --task must be transcribe or translate, got ${JSON.stringify(task)}`);
  const formats = listFlag('subtitles', args, 'format', SUBTITLES_FORMATS);
  const language = stringFlag(args, 'language');
  const name = stringFlag(args, 'name');
  const numbers = {
    maxLineChars: numberFlag('subtitles', args, 'max-line-chars', { integer: true }),
    maxLines: numberFlag('subtitles', args, 'max-lines', { integer: true }),
    minCueSeconds: numberFlag('subtitles', args, 'min-cue-seconds'),
    maxCueSeconds: numberFlag('subtitles', args, 'max-cue-seconds'),
  };
  return {
    input: resolve(cwd, input!),
    outputDir: resolve(cwd, stringFlag(args, 'out') ?? '.'),
    ...(model === undefined ? {} : { model }),
    ...(language === undefined ? {} : { language }),
    ...(task === undefined ? {} : { task: task as SubtitlesParams['task'] & string }),
    ...(formats === undefined ? {} : { formats }),
    ...(name === undefined ? {} : { name }),
    ...Object.fromEntries(Object.entries(numbers).filter(([, v]) => v !== undefined)),
    ...(booleanFlag(args, 'no-vad') ? { vad: false } : {}),
    ...(booleanFlag(args, 'overwrite') ? { overwrite: true } : {}),
  };
}

function namingFlags(error: unknown): unknown {
  if (!isFramewrightError(error) || error.code !== 'INVALID_PARAMS' || error.pointer === undefined) return error;
  const flag = FLAG_OF_POINTER[error.pointer];
  const prefix = `subtitles params ${error.pointer} `;
  if (flag === undefined || !error.message.startsWith(prefix)) return error;
  return new FramewrightError('INVALID_PARAMS', `subtitles: ${flag} ${error.message.slice(prefix.length)}`, { pointer: error.pointer, cause: error });
}

function summarize(result: SubtitlesResult, outputDir: string): string {
  const lines = [
    `${result.cues.length} cue${result.cues.length === 1 ? '' : 's'} from ${basename(result.input)} (${result.durationSeconds.toFixed(2)} s, language ${result.language}, ${result.task}, model ${result.model}; ${result.windows} window${result.windows === 1 ? '' : 's'} decoded, ${result.skippedSeconds.toFixed(2)} s skipped)`,
    `wrote ${result.files.length} file${result.files.length === 1 ? '' : 's'} to ${outputDir}:`,
    ...result.files.map((f) => `  ${shownPath(outputDir, f)}`),
  ];
  return `${lines.join('\n')}\n`;
}

/** `framewright subtitles`. */
export const subtitlesCommand: Command = {
  name: 'subtitles',
  help: HELP,
  async run(argv, io) {
    const args = parseFlags('subtitles', argv, FLAGS);
    const params = subtitlesParamsOf(args, io.cwd);
    const result = await runOperationInCli('subtitles', params, io, namingFlags);
    io.stdout.write(booleanFlag(args, 'json') ? `${JSON.stringify(result, null, 2)}\n` : summarize(result, params.outputDir ?? io.cwd));
    return 0;
  },
};
