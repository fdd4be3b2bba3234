// The SDK client and the protocol are universal: UXP panels and browser docks bundle them, so the
// BUILT bundles must not import a Node built-in or a Node-only package. This test reads the real
// dist output (building it first when it is missing or older than the sources).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isBuiltin } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from './helpers/cli.js';

const core = resolve(import.meta.dirname, '..', 'packages', 'core');
const dist = join(core, 'dist');
const ENTRIES = ['client/index.js', 'client/index.cjs', 'protocol/index.js', 'protocol/index.cjs'];
/** Packages that only work on Node even though they are not built-ins. */
const NODE_ONLY = ['ws', 'fluent-ffmpeg', 'onnxruntime-node', '@ffmpeg-installer/ffmpeg', '@ffprobe-installer/ffprobe'];

/** Every module specifier a file really imports or requires (strings that merely look like one are ignored). */
function specifiersOf(file: string): string[] {
  return ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles.map((f) => f.fileName);
}

/** Follows relative imports (tsup's shared chunks) and returns every bare specifier reached, by file. */
function bareImports(entry: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const spec of specifiersOf(file)) {
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec));
      else found.set(file, [...(found.get(file) ?? []), spec]);
    }
  };
  visit(entry);
  return found;
}

const isNodeOnly = (spec: string) => isBuiltin(spec) || spec.startsWith('node:') || NODE_ONLY.some((p) => spec === p || spec.startsWith(`${p}/`));

beforeAll(() => ensureBuilt(ENTRIES), 180_000);

describe('universal bundles', () => {
  it.each(ENTRIES)('dist/%s (and its chunks) imports no Node built-in or Node-only package', (entry) => {
    const imports = [...bareImports(join(dist, entry))].flatMap(([file, specs]) => specs.filter(isNodeOnly).map((s) => `${file}: ${s}`));
    expect(imports).toEqual([]);
  });

  it('the check itself sees real imports and ignores strings that look like one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fw-bundle-'));
    writeFileSync(join(dir, 'entry.js'), 'import "./chunk.js";\nconst code = \'require("fs")\';\nexport { code };\n');
    writeFileSync(join(dir, 'chunk.js'), 'import { readFile } from "node:fs/promises";\nconst cp = require("child_process");\nexport { readFile, cp };\n');
    const imports = [...bareImports(join(dir, 'entry.js')).values()].flat();
    expect(imports).toEqual(['node:fs/promises', 'child_process']);
    expect(imports.every(isNodeOnly)).toBe(true);
  });
});
