// A schema-valid request that would exhaust memory is refused at submit (POST /v1/jobs answers
// INVALID_PARAMS naming the budget, no job is created); one under the budget is accepted. The
// image-gen model's own size limit is checked at submit too.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../src/server/index.js';
import { imageGenOperation } from '../src/ops/image-gen/index.js';
import { videoGenOperation } from '../src/ops/video-gen/index.js';
import type { ImageGenParams, VideoGenParams } from '../src/protocol/index.js';
import { fakeRegistry, tempDir } from './engine-fakes.js';
import { http, type HttpExchange } from './server-helpers.js';
import { writeTinyBuiltinPack, writeTinySdTurboPack } from './helpers/tiny-packs.js';
import { drawBox } from './helpers/video-gen.js';

const GiB = 2 ** 30;
const BUDGET = GiB;
let dir: string;
let big: string;
let small: string;
let budgeted: RunningServer;
let unbudgeted: RunningServer;
const previousModels = process.env['FRAMEWRIGHT_MODELS_DIR'];
// The real image-gen (on tiny packs) and video-gen; clip-cut stays the fake.
const registry = { ...fakeRegistry().registry, 'image-gen': imageGenOperation };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fw-server-memory-'));
  big = await drawBox(dir, 'big', { width: 4096, height: 4096, x: 100, y: 100, box: 400 });
  small = await drawBox(dir, 'small', { width: 64, height: 48, x: 8, y: 8, box: 8 });
  await writeTinyBuiltinPack(join(dir, 'packs', 'tiny-builtin'));
  expect(writeTinySdTurboPack(join(dir, 'packs', 'tiny-sd')).id).toBe('tiny-sd-turbo');
  process.env['FRAMEWRIGHT_MODELS_DIR'] = join(dir, 'packs');
  const common = { port: 0, configDir: tempDir(), dataDir: tempDir(), outputRoot: tempDir(), registry };
  budgeted = await startServer({ ...common, memoryBudgetBytes: BUDGET });
  unbudgeted = await startServer({ ...common, dataDir: tempDir() });
});
afterAll(async () => {
  await Promise.all([budgeted?.close(), unbudgeted?.close()]);
  if (previousModels === undefined) delete process.env['FRAMEWRIGHT_MODELS_DIR'];
  else process.env['FRAMEWRIGHT_MODELS_DIR'] = previousModels;
  rmSync(dir, { recursive: true, force: true });
});

const submit = (server: RunningServer, op: string, params: unknown): Promise<HttpExchange> =>
  http(server.port, 'POST', '/v1/jobs', { headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ op, params }) });
const jobsOf = async (server: RunningServer) =>
  ((await http(server.port, 'GET', '/v1/jobs', { headers: { authorization: `Bearer ${server.token}` } })).json as { jobs: Array<{ op: string }> }).jobs;
const errorOf = (exchange: HttpExchange) => (exchange.json as { error: { code: string; message: string; pointer?: string } }).error;

const keyframes24: VideoGenParams = { mode: 'interpolate', keyframes: new Array<string>(24).fill('') };

describe('the memory budget at submit', () => {
  it('refuses 24 keyframes of 4096×4096 over a 1 GiB budget, naming the budget, and creates no job', async () => {
    const params = { ...keyframes24, keyframes: new Array<string>(24).fill(big) };
    const need = (await videoGenOperation.check!(params)).memory!;
    expect(need.bytes).toBeGreaterThan(24 * 4096 * 4096 * 3); // at least the decoded keyframes
    const refused = await submit(budgeted, 'video-gen', params);
    expect(refused.status).toBe(400);
    expect(errorOf(refused)).toMatchObject({ code: 'INVALID_PARAMS', pointer: '/keyframes' });
    expect(errorOf(refused).message).toMatch(
      /^video-gen needs about \d+(\.\d)? GiB of memory for 24 keyframes of 4096×4096; the memory budget is 1 GiB \(framewright serve --memory-budget\)/,
    );
    expect(await jobsOf(budgeted)).toEqual([]);
  });

  it('accepts the same request with small keyframes', async () => {
    const params = { mode: 'interpolate', keyframes: [small, small], frames: 1, interpolation: 'blend' };
    expect((await videoGenOperation.check!(params as VideoGenParams)).memory!.bytes).toBeLessThan(BUDGET);
    const accepted = await submit(budgeted, 'video-gen', params);
    expect(accepted.status).toBe(202);
  });

  it('refuses the 1,000 keyframes the schema allows under the default budget (at most 32 GiB)', async () => {
    const refused = await submit(unbudgeted, 'video-gen', { mode: 'interpolate', keyframes: new Array<string>(1000).fill(big) });
    expect(errorOf(refused)).toMatchObject({ code: 'INVALID_PARAMS', message: expect.stringMatching(/for 1000 keyframes of 4096×4096; the memory budget is/) });
  });

  it('refuses a 2048×2048 picture from a diffusion pack over budget, accepts a 256 px one from the built-in kind', async () => {
    const sd: ImageGenParams = { prompt: 'a photo of a cat', model: 'tiny-sd-turbo', width: 2048, height: 2048 };
    expect((await imageGenOperation.check!(sd)).memory!.bytes).toBeGreaterThan(BUDGET);
    const refused = await submit(budgeted, 'image-gen', sd);
    expect(refused.status).toBe(400);
    expect(errorOf(refused).message).toMatch(/^image-gen needs about \d+(\.\d)? GiB of memory for a picture of 2048×2048 with tiny-sd-turbo; the memory budget is 1 GiB/);
    const accepted = await submit(budgeted, 'image-gen', { prompt: 'a red circle', model: 'tiny-builtin', width: 256, height: 256, seed: 1 });
    expect(accepted.status).toBe(202);
  });

  it("checks image-gen's model limits at submit: 2048 px from the built-in kind of model is refused, no job", async () => {
    const before = (await jobsOf(unbudgeted)).length;
    const refused = await submit(unbudgeted, 'image-gen', { prompt: 'a red circle', model: 'tiny-builtin', width: 2048, height: 2048 });
    expect(refused.status).toBe(400);
    expect(errorOf(refused)).toEqual({ code: 'INVALID_PARAMS', pointer: '/width', message: 'image-gen: tiny-builtin makes pictures up to 1024 px a side; 2048x2048 asked' });
    expect((await jobsOf(unbudgeted)).length).toBe(before);
  });
});
