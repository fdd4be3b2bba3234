// The `framewright` command run from core's sources through tsx, for FRAMEWRIGHT_CLI in tests:
// the engine `framewright obs` starts is then the code under test, not whatever was last built.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../../core/src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
