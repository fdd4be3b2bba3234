// The CLI from its sources, for tests that run `framewright` commands as processes of their own
// (through tsx: `node --import tsx test/helpers/cli-entry.ts worker …`), without a build.
import { main } from '../../packages/core/src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
