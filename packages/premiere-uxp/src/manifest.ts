import { DEFAULT_PORT } from '@framewright/core/protocol';

/** The lowest Premiere Pro version the panel supports (UXP's general release in Premiere). */
export const MIN_PREMIERE_VERSION = '25.6.0';

/** The plugin's id in Creative Cloud. */
export const PLUGIN_ID = 'com.framewright.premiere';

/** The id of the panel entrypoint. */
export const PANEL_ID = 'framewright.panel';

/** Port of `framewright serve`: the protocol's `DEFAULT_PORT`. */
export const DEFAULT_SERVER_PORT = DEFAULT_PORT;

/** The WebSocket endpoint the panel connects to by default. */
export const DEFAULT_SERVER_URL = `ws://127.0.0.1:${DEFAULT_SERVER_PORT}/v1/ws`;

/**
 * The engine ports the panel's settings offer and the manifest lets it reach: the default and
 * the next four, for when the default is taken (`framewright serve --port 7879`). UXP blocks
 * every address the manifest does not list.
 */
export const SERVER_PORTS: readonly number[] = Object.freeze([0, 1, 2, 3, 4].map((n) => DEFAULT_SERVER_PORT + n));

/** One icon file of the plugin, at 1x and 2x. */
export interface ManifestIcon {
  width: number;
  height: number;
  path: string;
  scale: number[];
  theme?: string[];
  species?: string[];
}

/** The UXP manifest (v5) fields this plugin writes. */
export interface UxpManifest {
  manifestVersion: 5;
  id: string;
  name: string;
  version: string;
  main: string;
  host: { app: 'premierepro'; minVersion: string };
  entrypoints: {
    type: 'panel';
    id: string;
    label: { default: string };
    minimumSize: { width: number; height: number };
    maximumSize: { width: number; height: number };
    preferredDockedSize: { width: number; height: number };
    preferredFloatingSize: { width: number; height: number };
    icons: ManifestIcon[];
  }[];
  icons: ManifestIcon[];
  requiredPermissions: {
    network: { domains: string[] };
    localFileSystem: 'plugin' | 'request' | 'fullAccess';
    allowCodeGenerationFromStrings: boolean;
  };
}

/** The icon files the build writes: `[path, pixel size]`, each at 1x and 2x. */
export const ICON_FILES = [
  ['icons/panel-dark.png', 23],
  ['icons/panel-dark@2x.png', 46],
  ['icons/panel-light.png', 23],
  ['icons/panel-light@2x.png', 46],
  ['icons/plugin.png', 48],
  ['icons/plugin@2x.png', 96],
] as const;

/**
 * Builds the plugin's manifest.json.
 *
 * Permissions are as narrow as the panel works with: the network reaches only the local server
 * (WebSocket, plus HTTP for the health probe that tells "not running" from "refused"); the file
 * system only the plugin's own folders (Premiere imports results by path, the panel reads no
 * file). `allowCodeGenerationFromStrings` is on because the protocol validators (ajv) compile
 * JSON Schemas to functions at run time.
 *
 * @param version - plugin version (the package version)
 * @param ports - the ports of `framewright serve` the panel may reach (default {@link SERVER_PORTS})
 * @example
 * ```ts
 * writeFileSync('dist/plugin/manifest.json', JSON.stringify(createManifest('0.1.0'), null, 2));
 * ```
 */
export function createManifest(version: string, ports: readonly number[] = SERVER_PORTS): UxpManifest {
  const hosts = ['127.0.0.1', 'localhost'];
  return {
    manifestVersion: 5,
    id: PLUGIN_ID,
    name: 'Framewright',
    version,
    main: 'index.html',
    host: { app: 'premierepro', minVersion: MIN_PREMIERE_VERSION },
    entrypoints: [
      {
        type: 'panel',
        id: PANEL_ID,
        label: { default: 'Framewright' },
        minimumSize: { width: 260, height: 320 },
        maximumSize: { width: 2000, height: 2000 },
        preferredDockedSize: { width: 320, height: 560 },
        preferredFloatingSize: { width: 360, height: 640 },
        icons: [
          { width: 23, height: 23, path: 'icons/panel-dark.png', scale: [1, 2], theme: ['darkest', 'dark', 'medium'] },
          { width: 23, height: 23, path: 'icons/panel-light.png', scale: [1, 2], theme: ['lightest', 'light'] },
        ],
      },
    ],
    icons: [{ width: 48, height: 48, path: 'icons/plugin.png', scale: [1, 2], theme: ['all'], species: ['pluginList'] }],
    requiredPermissions: {
      network: { domains: ports.flatMap((port) => [...hosts.map((h) => `ws://${h}:${port}`), ...hosts.map((h) => `http://${h}:${port}`)]) },
      localFileSystem: 'plugin',
      allowCodeGenerationFromStrings: true,
    },
  };
}
