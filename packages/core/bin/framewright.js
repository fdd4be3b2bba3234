#!/usr/bin/env node
// The `framewright` command: a thin launcher for the built CLI (dist/cli/main.js).
const entry = new URL('../dist/cli/main.js', import.meta.url);

import(entry.href).then(
  ({ main }) =>
    main(process.argv.slice(2)).then((code) => {
      process.exitCode = code;
    }),
  (error) => {
    const missing = error && error.code === 'ERR_MODULE_NOT_FOUND' && /cli[\\/]main\.js/.test(String(error.message));
    process.stderr.write(
      missing
        ? 'framewright: @framewright/core is not built (dist/cli/main.js is missing): run `npm run build`\n'
        : `framewright: cannot start: ${error && error.message ? String(error.message).split('\n')[0] : String(error)}\n`,
    );
    if (process.env.FRAMEWRIGHT_DEBUG === '1' && error && error.stack) process.stderr.write(`${error.stack}\n`);
    process.exitCode = 1;
  },
);
