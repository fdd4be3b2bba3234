// `models pull` over loopback against the stand-in Hub (packages/core/test/helpers/test-hub.ts),
// side by side with a plain fetch of the same bytes: what verification and staging cost, and
// what a cut connection costs when it is resumed with Range.
//   npm run bench:models-pull [-- --mb 128]
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { pullModel } from '../packages/core/src/models/index.js';
import { sha256File } from '../packages/core/src/models/verify.js';
import { writeSdTurboExport } from '../packages/core/test/helpers/export-replicas.js';
import { filesOfFolder, startTestHub } from '../packages/core/test/helpers/test-hub.js';

const { values } = parseArgs({ options: { mb: { type: 'string', default: '128' } } });
const mb = Number(values.mb);
const work = mkdtempSync(join(tmpdir(), 'fw-bench-pull-'));
try {
  writeSdTurboExport(join(work, 'export'), 'optimum-fp32');
  // The replica's UNet weights file, grown to the size asked for (its hash is what the Hub says).
  const files = filesOfFolder(join(work, 'export')).map((f) => (f.path === 'unet/model.onnx_data' ? { path: f.path, bytes: randomBytes(mb * 1024 * 1024) } : f));
  const big = files.find((f) => f.path === 'unet/model.onnx_data')!;
  const total = files.filter((f) => !f.path.startsWith('vae_encoder/') && f.path !== 'README.md').reduce((a, f) => a + f.bytes.length, 0);
  const repos = [{ id: 'bench/sd-turbo', files, cardData: { license: 'mit' } }];
  const rows: Array<[string, number, string]> = [];

  const plain = await startTestHub(repos);
  let t = performance.now();
  const location = (await fetch(`${plain.endpoint}/bench/sd-turbo/resolve/main/unet/model.onnx_data`, { redirect: 'manual' })).headers.get('location')!;
  const response = await fetch(location);
  await pipeline(response.body as unknown as NodeJS.ReadableStream, createWriteStream(join(work, 'plain.bin')) as unknown as Writable);
  rows.push(['plain fetch of the weights file', performance.now() - t, `${mb} MB`]);
  t = performance.now();
  await sha256File(join(work, 'plain.bin'));
  rows.push(['sha256 of it (the verification)', performance.now() - t, `${(mb / ((performance.now() - t) / 1000)).toFixed(0)} MB/s`]);
  t = performance.now();
  await pullModel('bench/sd-turbo', { into: join(work, 'a'), env: { HF_ENDPOINT: plain.endpoint } });
  rows.push(['models pull (7 files, verified, manifest)', performance.now() - t, `${(total / 1024 / 1024).toFixed(1)} MB`]);
  await plain.close();

  const cut = await startTestHub(repos, { cutAfter: { 'unet/model.onnx_data': Math.floor(big.bytes.length / 2) } });
  t = performance.now();
  await pullModel('bench/sd-turbo', { into: join(work, 'b'), env: { HF_ENDPOINT: cut.endpoint } });
  const ms = performance.now() - t;
  const served = cut.requests.filter((r) => r.server === 'cdn' && r.method === 'GET' && r.url.includes('/blobs/')).length;
  rows.push(['models pull, cut at 50 % and resumed', ms, `${served} CDN GETs`]);
  await cut.close();

  const width = Math.max(...rows.map((r) => r[0].length));
  for (const [what, time, note] of rows) console.log(`${what.padEnd(width)}  ${(time / 1000).toFixed(2).padStart(6)} s  ${note}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
