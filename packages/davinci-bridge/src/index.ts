/**
 * DaVinci Resolve bridge for Framewright: Lua scripts (every edition, Workspace > Scripts) and
 * Python scripts (Resolve Studio) that bring clip-cut, image-gen and video-gen into the Media Pool
 * and timelines, plus the installer behind `framewright resolve install`.
 *
 * Any new export added here becomes public API.
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
