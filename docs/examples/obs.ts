// The OBS adapter from a script: connect to obs-websocket and put a file into the current scene.
// Type-checked by `npm run typecheck`. Run: npx tsx docs/examples/obs.ts /abs/path/picture.png
import { addMediaToScene, ObsConnection } from '@framewright/obs-plugin';

const obs = new ObsConnection({ url: 'ws://127.0.0.1:4455', password: process.env['FRAMEWRIGHT_OBS_PASSWORD'] ?? '' });
const info = await obs.connect(); // OBS 28+ with RPC version 1, else ObsAdapterError (e.g. OBS_AUTH_FAILED)
console.log(`OBS ${info.obsVersion}, obs-websocket ${info.obsWebSocketVersion}`);
const placed = await addMediaToScene(obs, process.argv[2] ?? '/tmp/picture.png', 'image');
console.log(`added ${placed.inputName} to ${placed.sceneName}`);
await obs.close();
