// The Premiere plugin's Node side: the manifest for a server on another port, and the .ccx.
// Type-checked by `npm run typecheck`. Run after `npm run build -w @framewright/premiere-uxp`.
import { createManifest, packCcx } from '@framewright/premiere-uxp';

const manifest = createManifest('0.1.0', [7900, 7901]); // network.domains allows ws://127.0.0.1 and ws://localhost on ports 7900 and 7901
console.log(manifest.requiredPermissions.network.domains.join(', '));
const files = await packCcx('packages/premiere-uxp/dist/plugin', 'framewright.ccx');
console.log(`framewright.ccx: ${files.length} files`);
