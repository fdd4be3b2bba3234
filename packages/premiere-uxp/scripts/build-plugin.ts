// Builds the UXP plugin folder: one JS bundle of the panel (UXP's `premierepro` and `uxp`
// modules left as run-time requires), index.html, styles, manifest.json and icons.
//   tsx scripts/build-plugin.ts [OUT_DIR]      (default dist/plugin)
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { createManifest, ICON_FILES } from '../src/manifest.js';
import { iconFor } from './icons.js';

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const coreSrc = resolve(packageDir, '..', 'core', 'src');

/** Modules the UXP host provides at run time. */
export const HOST_MODULES = ['premierepro', 'uxp'] as const;

/**
 * Builds the plugin into `outDir` (emptied first).
 * @returns the files written, relative to `outDir`
 */
export async function buildPlugin(outDir: string = join(packageDir, 'dist', 'plugin')): Promise<string[]> {
  const { version } = JSON.parse(await readFile(join(packageDir, 'package.json'), 'utf8')) as { version: string };
  await rm(outDir, { recursive: true, force: true });
  await mkdir(join(outDir, 'icons'), { recursive: true });
  await build({
    entryPoints: [join(packageDir, 'src', 'panel', 'main.ts')],
    outfile: join(outDir, 'main.js'),
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    external: [...HOST_MODULES],
    // The SDK client and protocol from source: the bundle does not depend on core's build order.
    alias: { '@framewright/core/client': join(coreSrc, 'client', 'index.ts'), '@framewright/core/protocol': join(coreSrc, 'protocol', 'index.ts') },
    define: { __PLUGIN_VERSION__: JSON.stringify(version) },
    legalComments: 'none',
    logLevel: 'warning',
  });
  await copyFile(join(packageDir, 'src', 'panel', 'index.html'), join(outDir, 'index.html'));
  await copyFile(join(packageDir, 'src', 'panel', 'styles.css'), join(outDir, 'styles.css'));
  await writeFile(join(outDir, 'manifest.json'), `${JSON.stringify(createManifest(version), null, 2)}\n`);
  for (const [path, size] of ICON_FILES) await writeFile(join(outDir, path), iconFor(path, size));
  return ['main.js', 'index.html', 'styles.css', 'manifest.json', ...ICON_FILES.map(([path]) => path)];
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = process.argv[2] === undefined ? undefined : resolve(process.argv[2]);
  const files = await buildPlugin(out);
  if (process.env['npm_config_loglevel'] !== 'silent') console.log(`built the Premiere Pro plugin (${files.length} files) in ${out ?? join(packageDir, 'dist', 'plugin')}`);
}
