// Writes the tiny random-weight replicas of the public model exports (SD-Turbo in each layout,
// SDXL-Turbo as Optimum exports it, Whisper in both, a RIFE-interface interpolator; test/helpers/
// export-replicas.ts), one folder per layout, as the Hub holds them: for trying `models import`
// or serving them from a local stand-in Hub by hand.
//   npx tsx packages/core/scripts/write-model-replicas.ts OUT_DIR
import { resolve } from 'node:path';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { rifeReplica, SD_EXPORT_LAYOUTS, writeSdTurboExport, writeSdxlTurboExport, writeWhisperExport } from '../test/helpers/export-replicas.js';

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
const sdxl = resolve(out, 'sdxl-turbo-optimum');
process.stdout.write(`${sdxl}: ${writeSdxlTurboExport(sdxl).length} files\n`);
for (const [name, prefix] of [['whisper-optimum', ''], ['whisper-onnx-community', 'onnx/']] as const) {
  const dir = resolve(out, name);
  process.stdout.write(`${dir}: ${writeWhisperExport(dir, prefix).length} files\n`);
}
const rife = resolve(out, 'rife');
mkdirSync(rife, { recursive: true });
writeFileSync(join(rife, 'rife.onnx'), rifeReplica());
process.stdout.write(`${rife}: 1 file\n`);
