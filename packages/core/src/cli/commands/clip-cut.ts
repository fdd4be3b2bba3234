import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { MODEL_MANIFEST_NAME } from '../../models/index.js';
import {
  CLIP_CUT_DETECTORS,
  CLIP_CUT_EXPORTS,
  CLIP_CUT_REMOVALS,
  FramewrightError,
  isFramewrightError,
  type ClipCutParams,
  type ClipCutResult,
} from '../../protocol/index.js';
import { CLIP_CUT_CLIP_MODES } from '../../protocol/ops/clip-cut.js';
import { booleanFlag, listFlag, numberFlag, parseFlags, positionalArgs, stringFlag, type ParsedArgs } from '../args.js';
import { usageError } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { runOperationInCli, shownPath } from './output-dir.js';
import type { Command } from './types.js';
import { parseMargin, parseThreshold } from '../../ops/clip-cut/remove.js';

const THRESHOLDS = ['content', 'adaptive', 'histogram', 'hash', 'fade', 'silenceDb', 'model'] as const;

const FLAGS = {
  out: { type: 'string', short: 'o' },
  export: { type: 'string' },
  'clip-mode': { type: 'string' },
  detectors: { type: 'string' },
  threshold: { type: 'string', multiple: true },
  model: { type: 'string' },
  'min-clip-seconds': { type: 'string' },
  'silence-min-seconds': { type: 'string' },
  'analysis-width': { type: 'string' },
  'no-flash-suppression': { type: 'boolean' },
  remove: { type: 'string' },
  'silence-threshold': { type: 'string' },
  'speech-threshold': { type: 'string' },
  margin: { type: 'string' },
  smooth: { type: 'string' },
  name: { type: 'string' },
  overwrite: { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Which flag sets each params field, so schema errors name the flag the user typed. */
const FLAG_OF_POINTER: Record<string, string> = {
  '/input': 'INPUT',
  '/outputDir': '--out',
  '/name': '--name',
  '/detectors': '--detectors',
  '/model': '--model',
  '/minClipSeconds': '--min-clip-seconds',
  '/silenceMinSeconds': '--silence-min-seconds',
  '/analysisWidth': '--analysis-width',
  '/exports': '--export',
  '/clipMode': '--clip-mode',
  '/flashSuppression': '--no-flash-suppression',
  '/remove': '--remove',
  '/removeOptions/silenceThreshold': '--silence-threshold',
  '/removeOptions/speechThreshold': '--speech-threshold',
  '/removeOptions/marginBeforeSeconds': '--margin',
  '/removeOptions/marginAfterSeconds': '--margin',
  '/removeOptions/minSilenceSeconds': '--smooth',
  '/removeOptions/minKeptSeconds': '--smooth',
};

const HELP = `Usage: framewright clip-cut INPUT [options]

Cuts a video into clips at its shot changes (and silences) and writes cut lists for editors.

Options:
  -o, --out DIR                folder for every file written (default: the current folder)
  --export LIST                comma-separated: ${CLIP_CUT_EXPORTS.join(', ')}
                               (clips also writes a thumbnail per clip)
  --clip-mode MODE             how clip files are made (default smart):
                               smart: exactly the clip's frames, re-encoding only from a cut to the
                                 nearest keyframe and stream-copying the rest
                               copy: stream copy only, fastest, keyframe-aligned: a file starts on
                                 the keyframe at or before its clip and may run past its end
                                 (--json: clips[].fileFrames says which frames)
                               accurate: exactly the clip's frames, all re-encoded (slowest)
  --detectors LIST             comma-separated: ${CLIP_CUT_DETECTORS.join(', ')}
  --threshold NAME=VALUE       detector threshold; NAME is one of ${THRESHOLDS.join(', ')} (repeatable)
  --model PACK                 the shot-detection model pack the model detector runs: its id or
                               folder (default: the first one installed; see framewright models)
  --min-clip-seconds N         shortest clip to keep
  --silence-min-seconds N      shortest silence that counts
  --analysis-width N           width frames are scaled to for analysis (16-1920)
  --no-flash-suppression       also cut on single-frame flashes
  --remove LIST                comma-separated: ${CLIP_CUT_REMOVALS.join(', ')}: keep only the
                               loud parts (auto-editor's default edit) or where someone speaks
                               (Silero VAD); the cut-list exports become the edited timeline,
                               --export render writes NAME-edited.mp4
  --silence-threshold T        loudness at which audio counts (default 0.04): a ratio of full
                               scale (0.04), a percentage (4%) or dB (-28dB)
  --speech-threshold P         speech probability at which a 32 ms window is speech (default 0.5)
  --margin M                   kept around each loud part (default 0.2s), or BEFORE,AFTER (0.1s,0.3s)
  --smooth CUT,CLIP            after the margins, removed parts shorter than CUT are kept and
                               kept parts shorter than CLIP removed (default 0.2s,0.1s)
  --name NAME                  base name of exported files (default: the input file name)
  --overwrite                  replace files of that name in the folder (default: refuse, exit 5)
  --json                       print the result object (or {"error":{code,message}}) on stdout
  -h, --help                   show this help

A file name that starts with '-' goes after '--':  framewright clip-cut --out cuts -- -take1.mp4`;

function thresholdsOf(args: ParsedArgs): ClipCutParams['thresholds'] {
  const raw = args.flags['threshold'];
  if (!Array.isArray(raw) || raw.length === 0) return undefined;
  const thresholds: Record<string, number> = {};
  for (const item of raw.flatMap((r) => String(r).split(','))) {
    const [name, value, ...rest] = item.split('=').map((s) => s.trim());
    if (name === undefined || !(THRESHOLDS as readonly string[]).includes(name) || value === undefined || rest.length > 0) {
      throw usageError(`clip-cut: --threshold wants NAME=VALUE with NAME one of ${THRESHOLDS.join(', ')}, got ${JSON.stringify(item)}`);
    }
    const number = /^[+-]?(\d+\.?\d*|\.\d+)$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isFinite(number)) throw usageError(`clip-cut: --threshold ${name} must be a number, got ${JSON.stringify(value)}`);
    thresholds[name] = number;
  }
  return thresholds;
}

/** The `removeOptions` the removal flags set, or `undefined` when none is given. */
function removeOptionsOf(args: ParsedArgs): ClipCutParams['removeOptions'] {
  const options: NonNullable<ClipCutParams['removeOptions']> = {};
  const wrap = <T>(flag: string, parse: () => T): T => {
    try {
      return parse();
    } catch (error) {
      throw usageError(`clip-cut: --${flag}: ${isFramewrightError(error) ? error.message : String(error)}`);
    }
  };
  const threshold = stringFlag(args, 'silence-threshold');
  if (threshold !== undefined) options.silenceThreshold = wrap('silence-threshold', () => parseThreshold(threshold));
  const speech = numberFlag('clip-cut', args, 'speech-threshold');
  if (speech !== undefined) options.speechThreshold = speech;
  const margin = stringFlag(args, 'margin');
  if (margin !== undefined) {
    const { before, after } = wrap('margin', () => parseMargin(margin));
    options.marginBeforeSeconds = before;
    options.marginAfterSeconds = after;
  }
  const smooth = stringFlag(args, 'smooth');
  if (smooth !== undefined) {
    const { before, after } = wrap('smooth', () => parseMargin(smooth));
    if (!smooth.includes(',')) throw usageError(`clip-cut: --smooth wants CUT,CLIP (e.g. 0.2s,0.1s), got ${JSON.stringify(smooth)}`);
    options.minSilenceSeconds = before;
    options.minKeptSeconds = after;
  }
  return Object.keys(options).length === 0 ? undefined : options;
}

/** Turns the command line into clip-cut params (paths made absolute against `cwd`). */
export function clipCutParamsOf(args: ParsedArgs, cwd: string): ClipCutParams {
  const [input] = positionalArgs('clip-cut', args, ['INPUT']);
  const out = stringFlag(args, 'out');
  const clipModeFlag = stringFlag(args, 'clip-mode');
  const clipMode = CLIP_CUT_CLIP_MODES.find((m) => m === clipModeFlag);
  if (clipModeFlag !== undefined && clipMode === undefined) {
    throw usageError(`clip-cut: --clip-mode must be smart, copy or accurate, got ${JSON.stringify(clipModeFlag)}`);
  }
  const params: ClipCutParams = { input: resolve(cwd, input!), outputDir: resolve(cwd, out ?? '.') };
  const name = stringFlag(args, 'name');
  const modelFlag = stringFlag(args, 'model');
  // A pack folder is made absolute like the other paths; anything else is a pack id.
  const model = modelFlag !== undefined && existsSync(join(resolve(cwd, modelFlag), MODEL_MANIFEST_NAME)) ? resolve(cwd, modelFlag) : modelFlag;
  const detectors = listFlag('clip-cut', args, 'detectors', CLIP_CUT_DETECTORS);
  const exports = listFlag('clip-cut', args, 'export', CLIP_CUT_EXPORTS);
  const thresholds = thresholdsOf(args);
  const minClipSeconds = numberFlag('clip-cut', args, 'min-clip-seconds');
  const silenceMinSeconds = numberFlag('clip-cut', args, 'silence-min-seconds');
  const analysisWidth = numberFlag('clip-cut', args, 'analysis-width', { integer: true });
  const remove = listFlag('clip-cut', args, 'remove', CLIP_CUT_REMOVALS);
  const removeOptions = removeOptionsOf(args);
  // Ranges are checked by the operation's schema; its errors are mapped back to flag names.
  return {
    ...params,
    ...(name === undefined ? {} : { name }),
    ...(detectors === undefined ? {} : { detectors }),
    ...(model === undefined ? {} : { model }),
    ...(exports === undefined ? {} : { exports }),
    ...(clipMode === undefined ? {} : { clipMode }),
    ...(thresholds === undefined ? {} : { thresholds }),
    ...(minClipSeconds === undefined ? {} : { minClipSeconds }),
    ...(silenceMinSeconds === undefined ? {} : { silenceMinSeconds }),
    ...(analysisWidth === undefined ? {} : { analysisWidth }),
    ...(remove === undefined ? {} : { remove }),
    ...(removeOptions === undefined ? {} : { removeOptions }),
    ...(booleanFlag(args, 'no-flash-suppression') ? { flashSuppression: false } : {}),
    ...(booleanFlag(args, 'overwrite') ? { overwrite: true } : {}),
  };
}

/** Rewrites `clip-cut params /minClipSeconds must be >= 0` as `clip-cut: --min-clip-seconds must be >= 0`. */
function namingFlags(error: unknown): unknown {
  if (!isFramewrightError(error) || error.code !== 'INVALID_PARAMS' || error.pointer === undefined) return error;
  const threshold = /^\/thresholds\/(\w+)$/.exec(error.pointer)?.[1];
  const flag = threshold === undefined ? FLAG_OF_POINTER[error.pointer] : `--threshold ${threshold}`;
  const prefix = `clip-cut params ${error.pointer} `;
  if (flag === undefined || !error.message.startsWith(prefix)) return error;
  return new FramewrightError('INVALID_PARAMS', `clip-cut: ${flag} ${error.message.slice(prefix.length)}`, { pointer: error.pointer, cause: error });
}

function pad(text: string | number, width: number): string {
  return String(text).padStart(width);
}

/** The human summary printed without `--json`. */
export function summarize(result: ClipCutResult, outputDir: string): string {
  const lines = [
    `${result.clips.length} clip${result.clips.length === 1 ? '' : 's'} in ${basename(result.input)} ` +
      `(${result.frameCount} frames at ${Number(result.fps.toFixed(3))} fps, ${result.durationSeconds.toFixed(2)} s, ${result.width}x${result.height})`,
    `    #  start        end          frames`,
    ...result.clips.map((c) => `${pad(c.index + 1, 5)}  ${c.startTimecode}  ${c.endTimecode}  ${pad(c.frames, 6)}`),
  ];
  if (result.kept !== undefined) {
    lines.push(`kept ${result.kept.length} range${result.kept.length === 1 ? '' : 's'}: ${result.keptSeconds?.toFixed(2)} s kept, ${result.removedSeconds?.toFixed(2)} s removed`);
  }
  if (result.files.length === 0) lines.push('no files written (choose some with --export)');
  else {
    lines.push(`wrote ${result.files.length} file${result.files.length === 1 ? '' : 's'} to ${outputDir}:`, ...result.files.map((f) => `  ${shownPath(outputDir, f)}`));
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Runs clip-cut in this process with a progress bar on a terminal; the same run `framewright
 * demo` makes. Ctrl+C cancels (exit 130) and leaves no half-written files.
 */
export async function runClipCut(params: ClipCutParams, io: CliIo): Promise<ClipCutResult> {
  return runOperationInCli('clip-cut', params, io, namingFlags);
}

/** `framewright clip-cut`. */
export const clipCutCommand: Command = {
  name: 'clip-cut',
  help: HELP,
  async run(argv, io) {
    const args = parseFlags('clip-cut', argv, FLAGS);
    const params = clipCutParamsOf(args, io.cwd);
    const result = await runClipCut(params, io);
    // What the run approximated (a variable frame rate written as timecode, say) goes to stderr,
    // so --json output stays one JSON document.
    for (const warning of result.warnings ?? []) io.stderr.write(`framewright: warning: ${warning}\n`);
    io.stdout.write(booleanFlag(args, 'json') ? `${JSON.stringify(result, null, 2)}\n` : summarize(result, params.outputDir ?? io.cwd));
    return 0;
  },
};
