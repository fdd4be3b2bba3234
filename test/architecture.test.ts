/**
 * The dependency rules of ../shared/DESIGN.md as a test over the import graph of packages/*\/src
 * (static imports, re-exports, `import()`, `require()` and `import('…')` types; type-only imports
 * count like any other).
 *
 * Rooms: each folder of packages/core/src is a room (`core` is the root entry, src/index.ts); each
 * adapter package (obs-plugin, premiere-uxp, davinci-bridge) is one room. A core room may import
 * only the rooms {@link MAY_USE} lists for it (and packages/core/package.json, which is data), which
 * orders them bottom-up:
 *
 * - protocol (the wire: schemas, types, validators, errors) and util (leaf helpers) use nothing;
 *   client (the universal SDK client) uses only protocol. Protocol and client import no Node built-in.
 * - image (PNG, resize: leaf helpers), config (paths, token, origins of the local install) and onnx
 *   (the ONNX file format: protobuf codec, graph builder, inspector) use only protocol and util.
 * - media (ffmpeg; the only room that imports fluent-ffmpeg) adds image; runtime (tfjs backends,
 *   ONNX sessions; the only room that imports onnxruntime-node) adds onnx.
 * - transformer (model code, its ONNX exporter) adds runtime; train (the trainer, given its tasks
 *   as a table) adds transformer; models (model packs) adds config, onnx and runtime.
 * - builtin (our own models: vocabulary, token codec, sampler, task, dataset) uses all of
 *   those but no operation; ops use builtin; engine runs ops; jobs (queue, journal) know a runner,
 *   not the engine; cluster (BullMQ on Redis: the server's Redis queue behind the jobs interface,
 *   and the workers, which run ops through the engine) sits beside server, which uses it;
 *   server uses everything but cli; cli and the root entry use everything. host (the
 *   entry Node adapters share with the CLI: paths, token, atomic writes, exit codes) uses config,
 *   util, protocol and the CLI's exit-code table only.
 * So media, transformer, runtime and train never reach ops, server, jobs, cli or engine; ops never
 * reach server, cli, jobs or engine; jobs never reach engine, ops, server or cli.
 *
 * Inside rooms: one operation never imports another (ops/video-gen ↛ ops/image-gen; they share
 * through builtin); builtin is entered through builtin/index.ts, and its parts reach each other
 * through their index.ts (video is built on the image model's vocabulary, never the reverse).
 *
 * Adapters use `@framewright/core/client`, `/protocol` and `/host` ({@link ADAPTER_ENTRIES})
 * and nothing else of core or of another adapter; core never imports an adapter. `import(expr)`
 * hides a dependency, so it is allowed only where {@link COMPUTED_IMPORTS} says why. Cycles
 * between rooms, and between files, fail.
 *
 * Each violation prints as `file:line imports X (rule)`. {@link TEMPORARY} lists the known
 * violations other work of issues 12 and 13 is removing; an entry that no longer matches fails too.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cyclesOf, type ImportEdge, importsOf, isNodeBuiltin, readImportGraph } from './helpers/import-graph.js';

const ROOT = join(import.meta.dirname, '..');
const CORE = 'packages/core/src/';
const ADAPTERS = ['obs-plugin', 'premiere-uxp', 'davinci-bridge'] as const;

const BASE = ['protocol', 'util'];
const MODEL = [...BASE, 'image', 'config', 'onnx', 'media', 'runtime', 'transformer', 'train', 'models'];
/** The rooms (or single files, `room/file.ts`) each room of packages/core/src may import, besides itself and npm packages. */
const MAY_USE: Readonly<Record<string, readonly string[]>> = {
  protocol: [],
  util: [],
  client: ['protocol'],
  image: BASE,
  config: BASE,
  onnx: BASE,
  media: [...BASE, 'image'],
  runtime: [...BASE, 'onnx'],
  transformer: [...BASE, 'onnx', 'runtime'],
  train: [...BASE, 'transformer', 'runtime'],
  models: [...BASE, 'config', 'onnx', 'runtime'],
  builtin: MODEL,
  ops: [...MODEL, 'builtin'],
  engine: [...MODEL, 'builtin', 'ops'],
  jobs: [...BASE, 'config'],
  cluster: [...MODEL, 'builtin', 'ops', 'engine', 'jobs'],
  host: [...BASE, 'config', 'cli/exit-codes.ts'],
  server: [...MODEL, 'builtin', 'ops', 'engine', 'jobs', 'cluster'],
  cli: [...MODEL, 'builtin', 'ops', 'engine', 'jobs', 'cluster', 'server', 'client'],
  core: [...MODEL, 'builtin', 'ops', 'engine', 'jobs', 'cluster', 'server', 'client', 'cli'],
};
/** What an adapter may import from core: the universal entries, and host (paths, token, atomic writes, exit codes for Node adapters). */
const ADAPTER_ENTRIES = ['@framewright/core/client', '@framewright/core/protocol', '@framewright/core/host'];
/** npm packages only one room may import. */
const OWNED_PACKAGES: Readonly<Record<string, string>> = { 'fluent-ffmpeg': 'media', 'onnxruntime-node': 'runtime' };
/** Rooms that must run outside Node (browser, UXP, the OBS dock). */
const UNIVERSAL = ['protocol', 'client'];
/** Files that may `import()`/`require()` a computed name, and why. */
const COMPUTED_IMPORTS: Readonly<Record<string, string>> = {
  'packages/core/src/runtime/tfjs-backend.ts': 'optional peer backends @tensorflow/tfjs-node(-gpu), usually absent',
  'packages/core/src/media/tools.ts': 'optional ffmpeg/ffprobe installer packages, which throw on unsupported platforms',
};

/** A known violation being removed elsewhere: rule, and the files (prefix) it may still occur in. */
interface Allowance {
  rule: string;
  files: string;
  why: string;
}
/** TEMPORARY: delete each entry when its work lands (the test fails once an entry matches nothing). */
const TEMPORARY: readonly Allowance[] = [
];

const ENTRY_FILES: Readonly<Record<string, string>> = {
  '@framewright/core': `${CORE}index.ts`,
  '@framewright/core/client': `${CORE}client/index.ts`,
  '@framewright/core/protocol': `${CORE}protocol/index.ts`,
  '@framewright/core/host': `${CORE}host/index.ts`,
  ...Object.fromEntries(ADAPTERS.map((a) => [`@framewright/${a}`, `packages/${a}/src/index.ts`])),
};

/** The package manifest: data any core room may read (the version), not a room of code. */
const CORE_MANIFEST = 'packages/core/package.json';

/** The room of a repository file or a `@framewright/…` specifier; undefined for npm packages. */
function roomOf(target: string): string | undefined {
  const file = ENTRY_FILES[target] ?? target;
  if (file === CORE_MANIFEST) return 'package.json';
  if (file.startsWith(CORE)) {
    const parts = file.slice(CORE.length).split('/');
    return parts.length === 1 ? 'core' : parts[0];
  }
  const adapter = ADAPTERS.find((a) => file.startsWith(`packages/${a}/`));
  if (adapter !== undefined) return adapter;
  if (file.startsWith('@framewright/core/')) return file.slice('@framewright/core/'.length).split('/')[0];
  if (file.startsWith('@framewright/') || file.startsWith('packages/')) return file;
  return undefined;
}

const isAdapter = (room: string): boolean => (ADAPTERS as readonly string[]).includes(room);
const sub = (file: string, room: string): string | undefined => {
  const parts = file.slice(`${CORE}${room}/`.length).split('/');
  return parts.length > 1 ? parts[0] : undefined;
};

/** The rule `e` breaks, or undefined. */
function ruleBroken(e: ImportEdge): string | undefined {
  const from = roomOf(e.file)!;
  if (e.computed) return COMPUTED_IMPORTS[e.file] === undefined ? 'computed import: name the module, or list the file in COMPUTED_IMPORTS with why' : undefined;
  if (e.target === undefined) return 'unresolved: no such file';
  const to = roomOf(e.target);
  if (to === undefined) {
    const owner = OWNED_PACKAGES[e.target];
    if (owner !== undefined && owner !== from) return `${from} → ${e.target}: only ${owner} imports it`;
    if (UNIVERSAL.includes(from) && isNodeBuiltin(e.target)) return `${from} → Node built-in: ${from} runs outside Node`;
    return undefined;
  }
  if (isAdapter(from)) {
    if (to === from || ADAPTER_ENTRIES.includes(e.target)) return undefined;
    return isAdapter(to) ? `adapters → adapters: ${from} imports ${to}` : `adapters → core internals: adapters use ${ADAPTER_ENTRIES.join(', ')}`;
  }
  if (isAdapter(to)) return `core → adapters: core never imports ${to}`;
  if (to === 'package.json') return undefined;
  const allowed = MAY_USE[from];
  if (allowed === undefined) return `${from}: a room the rules do not place; add it to MAY_USE in test/architecture.test.ts`;
  if (to !== from) {
    if (!allowed.includes(to) && !allowed.includes(e.target.slice(CORE.length))) return `${from} → ${to}: ${from} may use ${allowed.join(', ') || 'nothing'}`;
    if (to === 'builtin' && e.target !== `${CORE}builtin/index.ts`) return `${from} → builtin internals: use builtin/index.ts`;
    return undefined;
  }
  if (from === 'ops') {
    const [a, b] = [sub(e.file, 'ops'), sub(e.target, 'ops')];
    if (a !== undefined && b !== undefined && a !== b) return `ops/${a} → ops/${b}: one operation never imports another; share through builtin or a lower room`;
  }
  if (from === 'builtin') {
    const [a, b] = [sub(e.file, 'builtin'), sub(e.target, 'builtin')];
    if (a === 'image' && b === 'video') return 'builtin/image → builtin/video: the video model builds on the image model, not the reverse';
    if (b !== undefined && a !== b && e.target !== `${CORE}builtin/${b}/index.ts`) return `builtin → builtin/${b} internals: use builtin/${b}/index.ts`;
  }
  return undefined;
}

/** Every broken rule of `edges` and every cycle, as `file:line imports X (rule)`, minus `allow`; plus unused allowances. */
function check(edges: readonly ImportEdge[], allow: readonly Allowance[] = TEMPORARY): string[] {
  const used = new Set<Allowance>();
  const out: string[] = [];
  for (const e of edges) {
    const rule = ruleBroken(e);
    if (rule === undefined) continue;
    const allowance = allow.find((a) => rule.startsWith(a.rule) && e.file.startsWith(a.files));
    if (allowance !== undefined) used.add(allowance);
    else out.push(`${e.file}:${e.line} imports ${e.specifier} (${rule})`);
  }
  for (const c of cyclesOf(edges, roomOf)) out.push(`${c.path.join(' → ')} (cycle between rooms ${c.members.join(', ')})`);
  const fileNode = (x: string): string | undefined => (x.startsWith('packages/') ? x : ENTRY_FILES[x]);
  for (const c of cyclesOf(edges, fileNode)) out.push(`${c.path.join(' → ')} (cycle between files)`);
  for (const a of allow) if (!used.has(a)) out.push(`TEMPORARY allowance "${a.rule}" in ${a.files} matches nothing: delete it (${a.why})`);
  return out;
}

const edge = (file: string, specifier: string, target: string | undefined, extra: Partial<ImportEdge> = {}): ImportEdge => ({
  file, line: 3, specifier, target, typeOnly: false, computed: false, ...extra,
});

describe('architecture', () => {
  it('the sources keep the room rules, with no cycle', () => {
    const violations = check(readImportGraph(ROOT));
    expect(violations, `\n${violations.join('\n')}\n`).toEqual([]);
  });

  it('reads every kind of import with its line and whether it is type-only', () => {
    const file = join(ROOT, CORE, 'media/probe.ts');
    const text = [
      "import type { A } from '../protocol/index.js';",
      "export { b } from './tools.js';",
      "const c = await import('node:fs');",
      'const d = await import(name);',
      "type E = import('../image/index.js').RgbImage;",
      "const f = require('fluent-ffmpeg');",
    ].join('\n');
    expect(importsOf(ROOT, file, text).map((e) => [e.line, e.specifier, e.target, e.typeOnly, e.computed])).toEqual([
      [1, '../protocol/index.js', `${CORE}protocol/index.ts`, true, false],
      [2, './tools.js', `${CORE}media/tools.ts`, false, false],
      [3, 'node:fs', 'node:fs', false, false],
      [4, '<computed>', undefined, false, true],
      [5, '../image/index.js', `${CORE}image/index.ts`, true, false],
      [6, 'fluent-ffmpeg', 'fluent-ffmpeg', false, false],
    ]);
  });

  it('reports a forbidden edge, an adapter reaching into core, core loading an adapter, and a computed import', () => {
    expect(check([
      edge(`${CORE}media/probe.ts`, '../ops/index.js', `${CORE}ops/index.ts`),
      edge(`${CORE}ops/video-gen/index.ts`, '../image-gen/models.js', `${CORE}ops/image-gen/models.ts`),
      edge(`${CORE}ops/image-gen/models.ts`, '../../builtin/image/model.js', `${CORE}builtin/image/model.ts`),
      edge('packages/premiere-uxp/src/panel/app.ts', '@framewright/core', '@framewright/core'),
      edge(`${CORE}cli/commands/adapters.ts`, '@framewright/obs-plugin', '@framewright/obs-plugin'),
      edge(`${CORE}ops/index.ts`, '<computed>', undefined, { computed: true }),
      edge(`${CORE}client/index.ts`, 'node:fs', 'node:fs'),
    ], [])).toEqual([
      `${CORE}media/probe.ts:3 imports ../ops/index.js (media → ops: media may use protocol, util, image)`,
      `${CORE}ops/video-gen/index.ts:3 imports ../image-gen/models.js (ops/video-gen → ops/image-gen: one operation never imports another; share through builtin or a lower room)`,
      `${CORE}ops/image-gen/models.ts:3 imports ../../builtin/image/model.js (ops → builtin internals: use builtin/index.ts)`,
      'packages/premiere-uxp/src/panel/app.ts:3 imports @framewright/core (adapters → core internals: adapters use @framewright/core/client, @framewright/core/protocol, @framewright/core/host)',
      `${CORE}cli/commands/adapters.ts:3 imports @framewright/obs-plugin (core → adapters: core never imports obs-plugin)`,
      `${CORE}ops/index.ts:3 imports <computed> (computed import: name the module, or list the file in COMPUTED_IMPORTS with why)`,
      `${CORE}client/index.ts:3 imports node:fs (client → Node built-in: client runs outside Node)`,
    ]);
  });

  it('reports a type-only cycle between rooms and between files, and an allowance that matches nothing', () => {
    const typeOnly = { typeOnly: true };
    expect(check([
      edge(`${CORE}runtime/a.ts`, '../transformer/b.js', `${CORE}transformer/b.ts`, typeOnly),
      edge(`${CORE}transformer/b.ts`, '../runtime/a.js', `${CORE}runtime/a.ts`),
    ], [{ rule: 'jobs → engine', files: `${CORE}jobs/`, why: 'test' }])).toEqual([
      `${CORE}runtime/a.ts:3 imports ../transformer/b.js (runtime → transformer: runtime may use protocol, util, onnx)`,
      `${CORE}runtime/a.ts:3 imports ../transformer/b.js → ${CORE}transformer/b.ts:3 imports ../runtime/a.js (cycle between rooms runtime, transformer)`,
      `${CORE}runtime/a.ts:3 imports ../transformer/b.js → ${CORE}transformer/b.ts:3 imports ../runtime/a.js (cycle between files)`,
      `TEMPORARY allowance "jobs → engine" in ${CORE}jobs/ matches nothing: delete it (test)`,
    ]);
  });
});
