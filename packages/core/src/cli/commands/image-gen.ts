import { resolve } from 'node:path';
import { BUILTIN_IMAGE_MODEL_ID } from '../../ops/image-gen/models.js';
import { FramewrightError, isFramewrightError, type ImageGenParams, type ImageGenResult } from '../../protocol/index.js';
import { booleanFlag, numberFlag, parseFlags, positionalArgs, stringFlag } from '../args.js';
import { usageError } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { runOperationInCli, shownPath } from './output-dir.js';
import type { Command } from './types.js';

const FLAGS = {
  prompt: { type: 'string', short: 'p' },
  'negative-prompt': { type: 'string' },
  width: { type: 'string', short: 'W' },
  height: { type: 'string', short: 'H' },
  seed: { type: 'string' },
  steps: { type: 'string' },
  count: { type: 'string', short: 'n' },
  model: { type: 'string', short: 'm' },
  'model-dir': { type: 'string' },
  out: { type: 'string', short: 'o' },
  overwrite: { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Which flag sets each params field, so schema errors name the flag the user typed. */
const FLAG_OF_POINTER: Record<string, string> = {
  '/prompt': '--prompt',
  '/negativePrompt': '--negative-prompt',
  '/width': '--width',
  '/height': '--height',
  '/seed': '--seed',
  '/steps': '--steps',
  '/count': '--count',
  '/model': '--model',
  '/modelDir': '--model-dir',
  '/outputDir': '--out',
};

const HELP = `Usage: framewright image-gen --prompt TEXT [options]

Draws pictures from a prompt and writes them as PNG files that carry the prompt, seed, model,
steps and size in PNG text chunks. The same seed and options give byte-identical files.

Options:
  -p, --prompt TEXT           what to draw, e.g. "a red circle on a blue background"
  --negative-prompt TEXT      what to avoid (models with guidance only)
  -W, --width N               output width, a multiple of 8 (default: 256 for the built-in model,
  -H, --height N              the pack's recommended size for a model pack)
  --seed N                    0-4294967295 (default: random; the result reports it)
  --steps N                   sampling steps (default: the model's)
  -n, --count N               pictures to make, with seeds N, N+1, ... (1-16)
  -m, --model ID              ${BUILTIN_IMAGE_MODEL_ID} (built in, default) or an installed pack
  --model-dir DIR             a folder of model packs (or one pack); see framewright models list
  -o, --out DIR               folder for the PNG files (default: the current folder)
  --overwrite                 replace PNG files of the same names (default: refuse, exit 5)
  --json                      print the result object (or {"error":{code,message}}) on stdout
  -h, --help                  show this help`;

/** Turns the command line into image-gen params (paths made absolute against `cwd`). */
export function imageGenParamsOf(argv: readonly string[], cwd: string): ImageGenParams & { json: boolean } {
  const args = parseFlags('image-gen', argv, FLAGS);
  positionalArgs('image-gen', args, []);
  const prompt = stringFlag(args, 'prompt');
  if (prompt === undefined) throw usageError('image-gen: --prompt is required');
  const negativePrompt = stringFlag(args, 'negative-prompt');
  const model = stringFlag(args, 'model');
  const modelDir = stringFlag(args, 'model-dir');
  const integer = (name: string) => numberFlag('image-gen', args, name, { integer: true });
  const fields = { width: integer('width'), height: integer('height'), seed: integer('seed'), steps: integer('steps'), count: integer('count') };
  return {
    prompt,
    outputDir: resolve(cwd, stringFlag(args, 'out') ?? '.'),
    ...(negativePrompt === undefined ? {} : { negativePrompt }),
    ...(model === undefined ? {} : { model }),
    ...(modelDir === undefined ? {} : { modelDir: resolve(cwd, modelDir) }),
    ...Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)),
    ...(booleanFlag(args, 'overwrite') ? { overwrite: true } : {}),
    json: booleanFlag(args, 'json'),
  };
}

/** Rewrites `image-gen params /width must be multiple of 8` as `image-gen: --width must be multiple of 8`. */
function namingFlags(error: unknown): unknown {
  if (!isFramewrightError(error) || error.code !== 'INVALID_PARAMS' || error.pointer === undefined) return error;
  const flag = FLAG_OF_POINTER[error.pointer];
  const prefix = `image-gen params ${error.pointer} `;
  if (flag === undefined || !error.message.startsWith(prefix)) return error;
  return new FramewrightError('INVALID_PARAMS', `image-gen: ${flag} ${error.message.slice(prefix.length)}`, { pointer: error.pointer, cause: error });
}

/** The human summary printed without `--json`. */
export function summarizeImageGen(result: ImageGenResult, outputDir: string): string {
  const lines = [
    `${result.images.length} picture${result.images.length === 1 ? '' : 's'} by ${result.model} in ${outputDir}:`,
    ...result.images.map((i) => `  ${shownPath(outputDir, i.path)}  ${i.width}x${i.height}  seed ${i.seed}`),
    ...result.warnings.map((w) => `warning: ${w}`),
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * Runs image-gen in this process with a progress bar on a terminal (the run `framewright demo`
 * makes too). Ctrl+C cancels (exit 130) and leaves no files.
 */
export async function runImageGen(params: ImageGenParams, io: CliIo): Promise<ImageGenResult> {
  return runOperationInCli('image-gen', params, io, namingFlags);
}

/** `framewright image-gen`. */
export const imageGenCommand: Command = {
  name: 'image-gen',
  help: HELP,
  async run(argv, io) {
    const { json, ...params } = imageGenParamsOf(argv, io.cwd);
    const result = await runImageGen(params, io);
    io.stdout.write(json ? `${JSON.stringify(result, null, 2)}\n` : summarizeImageGen(result, params.outputDir ?? io.cwd));
    return 0;
  },
};
