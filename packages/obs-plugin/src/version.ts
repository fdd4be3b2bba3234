import pkg from '../package.json' with { type: 'json' };

/** Version of `@framewright/obs-plugin`, read from its `package.json` (bundled into the build). */
export const ADAPTER_VERSION: string = pkg.version;
