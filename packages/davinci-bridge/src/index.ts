/**
 * DaVinci Resolve bridge for Framewright: Lua scripts (every edition, Workspace > Scripts) and
 * Python scripts (Resolve Studio) that bring clip-cut, image-gen and video-gen into the Media Pool
 * and timelines, plus the installer behind `framewright resolve install`.
 *
 * Any new export added here becomes public API.
 *
 * @example Plan and install the scripts
 * The full example, `docs/examples/resolve-install.ts`, is compiled by `npm run typecheck`.
 * ```ts
 * import { defaultScriptsDir, installScripts, planInstall, shippedScriptsDir } from '@framewright/davinci-bridge';
 *
 * const plan = await planInstall('linux', defaultScriptsDir('linux', process.env), shippedScriptsDir());
 * for (const file of plan.files) console.log('copy', file.target); // what `framewright resolve install --dry-run` prints
 * await installScripts(plan);
 * ```
 * @packageDocumentation
 */
export { runCli, type CliIo } from './cli.js';
export {
  installScripts,
  planInstall,
  uninstallScripts,
  MANIFEST_NAME,
  type InstallPlan,
  type PlannedFile,
  type UninstallReport,
} from './install.js';
export {
  defaultScriptsDir,
  pathApi,
  shippedScriptsDir,
  RESOLVE_BIN_NAME,
  RESOLVE_OSES,
  SCRIPTS_SUBFOLDER,
  type ResolveOs,
} from './paths.js';
