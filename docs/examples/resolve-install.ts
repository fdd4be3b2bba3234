// The Resolve installer as an API: plan the copy for one OS (what `--dry-run` prints), then install.
// Type-checked by `npm run typecheck`.
import { defaultScriptsDir, installScripts, planInstall, shippedScriptsDir } from '@framewright/davinci-bridge';

const scriptsDir = process.argv[2] ?? defaultScriptsDir('linux', process.env);
const plan = await planInstall('linux', scriptsDir, shippedScriptsDir());
for (const file of plan.files) console.log('copy', file.target);
if (process.argv.includes('--apply')) await installScripts(plan);
