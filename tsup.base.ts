// What every package's Node entry builds with, so the four packages ship alike: ESM and CommonJS
// with declarations, for Node 20, source maps beside them.
import type { Options } from 'tsup';

/**
 * True under `npm run build --silent` (npm hands its log level to scripts as npm_config_loglevel),
 * as the root `prepare` runs it: `npm install` then shows no build logs, only errors.
 */
export const quiet = process.env['npm_config_loglevel'] === 'silent';

/**
 * The options of a package's Node build of `entry` into dist/. import.meta.url is shimmed in the
 * CommonJS build, as the packages use it to find files they ship (models, scripts, the dock).
 */
export function nodeBuild(entry: Record<string, string>): Options {
  return {
    entry,
    format: ['esm', 'cjs'],
    dts: { compilerOptions: { composite: false } },
    platform: 'node',
    target: 'node20',
    shims: true,
    sourcemap: true,
    outDir: 'dist',
    silent: quiet,
  };
}
