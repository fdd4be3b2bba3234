import pkg from '../../package.json' with { type: 'json' };

/**
 * Version of `@framewright/core`, read from its `package.json` (bundled into the build), so the
 * engine, the CLI and exported models all report the one published version.
 */
export const VERSION: string = pkg.version;
