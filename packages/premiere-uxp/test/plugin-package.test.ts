import { mkdtempSync, readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { Ajv2020 } from 'ajv/dist/2020.js';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildPlugin, HOST_MODULES } from '../scripts/build-plugin.js';
import { crc32 } from 'node:zlib';
import { packCcx, zip } from '../src/ccx.js';
import { runCli } from '../src/cli.js';
import { createManifest, ICON_FILES, MIN_PREMIERE_VERSION } from '../src/manifest.js';
import { MANIFEST_SCHEMA } from '../src/manifest-schema.js';

/** Reads a zip archive's entries (stored or deflated), checking each CRC. */
function unzip(archive: Buffer): Map<string, Buffer> {
  const end = archive.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = archive.readUInt16LE(end + 10);
  let at = archive.readUInt32LE(end + 16);
  const files = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    const method = archive.readUInt16LE(at + 10);
    const crc = archive.readUInt32LE(at + 16);
    const size = archive.readUInt32LE(at + 20);
    const nameLength = archive.readUInt16LE(at + 28);
    const extra = archive.readUInt16LE(at + 30) + archive.readUInt16LE(at + 32);
    const offset = archive.readUInt32LE(at + 42);
    const name = archive.toString('utf8', at + 46, at + 46 + nameLength);
    const local = offset + 30 + archive.readUInt16LE(offset + 26) + archive.readUInt16LE(offset + 28);
    const body = archive.subarray(local, local + size);
    const data = method === 8 ? inflateRawSync(body) : Buffer.from(body);
    expect(crc32(data), `CRC of ${name}`).toBe(crc);
    files.set(name, data);
    at += 46 + nameLength + extra;
  }
  return files;
}

/**
 * Every module the bundle loads: calls of `require`/`__require` (esbuild's wrapper for externals)
 * and `import()` with a string literal, and import declarations. Strings that only look like a
 * require (ajv's code templates) are not calls and do not count.
 */
function modulesLoadedBy(code: string): string[] {
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && node.arguments.length === 1 && ts.isStringLiteral(node.arguments[0]!)) {
      const callee = node.expression;
      if ((ts.isIdentifier(callee) && (callee.text === 'require' || callee.text === '__require')) || callee.kind === ts.SyntaxKind.ImportKeyword) found.push(node.arguments[0].text);
    }
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) found.push(node.moduleSpecifier.text);
    ts.forEachChild(node, visit);
  };
  visit(ts.createSourceFile('main.js', code, ts.ScriptTarget.Latest, false, ts.ScriptKind.JS));
  return found;
}

const validateManifest = new Ajv2020({ allErrors: true, strict: true }).compile(MANIFEST_SCHEMA);

let plugin: string;
let ccx: Map<string, Buffer>;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fw-premiere-pkg-'));
  plugin = join(dir, 'plugin');
  await buildPlugin(plugin);
  await packCcx(plugin, join(dir, 'framewright.ccx'));
  ccx = unzip(readFileSync(join(dir, 'framewright.ccx')));
}, 60_000);

describe('manifest', () => {
  it('is manifest v5 for Premiere Pro 25.6+, reaching only the local server, and passes its schema', () => {
    const manifest = createManifest('1.2.3');
    expect(validateManifest(manifest), JSON.stringify(validateManifest.errors)).toBe(true);
    expect(manifest.host).toEqual({ app: 'premierepro', minVersion: MIN_PREMIERE_VERSION });
    // The ports the panel's engine settings offer: 7878 and the next four.
    expect(manifest.requiredPermissions.network.domains).toEqual(
      [7878, 7879, 7880, 7881, 7882].flatMap((p) => [`ws://127.0.0.1:${p}`, `ws://localhost:${p}`, `http://127.0.0.1:${p}`, `http://localhost:${p}`]),
    );
    expect(manifest.requiredPermissions.localFileSystem).toBe('plugin');
  });

  it('the schema refuses network access beyond the local server, older hosts and missing panel sizes', () => {
    const base = createManifest('1.0.0');
    const broken = [
      { ...base, requiredPermissions: { ...base.requiredPermissions, network: { domains: 'all' } } },
      { ...base, requiredPermissions: { ...base.requiredPermissions, network: { domains: ['ws://example.com:7878'] } } },
      { ...base, requiredPermissions: { ...base.requiredPermissions, network: { domains: ['ws://127.0.0.1:*'] } } },
      { ...base, requiredPermissions: { ...base.requiredPermissions, localFileSystem: 'fullAccess' } },
      { ...base, host: { app: 'premierepro', minVersion: '25.1.0' } },
      { ...base, host: { app: 'PS', minVersion: '25.6.0' } },
      { ...base, entrypoints: [{ ...base.entrypoints[0], minimumSize: undefined }] },
      { ...base, manifestVersion: 4 },
    ];
    for (const manifest of broken) expect(validateManifest(JSON.parse(JSON.stringify(manifest)))).toBe(false);
  });
});

describe('plugin build and .ccx', () => {
  it('the .ccx holds manifest.json at its root, the bundle, the page and every icon as real PNGs', () => {
    expect([...ccx.keys()].sort()).toEqual(['icons/panel-dark.png', 'icons/panel-dark@2x.png', 'icons/panel-light.png', 'icons/panel-light@2x.png', 'icons/plugin.png', 'icons/plugin@2x.png', 'index.html', 'main.js', 'manifest.json', 'styles.css']);
    const manifest = JSON.parse(ccx.get('manifest.json')!.toString('utf8'));
    expect(validateManifest(manifest)).toBe(true);
    expect(ccx.get('index.html')!.toString()).toContain('<script src="main.js">');
    for (const [path, size] of ICON_FILES) {
      const png = ccx.get(path)!;
      expect(png.subarray(1, 4).toString('ascii')).toBe('PNG');
      expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([size, size]);
    }
    const iconPaths = [...manifest.icons, ...manifest.entrypoints.flatMap((e: { icons: unknown[] }) => e.icons)].map((i: { path: string }) => i.path);
    for (const path of iconPaths) expect(ccx.has(path), path).toBe(true);
  });

  it('the bundle requires only the UXP host modules: no Node built-in, no other package', () => {
    const imported = modulesLoadedBy(ccx.get('main.js')!.toString('utf8'));
    expect([...new Set(imported)].sort()).toEqual([...HOST_MODULES].sort());
    expect(imported.filter((m) => isBuiltin(m))).toEqual([]);
  });

  it('the module scan sees real requires and ignores strings that look like one', () => {
    expect(modulesLoadedBy('const a = __require("uxp"); const b = require("fs"); const c = \'require("child_process")\'; import("path");')).toEqual(['uxp', 'fs', 'path']);
  });

  it('zips byte-identically across runs and refuses unsafe entry names', () => {
    const entries = [{ name: 'a.txt', data: Buffer.from('hello hello hello hello') }, { name: 'b/c.bin', data: Buffer.from([1, 2, 3]) }];
    expect(zip(entries).equals(zip(entries))).toBe(true);
    expect([...unzip(zip(entries))].map(([n, d]) => [n, d.toString('hex')])).toEqual(entries.map((e) => [e.name, Buffer.from(e.data).toString('hex')]));
    expect(() => zip([{ name: '../evil', data: Buffer.alloc(1) }])).toThrow(/bad or duplicate entry name/);
    expect(() => zip([...entries, entries[0]!])).toThrow(/duplicate/);
  });
});

describe('framewright premiere', () => {
  const capture = () => {
    const out: string[] = [];
    const err: string[] = [];
    return { io: { stdout: { write: (t: string) => out.push(t) }, stderr: { write: (t: string) => err.push(t) } }, out, err };
  };

  it('prints the manifest and the install steps, and rejects unknown commands with exit code 2', async () => {
    let c = capture();
    expect(await runCli(['manifest'], c.io)).toBe(0);
    expect(validateManifest(JSON.parse(c.out.join('')))).toBe(true);
    c = capture();
    expect(await runCli(['install-help'], c.io)).toBe(0);
    expect(c.out.join('')).toMatch(/UXP Developer Tool/);
    c = capture();
    expect(await runCli(['frobnicate'], c.io)).toBe(2);
    expect(c.err.join('')).toMatch(/unknown command "frobnicate"/);
    c = capture();
    expect(await runCli(['package', '--bogus'], c.io)).toBe(2);
  });
});
