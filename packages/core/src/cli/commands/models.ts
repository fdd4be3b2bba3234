import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  importModel,
  listInstalledModels,
  modelSearchDirs,
  pullModel,
  verifyModelPack,
  writeSdTurboManifest,
  writeShotDetectionManifest,
  writeSpeechToTextManifest,
  type InstalledModel,
  type PackVerification,
  type PullProgress,
} from '../../models/index.js';
import { builtinImageModelDir } from '../../builtin/index.js';
import { BUILTIN_IMAGE_MODEL_ID, builtinModelInstalled } from '../../ops/image-gen/models.js';
import { FramewrightError } from '../../protocol/index.js';
import { booleanFlag, parseFlags } from '../args.js';
import { EXIT, usageError } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { ProgressBar } from '../progress.js';
import type { Command } from './types.js';

const FLAGS = {
  'model-dir': { type: 'string', multiple: true },
  id: { type: 'string' },
  licence: { type: 'string' },
  family: { type: 'string' },
  include: { type: 'string', multiple: true },
  into: { type: 'string' },
  'accept-licence': { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const HELP = `Usage: framewright models list [--model-dir DIR] [--json]
       framewright models pull REPO[@REVISION] [--accept-licence] [--id ID] [--family F] [--include GLOB] [--into DIR] [--json]
       framewright models import DIR [--id ID] [--licence NAME] [--family F] [--json]
       framewright models verify [PATH|ID ...] [--model-dir DIR] [--json]
       framewright models init DIR --id ID --licence NAME [--family shot-detection|speech-to-text]

Model packs are folders with a framewright-model.json manifest (families framewright-builtin,
sd-turbo, frame-interpolation, shot-detection and speech-to-text). They are found in --model-dir folders, in the folders of FRAMEWRIGHT_MODELS_DIR
(separated like PATH) and in the models folder of the config folder; a folder is a pack itself
or holds packs as sub-folders. Only pull downloads anything. See docs/models.md for which
repositories to pull.

  list     each pack's id, family, size, status (files present with their listed sizes) and licence
  pull     downloads a model from the Hugging Face Hub into the models folder of the config
           folder (or --into DIR): only the files its family needs (--include GLOB, repeatable,
           to choose others), several at once, each resumed after a cut connection and checked
           against the Hub's sha256 before it is kept; the pack appears only when complete. The
           licence is printed; non-commercial, unknown or gated licences need --accept-licence.
           HF_ENDPOINT (default https://huggingface.co) and HF_TOKEN (a bearer token for gated
           or private repositories, never printed) are read as huggingface_hub reads them;
           HF_HUB_OFFLINE=1 forbids downloads.
  import   adopts a folder holding an export as it is (diffusers ONNX from Optimum or
           onnxruntime, SD-Turbo or SDXL-Turbo, Whisper from Optimum, one TransNetV2 .onnx with --family
           shot-detection, one RIFE .onnx with --family frame-interpolation): detects the
           layout, names any file that is missing, writes the manifest and verifies the pack.
           The licence comes from the folder's README.md model card, or --licence.
  verify   checks a pack completely: the manifest schema, every file's size and SHA-256, and the
           input/output names, types and shapes of each ONNX model as ONNX Runtime opens it.
           Without PATH, every installed pack. Exits 7 when a pack fails.
  init     turns a folder holding an SD-Turbo ONNX export (Hugging Face Optimum layout:
           text_encoder/, unet/, vae_decoder/ with model.onnx, tokenizer/vocab.json + merges.txt;
           an SDXL-Turbo one when it also has text_encoder_2/ and tokenizer_2/) into a pack: writes its framewright-model.json with every file's size and SHA-256, the
           models' signatures, and the scheduler and VAE settings found in the folder.
           With --family shot-detection: a folder holding one TransNetV2 ONNX export (for
           clip-cut's model detector); the model is checked for TransNetV2's interface.
           With --family speech-to-text: a folder holding Whisper as Optimum exports it
           (encoder_model.onnx, decoder_model_merged.onnx or decoder_model.onnx and
           decoder_with_past_model.onnx, here or in onnx/, generation_config.json, vocab.json),
           checked for Optimum's Whisper interface (for framewright subtitles).

Options:
  --model-dir DIR   also search DIR (repeatable)
  --id ID           pull, import, init: the pack id (lowercase letters, digits, . _ -;
                    default: the repository's or folder's name)
  --licence NAME    import, init: the licence the weights were published under (see the model card)
  --family NAME     sd-turbo or sdxl-turbo (default where the files say so), shot-detection,
                    speech-to-text or frame-interpolation (a single RIFE .onnx; pull and import only)
  --include GLOB    pull: fetch the files matching GLOB instead of the family's (repeatable)
  --into DIR        pull: put the pack in DIR instead of the config folder's models folder
  --accept-licence  pull: accept a non-commercial, unknown or gated licence
  --json            print the list or the verification reports as JSON
  -h, --help        show this help`;

function megabytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(2)} GB`;
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
    // Trained by this project and shipped inside @framewright/core: the package's licence.
    licence: 'MIT',
    dir,
    bytes: dir === '' ? 0 : await folderBytes(dir),
    status: installed.installed ? 'ok' : 'missing-files',
    detail: installed.reason ?? '',
  };
}

function listTable(models: readonly InstalledModel[], searched: readonly string[]): string {
  const rows = models.map((m) => [m.id, m.family ?? '?', megabytes(m.bytes), m.status, m.licence ?? '?', m.dir]);
  const header = ['ID', 'FAMILY', 'SIZE', 'STATUS', 'LICENCE', 'FOLDER'];
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
    if (sub === 'pull') {
      if (rest.length !== 1) throw usageError('models pull: give one repository, owner/name[@revision]');
      const bar = new ProgressBar(io.stderr);
      let last: PullProgress | undefined;
      const into = typeof args.flags['into'] === 'string' ? resolve(io.cwd, args.flags['into']) : undefined;
      const id = typeof args.flags['id'] === 'string' ? args.flags['id'] : undefined;
      const family = typeof args.flags['family'] === 'string' ? args.flags['family'] : undefined;
      const include = args.flags['include'] as string[] | undefined;
      const controller = new AbortController();
      const stop = io.onInterrupt(() => controller.abort());
      try {
        const result = await pullModel(rest[0]!, {
          env: io.env,
          signal: controller.signal,
          acceptLicence: booleanFlag(args, 'accept-licence'),
          ...(into === undefined ? {} : { into }),
          ...(id === undefined ? {} : { id }),
          ...(family === undefined ? {} : { family }),
          ...(include === undefined ? {} : { include }),
          onLicence: (l) => io.stderr.write(`licence: ${l.name} (${l.url})${l.needsAcceptance === undefined ? '' : `; ${l.needsAcceptance}`}\n`),
          onProgress: (p) => {
            last = p;
            bar.update({ stage: 'pull', fraction: p.bytesTotal === 0 ? 1 : p.bytesDone / p.bytesTotal, detail: `${megabytes(p.bytesDone)} / ${megabytes(p.bytesTotal)}  ${megabytes(p.bytesPerSecond)}/s`, ...(p.etaSeconds === undefined ? {} : { etaSeconds: p.etaSeconds }) });
          },
        });
        bar.clear();
        if (json) io.stdout.write(`${JSON.stringify({ dir: result.dir, id: result.manifest.id, family: result.manifest.family, commit: result.commit, licence: result.licence, files: result.files, bytes: result.bytes, resumedBytes: result.resumedBytes, upToDate: result.upToDate, runsOn: result.manifest.runsOn }, null, 2)}\n`);
        else {
          const what = `${result.manifest.source?.repo ?? rest[0]}@${result.commit.slice(0, 12)}`;
          const seconds = last === undefined || last.bytesPerSecond === 0 ? '' : `, ${megabytes(last.bytesPerSecond)}/s`;
          io.stdout.write(
            result.upToDate
              ? `${result.manifest.id} is already ${what} (${result.dir})\n`
              : `pulled ${what} into ${result.dir}: ${result.files.length} files, ${megabytes(result.bytes)}${result.resumedBytes > 0 ? ` (${megabytes(result.resumedBytes)} resumed)` : ''}${seconds}, verified\n`,
          );
          if (result.manifest.runsOn !== undefined) io.stdout.write(`note: this export runs on ${result.manifest.runsOn.join(', ')} only (see framewright doctor)\n`);
          io.stdout.write(`use it as --model ${result.manifest.id}\n`);
        }
        return 0;
      } finally {
        bar.clear();
        stop();
      }
    }
    if (sub === 'import') {
      if (rest.length !== 1) throw usageError('models import: give one folder');
      const id = typeof args.flags['id'] === 'string' ? args.flags['id'] : undefined;
      const licence = typeof args.flags['licence'] === 'string' ? args.flags['licence'] : undefined;
      const family = typeof args.flags['family'] === 'string' ? args.flags['family'] : undefined;
      const result = await importModel(resolve(io.cwd, rest[0]!), { ...(id === undefined ? {} : { id }), ...(licence === undefined ? {} : { licence }), ...(family === undefined ? {} : { family }) });
      if (json) io.stdout.write(`${JSON.stringify({ layout: result.layout, manifest: result.manifest, verification: result.verification }, null, 2)}\n`);
      else {
        io.stdout.write(`imported ${result.verification.dir} as ${result.manifest.id}: ${result.layout}, licence ${result.manifest.licence.name}\n`);
        io.stdout.write(verificationText(result.verification));
      }
      return result.verification.ok ? 0 : EXIT.unavailable;
    }
    if (sub === 'init') {
      const id = typeof args.flags['id'] === 'string' ? args.flags['id'] : undefined;
      const licence = typeof args.flags['licence'] === 'string' ? args.flags['licence'] : undefined;
      if (rest.length !== 1 || id === undefined || licence === undefined) throw usageError('models init: give one folder, --id ID and --licence NAME');
      const family = typeof args.flags['family'] === 'string' ? args.flags['family'] : 'sd-turbo';
      if (family !== 'sd-turbo' && family !== 'shot-detection' && family !== 'speech-to-text') throw usageError(`models init: --family must be sd-turbo (SD-Turbo or SDXL-Turbo, told apart by the files), shot-detection or speech-to-text, got ${JSON.stringify(family)}`);
      const write = family === 'shot-detection' ? writeShotDetectionManifest : family === 'speech-to-text' ? writeSpeechToTextManifest : writeSdTurboManifest;
      const manifest = await write(resolve(io.cwd, rest[0]!), { id, licence: { name: licence } });
      io.stdout.write(json ? `${JSON.stringify(manifest, null, 2)}\n` : `wrote ${join(resolve(io.cwd, rest[0]!), 'framewright-model.json')} (${manifest.files.length} files)\n`);
      return 0;
    }
    throw usageError(sub === undefined ? 'models: say list, pull, import, verify or init (see `framewright models --help`)' : `models: unknown subcommand ${JSON.stringify(sub)}; use list, pull, import, verify or init`);
  },
};
