import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, isAbsolute, join } from 'node:path';
import { describeConfig, type ConfigEntry } from '../../config/index.js';
import { listCapabilities } from '../../engine/index.js';
import { espeakPath, espeakVersion, resolveTools, type ResolvedTool } from '../../media/index.js';
import { listInstalledModels, readModelPack } from '../../models/index.js';
import { formatOnnxProviderReport, resolveOnnxProviders, type OnnxProviderReport } from '../../runtime/onnx-providers.js';
import { formatTfjsBackendReport, initTfjsBackend, type TfjsBackendReport } from '../../runtime/tfjs-backend.js';
import { toFramewrightError, type OperationCapability, type WireError } from '../../protocol/index.js';
import { booleanFlag, parseFlags, positionalArgs } from '../args.js';
import { EXIT } from '../exit-codes.js';
import type { Command } from './types.js';

const FLAGS = { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const;

const HELP = `Usage: framewright doctor [--json]

Checks what Framewright needs and where it keeps things: ffmpeg and ffprobe (path, where they
were found, version), the operations this build can run, the ML backends, the installed model
packs and the execution provider each runs on, and the config folder,
token file, data folder and output root. Exits 0 when everything required is there, 6 when
ffmpeg or ffprobe is missing.

Options:
  --json       print the report as one JSON object
  -h, --help   show this help`;

/** What `framewright doctor --json` prints. */
export interface DoctorReport {
  /** True when everything required is present. */
  ok: boolean;
  /** ffmpeg and ffprobe, or the error that says why they were not found. */
  tools: { ffmpeg: ResolvedTool; ffprobe: ResolvedTool } | { error: WireError };
  /** Each operation and whether it can run here. */
  operations: OperationCapability[];
  /** ML backends: each tfjs backend and ONNX Runtime execution provider tried, which was chosen and why the others were not. */
  backends: { tfjs: TfjsBackendReport | { error: WireError }; onnx: OnnxProviderReport | { error: WireError } };
  /** Each installed model pack and the ONNX execution provider it runs on here, or why it does not run. */
  models: Array<{ id: string; family?: string; dir: string; provider?: string; reason?: string }>;
  /** Every configured path, where its value came from and whether it exists. */
  paths: ConfigEntry[];
  /** Optional tools: espeak-ng speaks video-gen narration; without it only narration is unavailable. */
  speech: { espeakNg: { installed: true; version: string; path: string } | { installed: false; path: string } };
}

/** The absolute path a bare command name runs from, by searching PATH as the shell does. */
async function onPath(name: string, env: Readonly<Record<string, string | undefined>>): Promise<string> {
  if (isAbsolute(name) || name.includes('/') || name.includes('\\')) return name;
  const suffixes = process.platform === 'win32' ? ['.exe', ''] : [''];
  for (const dir of (env['PATH'] ?? '').split(delimiter).filter((d) => d !== '')) {
    for (const suffix of suffixes) {
      const candidate = join(dir, name + suffix);
      if (await access(candidate, constants.X_OK).then(() => true, () => false)) return candidate;
    }
  }
  return name;
}

/** Gathers the report (every check runs; one failing does not hide the others). */
export async function doctorReport(env: Readonly<Record<string, string | undefined>>): Promise<DoctorReport> {
  const wire = (error: unknown) => ({ error: toFramewrightError(error).toWire() });
  const [tools, operations, paths, tfjs, onnx, espeak] = await Promise.all([
    resolveTools().then(
      async (t) => ({
        ffmpeg: { ...t.ffmpeg, path: await onPath(t.ffmpeg.path, env) },
        ffprobe: { ...t.ffprobe, path: await onPath(t.ffprobe.path, env) },
      }),
      (error: unknown) => ({ error: toFramewrightError(error).toWire() }),
    ),
    listCapabilities(),
    describeConfig({ env }),
    initTfjsBackend(env as NodeJS.ProcessEnv).catch(wire),
    resolveOnnxProviders(env as NodeJS.ProcessEnv).catch(wire),
    espeakVersion(env),
  ]);
  const espeakBin = await onPath(espeakPath(env), env);
  const models: DoctorReport['models'] = [];
  for (const m of await listInstalledModels({ env })) {
    const entry = { id: m.id, dir: m.dir, ...(m.family === undefined ? {} : { family: m.family }) };
    if (m.status !== 'ok') models.push({ ...entry, reason: m.detail });
    else if ('error' in onnx) models.push({ ...entry, reason: onnx.error.message });
    else {
      const runsOn = (await readModelPack(m.dir)).manifest.runsOn;
      models.push(runsOn === undefined || runsOn.includes(onnx.chosen) ? { ...entry, provider: onnx.chosen } : { ...entry, reason: `runs on ${runsOn.join(', ')} only; sessions here use ${onnx.chosen}` });
    }
  }
  return {
    ok: !('error' in tools),
    tools,
    operations,
    backends: { tfjs, onnx },
    models,
    paths,
    speech: { espeakNg: espeak === undefined ? { installed: false, path: espeakBin } : { installed: true, version: espeak, path: espeakBin } },
  };
}

function text(report: DoctorReport): string {
  const mark = (ok: boolean) => (ok ? 'ok     ' : 'MISSING');
  const lines = ['Media tools'];
  if ('error' in report.tools) lines.push(`  ${mark(false)} ${report.tools.error.message}`);
  else {
    for (const [name, tool] of Object.entries(report.tools)) {
      lines.push(`  ${mark(true)} ${name.padEnd(8)} ${tool.version}  ${tool.path}  (${tool.source === 'env' ? 'environment variable' : tool.source === 'path' ? 'PATH' : 'bundled npm package'})`);
    }
  }
  lines.push('', 'Operations');
  for (const c of report.operations) {
    lines.push(`  ${c.available ? 'ready  ' : 'not yet'} ${c.available ? c.op : `${c.op.padEnd(10)} ${c.reason ?? ''}`}`);
    if (c.available) for (const m of c.modes ?? []) if (!m.available) lines.push(`          ${c.op} ${m.mode}: ${m.reason ?? 'not available'}`);
  }
  lines.push('', 'ML backends (tfjs)');
  const { tfjs, onnx } = report.backends;
  lines.push(...('error' in tfjs ? [`MISSING ${tfjs.error.message}`] : formatTfjsBackendReport(tfjs)).map((l) => `  ${l}`));
  lines.push('', 'ONNX Runtime execution providers');
  lines.push(...('error' in onnx ? [`MISSING ${onnx.error.message}`] : formatOnnxProviderReport(onnx)).map((l) => `  ${l}`));
  lines.push('', 'Model packs');
  if (report.models.length === 0) lines.push('  none installed (framewright models pull REPO, or framewright models import DIR)');
  for (const m of report.models) lines.push(m.provider !== undefined ? `  ready    ${m.id}  runs on ${m.provider}` : `  not here ${m.id}  ${m.reason ?? ''}`);
  const { espeakNg } = report.speech;
  lines.push('', 'Text to speech (video-gen narration; optional)');
  lines.push(espeakNg.installed ? `  ok      espeak-ng ${espeakNg.version}  ${espeakNg.path}` : `  MISSING espeak-ng (${espeakNg.path} not found): narration is unavailable; install it (apt install espeak-ng) or set ESPEAK_NG_PATH`);
  lines.push('', 'Paths');
  const width = Math.max(...report.paths.map((p) => p.name.length));
  for (const p of report.paths) {
    lines.push(`  ${p.name.padEnd(width)}  ${p.path}  (${p.source === 'default' ? 'default' : `from ${p.source}`}${p.exists ? '' : ', not created yet'})`);
  }
  lines.push('', report.ok ? 'Everything required is in place.' : 'Something required is missing (see above).', '');
  return lines.join('\n');
}

/** `framewright doctor`. */
export const doctorCommand: Command = {
  name: 'doctor',
  help: HELP,
  async run(argv, io) {
    const args = parseFlags('doctor', argv, FLAGS);
    positionalArgs('doctor', args, []);
    const report = await doctorReport(io.env);
    io.stdout.write(booleanFlag(args, 'json') ? `${JSON.stringify(report, null, 2)}\n` : text(report));
    return report.ok ? EXIT.ok : EXIT.ffmpegNotFound;
  },
};
