/**
 * `@framewright/premiere-uxp`: the Framewright panel for Adobe Premiere Pro (a UXP plugin) and
 * its Node side (manifest, `.ccx` packaging, `framewright premiere` commands).
 *
 * The panel itself is built into `dist/plugin` and runs inside Premiere Pro; the Premiere Pro
 * actions it uses are exported here too so scripts and tests can drive them with any
 * `premierepro` module.
 *
 * Any new export added here becomes public API.
 *
 * @example A manifest for a server on another port, and the .ccx
 * The full example, `docs/examples/premiere.ts`, is compiled by `npm run typecheck`.
 * ```ts
 * import { createManifest, packCcx } from '@framewright/premiere-uxp';
 *
 * const manifest = createManifest('0.1.0', [7900]); // network access to ws://127.0.0.1:7900 and ws://localhost:7900 only
 * const files = await packCcx('packages/premiere-uxp/dist/plugin', 'framewright.ccx');
 * ```
 * @packageDocumentation
 */
export { runCli } from './cli.js';
export type { CliIo } from './cli.js';
export { packCcx, zip } from './ccx.js';
export type { ZipEntry } from './ccx.js';
export {
  createManifest,
  MIN_PREMIERE_VERSION,
  PLUGIN_ID,
  PANEL_ID,
  DEFAULT_SERVER_PORT,
  SERVER_PORTS,
  DEFAULT_SERVER_URL,
  ICON_FILES,
} from './manifest.js';
export type { UxpManifest, ManifestIcon } from './manifest.js';
export { MANIFEST_SCHEMA } from './manifest-schema.js';
export { PremiereHost, FRAMEWRIGHT_BIN } from './host/premiere-host.js';
export type { EditMode, CutPoint, SelectedClip, PlacedMarker } from './host/premiere-host.js';
export { HostError, HOST_ERROR_CODES, isHostError } from './host/errors.js';
export type { HostErrorCode } from './host/errors.js';
