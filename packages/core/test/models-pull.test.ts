// `framewright models pull` against a stand-in Hub on loopback (test/helpers/test-hub.ts): the
// same requests huggingface_hub makes, a CDN on another origin, a cut connection, a bad hash.
import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { EXIT } from '../src/cli/exit-codes.js';
import { listInstalledModels, pullModel, verifyModelPack } from '../src/models/index.js';
import { captureIo } from './helpers/captured-io.js';
import { filesOfFolder, startTestHub, type HubFile, type HubRepo, type TestHub } from './helpers/test-hub.js';
import { writeTinySdTurboPack } from './helpers/tiny-packs.js';

let work: string;
let sdFiles: HubFile[];
const hubs: TestHub[] = [];

const SD_CARD = { license: 'other', license_name: 'sai-nc-community', license_link: 'https://huggingface.co/stabilityai/sd-turbo/blob/main/LICENSE.md' };

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'fw-pull-'));
  const src = join(work, 'src');
  writeTinySdTurboPack(src);
  // What the real repositories hold besides the models the pipeline reads.
  writeFileSync(join(src, 'model_index.json'), JSON.stringify({ _class_name: 'ORTStableDiffusionPipeline', _diffusers_version: '0.24.0' }));
  writeFileSync(join(src, 'README.md'), `---\nlicense: other\nlicense_name: sai-nc-community\n---\n# tiny\n`);
  sdFiles = [...filesOfFolder(src, (p) => p === 'framewright-model.json'), { path: 'vae_encoder/model.onnx', bytes: readFileSync(join(src, 'vae_decoder', 'model.onnx')) }, { path: 'scheduler/scheduler_config.json', bytes: new TextEncoder().encode(JSON.stringify({ num_train_timesteps: 1000, timestep_spacing: 'trailing' })) }];
});
afterEach(async () => {
  await Promise.all(hubs.splice(0).map((h) => h.close()));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

let n = 0;
function freshDir(): string {
  const dir = join(work, `models-${n++}`);
  return dir;
}

async function hub(repos: HubRepo[], options: Parameters<typeof startTestHub>[1] = {}): Promise<TestHub> {
  const h = await startTestHub(repos, options);
  hubs.push(h);
  return h;
}

async function cli(args: string[], env: Record<string, string>) {
  const io = captureIo(work, { env: { FRAMEWRIGHT_CONFIG_DIR: join(work, 'config'), ...env } });
  const code = await main(args, io);
  return { code, out: io.out, err: io.err };
}

const sdRepo = (extra: Partial<HubRepo> = {}): HubRepo => ({ id: 'test-org/sd-turbo-tiny', files: sdFiles, cardData: SD_CARD, ...extra });

describe('models pull', () => {
  it('pulls only the files the family needs from HF_ENDPOINT, verified, and records where they came from', async () => {
    const h = await hub([sdRepo()]);
    const into = freshDir();
    const { code, out, err } = await cli(['models', 'pull', 'test-org/sd-turbo-tiny', '--accept-licence', '--into', into], { HF_ENDPOINT: h.endpoint });
    expect(err).toContain('licence: sai-nc-community (https://huggingface.co/stabilityai/sd-turbo/blob/main/LICENSE.md)');
    expect(code).toBe(0);
    expect(out).toMatch(/^pulled test-org\/sd-turbo-tiny@[0-9a-f]{12} into .*sd-turbo-tiny: 7 files, 44.8 KB, [0-9.]+ [KM]B\/s, verified$/m);
    const dir = join(into, 'sd-turbo-tiny');
    const report = await verifyModelPack(dir);
    expect(report.ok).toBe(true);
    expect(existsSync(join(dir, 'vae_encoder'))).toBe(false);
    expect(existsSync(join(dir, 'README.md'))).toBe(false);
    const manifest = (await listInstalledModels({ modelDirs: [into], env: {} }))[0]!;
    expect(manifest).toMatchObject({ id: 'sd-turbo-tiny', family: 'sd-turbo', status: 'ok' });
    const pulled = await pullModel('test-org/sd-turbo-tiny', { into, acceptLicence: true, env: { HF_ENDPOINT: h.endpoint } });
    expect(pulled.upToDate).toBe(true);
    expect(pulled.manifest.source).toEqual({ endpoint: h.endpoint, repo: 'test-org/sd-turbo-tiny', revision: pulled.commit });
    expect(pulled.manifest.licence).toEqual({ name: 'sai-nc-community', url: SD_CARD.license_link });
    // Every request went to the stand-in: the API, HEADs of the resolve URLs, CDN GETs.
    expect(h.requests.filter((r) => r.server === 'hub' && r.url.startsWith('/api/models/test-org/sd-turbo-tiny/revision/main'))).toHaveLength(2);
    // The LFS files come from the CDN: the three models and vocab.json (over the LFS threshold).
    expect(h.requests.filter((r) => r.server === 'cdn' && r.method === 'GET')).toHaveLength(4);
  });

  it('draws progress on a terminal: bytes done and in all, rate, ETA', async () => {
    const h = await hub([sdRepo()]);
    const io = captureIo(work, { env: { FRAMEWRIGHT_CONFIG_DIR: join(work, 'config'), HF_ENDPOINT: h.endpoint }, tty: true, columns: 120 });
    expect(await main(['models', 'pull', 'test-org/sd-turbo-tiny', '--accept-licence', '--into', freshDir()], io)).toBe(0);
    expect(io.err).toMatch(/\r\x1b\[2Kpull {5}\[#+\] 100% {2}44\.8 KB \/ 44\.8 KB {2}[0-9.]+ [KM]B\/s {2}ETA 0:00/);
  });

  it('resumes a file whose connection was cut mid-file with Range, and verifies it', async () => {
    const unet = sdFiles.find((f) => f.path === 'unet/model.onnx')!;
    const cut = Math.floor(unet.bytes.length / 2);
    const h = await hub([sdRepo()], { cutAfter: { 'unet/model.onnx': cut } });
    const into = freshDir();
    const result = await pullModel('test-org/sd-turbo-tiny', { into, acceptLicence: true, env: { HF_ENDPOINT: h.endpoint } });
    const unetGets = h.requests.filter((r) => r.server === 'cdn' && r.method === 'GET' && r.url.includes(createdHash(unet)));
    expect(unetGets.map((r) => r.range)).toEqual([undefined, `bytes=${cut}-`]);
    expect((await verifyModelPack(result.dir)).ok).toBe(true);
  });

  it('refuses a file that does not match the Hub hash and leaves nothing behind', async () => {
    const h = await hub([sdRepo()], { corrupt: ['unet/model.onnx'] });
    const into = freshDir();
    const { code, err } = await cli(['models', 'pull', 'test-org/sd-turbo-tiny', '--accept-licence', '--into', into], { HF_ENDPOINT: h.endpoint });
    expect(code).toBe(EXIT.unavailable);
    expect(err.split('\n')[1]).toMatch(/^framewright: test-org\/sd-turbo-tiny\/unet\/model\.onnx does not match the Hub's hash \(sha256 [0-9a-f]{64}, the Hub says [0-9a-f]{64}\); it was deleted$/);
    expect(readdirSync(into)).toEqual([]);
  });

  it('refuses a small (git) file whose content does not match its git blob sha1', async () => {
    const h = await hub([sdRepo()], { corrupt: ['tokenizer/merges.txt'] });
    const into = freshDir();
    await expect(pullModel('test-org/sd-turbo-tiny', { into, acceptLicence: true, env: { HF_ENDPOINT: h.endpoint } })).rejects.toThrow(/tokenizer\/merges\.txt does not match the Hub's hash \(git sha1/);
    expect(readdirSync(into)).toEqual([]);
  });

  it('sends HF_TOKEN to the Hub only (not to the CDN it redirects to) and never prints it', async () => {
    const token = 'hf_testtokenSECRET0123456789';
    const h = await hub([sdRepo({ gated: 'manual' })], { token });
    const into = freshDir();
    const refused = await cli(['models', 'pull', 'test-org/sd-turbo-tiny', '--accept-licence', '--into', into], { HF_ENDPOINT: h.endpoint });
    expect(refused.code).toBe(EXIT.unavailable);
    expect(refused.err).toContain('is private or gated');
    expect(refused.err).toContain('set HF_TOKEN');
    const before = h.requests.length;
    const { code, out, err } = await cli(['models', 'pull', 'test-org/sd-turbo-tiny', '--accept-licence', '--into', into, '--json'], { HF_ENDPOINT: h.endpoint, HF_TOKEN: token, FRAMEWRIGHT_DEBUG: '1' });
    expect(code).toBe(0);
    const requests = h.requests.slice(before);
    expect(requests.filter((r) => r.server === 'hub').every((r) => r.authorization === `Bearer ${token}`)).toBe(true);
    expect(requests.filter((r) => r.server === 'cdn').length).toBeGreaterThan(0);
    expect(requests.filter((r) => r.server === 'cdn').every((r) => r.authorization === undefined)).toBe(true);
    expect(out + err).not.toContain(token);
    expect(JSON.stringify(readdirSync(into, { recursive: true }))).not.toContain(token);
  });

  it('asks for --accept-licence for a non-commercial licence before downloading anything', async () => {
    const h = await hub([sdRepo()]);
    const into = freshDir();
    const { code, err } = await cli(['models', 'pull', 'test-org/sd-turbo-tiny', '--into', into], { HF_ENDPOINT: h.endpoint });
    expect(code).toBe(EXIT.usage);
    expect(err).toContain('framewright: test-org/sd-turbo-tiny is published under the licence sai-nc-community, and it does not allow commercial use; read it at https://huggingface.co/stabilityai/sd-turbo/blob/main/LICENSE.md and run again with --accept-licence');
    expect(h.requests.filter((r) => r.server === 'cdn')).toEqual([]);
    expect(existsSync(into)).toBe(false);
  });

  it('pulls an MIT repository without --accept-licence, following a relative redirect of a renamed repo', async () => {
    const h = await hub([sdRepo({ id: 'test-org/sd-turbo-mit', cardData: { license: 'mit' }, renamedFrom: ['old-org/sd-turbo-mit'] })]);
    const into = freshDir();
    const result = await pullModel('old-org/sd-turbo-mit', { into, env: { HF_ENDPOINT: h.endpoint } });
    expect(result.licence).toEqual({ name: 'mit', url: `${h.endpoint}/test-org/sd-turbo-mit` });
    expect(result.dir).toBe(join(into, 'sd-turbo-mit'));
    expect(h.requests.some((r) => r.server === 'hub' && r.url.startsWith('/old-org/sd-turbo-mit/resolve/'))).toBe(true);
  });

  it('says in one line that the Hub cannot be reached, and what to do (exit 7)', async () => {
    const h = await hub([sdRepo()]);
    const endpoint = h.endpoint;
    await h.close();
    hubs.splice(hubs.indexOf(h), 1);
    const { code, err } = await cli(['models', 'pull', 'test-org/sd-turbo-tiny', '--accept-licence', '--into', freshDir()], { HF_ENDPOINT: endpoint });
    expect(code).toBe(EXIT.unavailable);
    expect(err).toBe(`framewright: cannot reach the Hub at ${endpoint} (ECONNREFUSED): check the connection (or HF_ENDPOINT) and run the same command again, finished files are kept; without internet, copy an export here and run \`framewright models import DIR\`\n`);
    const offline = await cli(['models', 'pull', 'test-org/sd-turbo-tiny'], { HF_ENDPOINT: endpoint, HF_HUB_OFFLINE: '1' });
    expect(offline.code).toBe(EXIT.unavailable);
    expect(offline.err).toBe('framewright: HF_HUB_OFFLINE is set, so nothing is downloaded: unset it to pull, or copy an export here and run `framewright models import DIR`\n');
  });

  it('says so in one line when the Hub name does not resolve (DNS)', async () => {
    const { code, err } = await cli(['models', 'pull', 'test-org/sd-turbo-tiny', '--into', freshDir()], { HF_ENDPOINT: 'http://framewright-test.invalid' });
    expect(code).toBe(EXIT.unavailable);
    expect(err).toMatch(/^framewright: cannot reach the Hub at http:\/\/framewright-test\.invalid \((ENOTFOUND|EAI_AGAIN)\): check the connection \(or HF_ENDPOINT\)[^\n]*\n$/);
  });

  it('Ctrl+C stops a pull: exit 130, no pack, the staged bytes kept for the next pull', async () => {
    const unet = sdFiles.find((f) => f.path === 'unet/model.onnx')!;
    const h = await hub([sdRepo()], { stallAfter: { 'unet/model.onnx': 100 } });
    const into = freshDir();
    const io = captureIo(work, { env: { FRAMEWRIGHT_CONFIG_DIR: join(work, 'config'), HF_ENDPOINT: h.endpoint } });
    const running = main(['models', 'pull', 'test-org/sd-turbo-tiny', '--accept-licence', '--into', into], io);
    const part = join(into, '.sd-turbo-tiny.pull', 'unet', 'model.onnx.incomplete');
    while (!(existsSync(part) && statSync(part).size === 100)) await new Promise((r) => setTimeout(r, 10));
    io.interrupt();
    expect(await running).toBe(EXIT.cancelled);
    expect(io.err).toContain('framewright: the pull of test-org/sd-turbo-tiny was cancelled (the files so far are kept: run the same pull again to resume)\n');
    expect(await listInstalledModels({ modelDirs: [into], env: {} })).toEqual([]);
    const result = await pullModel('test-org/sd-turbo-tiny', { into, acceptLicence: true, env: { HF_ENDPOINT: h.endpoint } });
    expect(result.resumedBytes).toBeGreaterThanOrEqual(100);
    expect(h.requests.filter((r) => r.server === 'cdn' && r.url.includes(createdHash(unet))).map((r) => r.range)).toEqual([undefined, 'bytes=100-']);
  });

  it('names a repository or revision the Hub does not have', async () => {
    const h = await hub([sdRepo()]);
    await expect(pullModel('test-org/nope', { into: freshDir(), env: { HF_ENDPOINT: h.endpoint } })).rejects.toThrow(`test-org/nope@main is not on the Hub at ${h.endpoint}: no such repository (or it is private: set HF_TOKEN)`);
    await expect(pullModel('test-org/sd-turbo-tiny@v9', { into: freshDir(), env: { HF_ENDPOINT: h.endpoint } })).rejects.toThrow('test-org/sd-turbo-tiny@v9 is not on the Hub at ' + h.endpoint + ': no such revision');
    await expect(pullModel('not a repo', {})).rejects.toThrow('"not a repo" is not a Hub repository (owner/name, optionally @revision)');
  });

  it('fetches only the --include files, and they still have to make a pack', async () => {
    const h = await hub([sdRepo()]);
    await expect(pullModel('test-org/sd-turbo-tiny', { into: freshDir(), acceptLicence: true, include: ['unet/*'], env: { HF_ENDPOINT: h.endpoint } })).rejects.toThrow(
      'the files of test-org/sd-turbo-tiny@main matching --include is not a complete diffusers ONNX export (Optimum or onnxruntime): text_encoder/model.onnx, vae_decoder/model.onnx, tokenizer/vocab.json, tokenizer/merges.txt are missing',
    );
    const result = await pullModel('test-org/sd-turbo-tiny', { into: freshDir(), acceptLicence: true, include: ['*/model.onnx', 'tokenizer/*', 'README.md'], env: { HF_ENDPOINT: h.endpoint } });
    expect([...result.files].sort()).toEqual(['README.md', 'text_encoder/model.onnx', 'tokenizer/merges.txt', 'tokenizer/vocab.json', 'unet/model.onnx', 'vae_decoder/model.onnx', 'vae_encoder/model.onnx']);
  });
});

describe('models pull, killed', () => {
  it('leaves no pack when SIGKILLed mid-download, and the next pull resumes the staged bytes', async () => {
    const unet = sdFiles.find((f) => f.path === 'unet/model.onnx')!;
    const stall = Math.floor(unet.bytes.length / 3);
    const h = await hub([sdRepo()], { stallAfter: { 'unet/model.onnx': stall } });
    const into = freshDir();
    const tsx = join(import.meta.dirname, '..', '..', '..', 'node_modules', '.bin', 'tsx');
    const child = spawn(tsx, [join(import.meta.dirname, 'helpers', 'pull-child.ts'), 'test-org/sd-turbo-tiny', into, h.endpoint], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const staging = join(into, '.sd-turbo-tiny.pull');
    const part = join(staging, 'unet', 'model.onnx.incomplete');
    const others = ['model_index.json', 'scheduler/scheduler_config.json', 'text_encoder/model.onnx', 'tokenizer/merges.txt', 'tokenizer/vocab.json', 'vae_decoder/model.onnx'];
    // Wait until the stalled file holds its first bytes and every other file is verified and in
    // place beside it (they download concurrently), then kill without warning.
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if (existsSync(part) && statSync(part).size === stall && others.every((f) => existsSync(join(staging, f)))) {
          clearInterval(timer);
          resolve();
        }
      }, 20);
      child.on('exit', (code) => {
        clearInterval(timer);
        reject(new Error(`the pull ended (${code}) before it was killed: ${stderr}`));
      });
    });
    child.removeAllListeners('exit');
    const exited = new Promise((r) => child.on('exit', r));
    child.kill('SIGKILL');
    await exited;
    expect(readdirSync(into)).toEqual(['.sd-turbo-tiny.pull']);
    expect(await listInstalledModels({ modelDirs: [into], env: {} })).toEqual([]);
    const before = h.requests.length;
    const result = await pullModel('test-org/sd-turbo-tiny', { into, acceptLicence: true, env: { HF_ENDPOINT: h.endpoint } });
    expect(result.resumedBytes).toBeGreaterThanOrEqual(stall);
    const unetGets = h.requests.slice(before).filter((r) => r.server === 'cdn' && r.method === 'GET' && r.url.includes(createdHash(unet)));
    expect(unetGets.map((r) => r.range)).toEqual([`bytes=${stall}-`]);
    expect((await verifyModelPack(result.dir)).ok).toBe(true);
    expect(readdirSync(into)).toEqual(['sd-turbo-tiny']);
  });
});

function createdHash(file: HubFile): string {
  return createHash('sha256').update(file.bytes).digest('hex');
}
