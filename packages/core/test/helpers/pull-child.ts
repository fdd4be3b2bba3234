// A pull in a child process, for tests that SIGKILL it mid-download:
//   tsx pull-child.ts REPO INTO HF_ENDPOINT
// Prints `started` once the download has begun (the first byte of a file arrived).
import { pullModel } from '../../src/models/index.js';

const [ref, into, endpoint] = process.argv.slice(2) as [string, string, string];
let announced = false;
await pullModel(ref, {
  into,
  acceptLicence: true,
  env: { HF_ENDPOINT: endpoint },
  onProgress: (p) => {
    if (!announced && p.bytesDone > 0) {
      announced = true;
      process.stdout.write('started\n');
    }
  },
});
process.stdout.write('done\n');
