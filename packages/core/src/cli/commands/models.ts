import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { listInstalledModels, modelSearchDirs, verifyModelPack, writeSdTurboManifest, writeShotDetectionManifest, writeSpeechToTextManifest, type InstalledModel, type PackVerification } from '../../models/index.js';
import { builtinImageModelDir } from '../../builtin/index.js';
import { BUILTIN_IMAGE_MODEL_ID, builtinModelInstalled } from '../../ops/image-gen/models.js';
import { FramewrightError } from '../../protocol/index.js';
import { booleanFlag, parseFlags } from '../args.js';
import { EXIT, usageError } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import type { Command } from './types.js';

const FLAGS = { 'model-dir': { type: 'string', multiple: true }, id: { type: 'string' }, licence: { type: 'string' }, family: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const;

const HELP = `Usage: framewright models list [--model-dir DIR] [--json]
       framewright models verify [PATH|ID ...] [--model-dir DIR] [--json]
       framewright models init DIR --id ID --licence NAME [--family shot-detection|speech-to-text]

Model packs are folders with a framewright-model.json manifest (families framewright-builtin,
sd-turbo, frame-interpolation, shot-detection and speech-to-text). They are found in --model-dir folders, in the folders of FRAMEWRIGHT_MODELS_DIR
(separated like PATH) and in the models folder of the config folder; a folder is a pack itself
or holds packs as sub-folders. Nothing is downloaded.

  list     each pack's id, family, size and status (files present with their listed sizes)
  verify   checks a pack completely: the manifest schema, every file's size and SHA-256, and the
           input/output names, types and shapes of each ONNX model as ONNX Runtime opens it.
           Without PATH, every installed pack. Exits 7 when a pack fails.
  init     turns a folder holding an SD-Turbo ONNX export (Hugging Face Optimum layout:
           text_encoder/, unet/, vae_decoder/ with model.onnx, tokenizer/vocab.json + merges.txt)
           into a pack: writes its framewright-model.json with every file's size and SHA-256, the
           models' signatures, and the scheduler and VAE settings found in the folder.
           With --family shot-detection: a folder holding one TransNetV2 ONNX export (for
           clip-cut's model detector); the model is checked for TransNetV2's interface.
           With --family speech-to-text: a folder holding Whisper as Optimum exports it
           (encoder_model.onnx, decoder_model_merged.onnx or decoder_model.onnx and
           decoder_with_past_model.onnx, here or in onnx/, generation_config.json, vocab.json),
           checked for Optimum's Whisper interface (for framewright subtitles).

Options:
  --model-dir DIR   also search DIR (repeatable)
  --id ID           init: the pack id (lowercase letters, digits, . _ -)
  --licence NAME    init: the licence the weights were published under (see the model card)
  --family NAME     init: sd-turbo (default), shot-detection or speech-to-text
  --json            print the list or the verification reports as JSON
  -h, --help        show this help`;

function megabytes(bytes: number): string {
  return bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

async function folderBytes(dir: string): Promise<number> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  let total = 0;
  for (const e of entries) if (e.isFile()) total += (await stat(join(dir, e.name))).size;
  return total;
}

/** The built-in model as a list entry (it ships inside the package, not as a pack folder). */
async function builtinEntry(): Promise<InstalledModel> {
  const installed = await builtinModelInstalled();
  let dir = '';
  try {
    dir = builtinImageModelDir();
  } catch {
    // Reported through installed.reason.
  }
  return {
    id: BUILTIN_IMAGE_MODEL_ID,
    family: 'framewright-builtin',
    dir,
    bytes: dir === '' ? 0 : await folderBytes(dir),
    status: installed.installed ? 'ok' : 'missing-files',
    detail: installed.reason ?? '',
  };
}

function listTable(models: readonly InstalledModel[], searched: readonly string[]): string {
  const rows = models.map((m) => [m.id, m.family ?? '?', megabytes(m.bytes), m.status, m.dir]);
  const header = ['ID', 'FAMILY', 'SIZE', 'STATUS', 'FOLDER'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  const problems = models.filter((m) => m.detail !== '').map((m) => `${m.id}: ${m.detail}`);
  return [line(header), ...rows.map(line), ...problems, `searched: ${searched.join(', ')}`].join('\n') + '\n';
}

function verificationText(report: PackVerification): string {
  const lines = [`${report.ok ? 'ok' : 'FAILED'}  ${report.id ?? '(unreadable manifest)'}  ${report.dir}`];
  if (report.manifestError !== undefined) lines.push(`  manifest: ${report.manifestError}`);
  for (const f of report.files) lines.push(`  ${f.status.padEnd(18)} ${f.path}${f.detail === '' ? '' : `  ${f.detail}`}`);
  return lines.join('\n') + '\n';
}

/** `framewright models`. */
export const modelsCommand: Command = {
  name: 'models',
  help: HELP,
  async run(argv, io: CliIo) {
    const args = parseFlags('models', argv, FLAGS);
    const [sub, ...rest] = args.positionals;
    const dirs = ((args.flags['model-dir'] as string[] | undefined) ?? []).map((d) => resolve(io.cwd, d));
    const search = { env: io.env, modelDirs: dirs };
    const json = booleanFlag(args, 'json');
    if (sub === 'list') {
      if (rest.length > 0) throw usageError(`models list: unexpected argument ${JSON.stringify(rest[0])}`);
      const models = [await builtinEntry(), ...(await listInstalledModels(search))];
      io.stdout.write(json ? `${JSON.stringify(models, null, 2)}\n` : listTable(models, modelSearchDirs(search)));
      return 0;
    }
    if (sub === 'verify') {
      let targets: string[];
      if (rest.length === 0) targets = (await listInstalledModels(search)).map((m) => m.dir);
      else {
        const installed = await listInstalledModels(search);
        targets = await Promise.all(
          rest.map(async (arg) => {
            const byId = installed.find((m) => m.id === arg);
            if (byId !== undefined) return byId.dir;
            const path = resolve(io.cwd, arg);
            if (await stat(path).then((s) => s.isDirectory(), () => false)) return path;
            throw new FramewrightError('MODEL_NOT_FOUND', `models verify: ${arg} is neither a pack folder nor an installed pack id`);
          }),
        );
      }
      if (targets.length === 0) {
        io.stderr.write(`framewright models verify: no model packs installed (searched ${modelSearchDirs(search).join(', ')})\n`);
        if (json) io.stdout.write('[]\n');
        return 0;
      }
      const reports: PackVerification[] = [];
      for (const dir of targets) reports.push(await verifyModelPack(dir));
      io.stdout.write(json ? `${JSON.stringify(reports, null, 2)}\n` : reports.map(verificationText).join(''));
      return reports.every((r) => r.ok) ? 0 : EXIT.unavailable;
    }
    if (sub === 'init') {
      const id = typeof args.flags['id'] === 'string' ? args.flags['id'] : undefined;
      const licence = typeof args.flags['licence'] === 'string' ? args.flags['licence'] : undefined;
      if (rest.length !== 1 || id === undefined || licence === undefined) throw usageError('models init: give one folder, --id ID and --licence NAME');
      const family = typeof args.flags['family'] === 'string' ? args.flags['family'] : 'sd-turbo';
      if (family !== 'sd-turbo' && family !== 'shot-detection' && family !== 'speech-to-text') throw usageError(`models init: --family must be sd-turbo, shot-detection or speech-to-text, got ${JSON.stringify(family)}`);
      const write = family === 'shot-detection' ? writeShotDetectionManifest : family === 'speech-to-text' ? writeSpeechToTextManifest : writeSdTurboManifest;
      const manifest = await write(resolve(io.cwd, rest[0]!), { id, licence: { name: licence } });
      io.stdout.write(json ? `${JSON.stringify(manifest, null, 2)}\n` : `wrote ${join(resolve(io.cwd, rest[0]!), 'framewright-model.json')} (${manifest.files.length} files)\n`);
      return 0;
    }
    throw usageError(sub === undefined ? 'models: say list, verify or init (see `framewright models --help`)' : `models: unknown subcommand ${JSON.stringify(sub)}; use list, verify or init`);
  },
};
