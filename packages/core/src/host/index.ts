/**
 * What a host adapter running on Node shares with the `framewright` command besides the
 * protocol and the SDK client: where Framewright keeps its files (config folder, bearer token,
 * output root), atomic file writes, and the command line's exit codes. Adapters import this,
 * `@framewright/core/client` and `@framewright/core/protocol`, never the engine.
 *
 * Any new export added here becomes public API.
 *
 * @example Find the local engine's token
 * ```ts
 * import { resolvePaths } from '@framewright/core/host';
 * import { readFile } from 'node:fs/promises';
 *
 * const token = (await readFile(resolvePaths().tokenFile, 'utf8')).trim();
 * ```
 * @packageDocumentation
 */
export { resolvePaths, loadOrCreateToken, TOKEN_FILE_NAME } from '../config/index.js';
export type { ConfiguredPath, FramewrightPaths, PathEnvironment } from '../config/index.js';
export { writeAtomic, writeFileAtomic } from '../util/fs.js';
export { EXIT, exitCodeOf } from '../cli/exit-codes.js';
export { nearest } from '../util/suggest.js';
