// Writes the tiny random-weight replicas of the public model exports (test/helpers/
// export-replicas.ts), one folder per layout, as the Hub holds them: for trying `models import`
// or serving them from a local stand-in Hub by hand.
//   npx tsx packages/core/scripts/write-model-replicas.ts OUT_DIR
import { resolve } from 'node:path';
import { SD_EXPORT_LAYOUTS, writeSdTurboExport } from '../test/helpers/export-replicas.js';

const out = process.argv[2];
if (out === undefined) {
  process.stderr.write('usage: write-model-replicas.ts OUT_DIR\n');
  process.exit(2);
}
for (const layout of SD_EXPORT_LAYOUTS) {
  const dir = resolve(out, `sd-turbo-${layout}`);
  const files = writeSdTurboExport(dir, layout);
  process.stdout.write(`${dir}: ${files.length} files\n`);
}
