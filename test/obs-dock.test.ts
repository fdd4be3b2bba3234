// The OBS dock page in a real browser (headless Chromium, as OBS's browser docks are Chromium):
// served by the real server at /dock/, connected through the SDK client, running clip-cut. Against
// a plain server and a `serve --queue` one whose jobs a `framewright worker` process runs.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listCapabilities, startServer } from '@framewright/core';
import { dockFolder, servedPages } from '@framewright/obs-plugin';
import { SERVER_KINDS, startCluster, type ServerKind, type TestCluster } from './helpers/cluster.js';
import { makeVideo, type GeneratedVideo } from './helpers/media.js';

const run = promisify(execFile);
const CHROMIUM = '/usr/bin/chromium';
const browserMissing = existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is not installed`;
if (browserMissing) console.warn(`skipping the dock browser test: ${browserMissing}`);

/** The status of a GET sent with exactly this path. */
function rawStatus(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', reject);
  });
}

/** Builds the dock when its bundle is missing or older than its sources. */
async function ensureDockBuilt(): Promise<void> {
  const folder = dockFolder();
  const sources = ['dock.ts', 'view-model.ts', 'index.html'].map((f) => statSync(join(__dirname, '..', 'packages', 'obs-plugin', 'src', 'dock', f)).mtimeMs);
  if (folder && statSync(join(folder, 'dock.js')).mtimeMs >= Math.max(...sources)) return;
  await run('npm', ['run', 'build', '-w', '@framewright/obs-plugin'], { cwd: join(__dirname, '..'), maxBuffer: 1 << 24 });
}

describe.skipIf(browserMissing !== undefined)('the OBS dock page', () => {
  const root = mkdtempSync(join(tmpdir(), 'fw-dock-'));
  const outputRootOf = (kind: ServerKind) => join(root, kind, 'out');
  let browser: Browser;
  /** The queue server's worker; it takes every operation this machine runs, so that server offers what the in-process one does. */
  let cluster: TestCluster;
  let video: GeneratedVideo;
  let long: GeneratedVideo;

  beforeAll(async () => {
    [, browser, cluster, video, long] = await Promise.all([
      ensureDockBuilt(),
      chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] }),
      startCluster(join(root, 'cluster'), outputRootOf('queue')),
      makeVideo(root, 'dock input', { segments: [{ source: 'testsrc2', frames: 30 }, { source: 'smptehdbars', frames: 30 }, { source: 'color=c=0x2050d0', frames: 30 }] }),
      // Flat colours encode in a moment but still take clip-cut seconds to decode and re-encode.
      makeVideo(root, 'long input', { segments: [{ source: 'color=c=red', frames: 1500 }, { source: 'color=c=blue', frames: 1500 }], width: 640, height: 360 }),
    ]);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await cluster?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('is one browser bundle that pulls in no Node built-ins', () => {
    const bundle = readFileSync(join(dockFolder() as string, 'dock.js'), 'utf8');
    expect(bundle).not.toMatch(/\bfrom\s*["']node:|\bimport\(\s*["']node:|require\(\s*["'](node:)?(fs|child_process|path|os|net|http|crypto)["']\)/);
    expect(bundle).toContain('framewright-obs-dock');
  });

  describe.each(SERVER_KINDS)('served by a %s server', (kind) => {
    let server: Awaited<ReturnType<typeof startServer>>;
    let page: Page;

    beforeAll(async () => {
      const dir = join(root, kind);
      server = await startServer({ port: 0, outputRoot: outputRootOf(kind), configDir: join(dir, 'config'), dataDir: join(dir, 'data'), pages: servedPages(), ...(kind === 'queue' ? { queue: cluster.url } : {}) });
      page = await browser.newPage();
    });

    afterAll(async () => {
      await page?.close();
      await server?.close();
    });

    it('is served without the token, while the API still needs it and other paths stay closed', async () => {
      const dock = await fetch(`${server.url}/dock/`);
      expect(dock.status).toBe(200);
      expect(dock.headers.get('content-type')).toContain('text/html');
      expect((await fetch(`${server.url}/dock`, { redirect: 'manual' })).headers.get('location')).toBe('/dock/');
      expect((await fetch(`${server.url}/dock/dock.js`)).headers.get('content-type')).toContain('text/javascript');
      // Raw paths (fetch would normalise the dots before sending): climbing out of the dock folder
      // either leaves /dock/ (then the token is required) or is refused inside it.
      expect(await rawStatus(server.port, '/dock/%2e%2e/%2e%2e/package.json')).toBe(401);
      expect(await rawStatus(server.port, '/dock/../../package.json')).toBe(401);
      expect(await rawStatus(server.port, '/dock/..%2F..%2Fpackage.json')).toBe(404);
      expect(await rawStatus(server.port, '/dock/..%5C..%5Cpackage.json')).toBe(404);
      expect((await fetch(`${server.url}/v1/jobs`)).status).toBe(401);
    });

    it('connects with the token from its URL, lists what the server can run, and runs clip-cut with progress into the results', async () => {
      await page.goto(`${server.url}/dock/#token=${encodeURIComponent(server.token)}`);
      await page.waitForFunction(() => document.getElementById('status')?.textContent?.startsWith('connected to'));
      const options = await page.$$eval('#op option', (list) => list.map((o) => ({ op: (o as HTMLOptionElement).value, disabled: (o as HTMLOptionElement).disabled })));
      const capabilities = await listCapabilities();
      for (const option of options) {
        expect(option.disabled, option.op).toBe(!capabilities.find((c) => c.op === option.op)?.available);
      }

      await page.selectOption('#op', 'clip-cut');
      await page.fill('#input', video.path);
      await page.click('#run');
      await page.waitForFunction(() => document.querySelector('#results li')?.textContent?.startsWith('clip-cut: 3 clips'), undefined, { timeout: 60_000 });
      const files = await page.$$eval('#results li:first-child small', (smalls) => smalls.map((s) => s.textContent ?? ''));
      expect(files.filter((f) => f.endsWith('.mp4'))).toHaveLength(3);
      expect(files.every((f) => f.startsWith(server.outputRoot))).toBe(true);
      expect(await page.textContent('#status')).toBe('clip-cut finished');
      // Behind a queue server the job ran in the worker process.
      if (kind === 'queue') expect(await cluster.lastJob()).toMatchObject({ job: { state: 'succeeded' }, worker: cluster.worker.info.id });
    }, 90_000);

    it('cancels a running job from the Cancel button', async () => {
      await page.selectOption('#op', 'clip-cut');
      await page.fill('#input', long.path);
      await page.click('#run');
      await page.waitForFunction(() => /%/.test(document.getElementById('progress-text')?.textContent ?? ''), undefined, { timeout: 30_000 });
      await page.click('#cancel');
      await page.waitForFunction(() => document.getElementById('status')?.dataset['kind'] === 'error', undefined, { timeout: 30_000 });
      expect(await page.textContent('#status')).toMatch(/^clip-cut failed: .*cancel/i);
      expect(await page.isDisabled('#run')).toBe(false);
      const { jobs } = (await (await fetch(`${server.url}/v1/jobs`, { headers: { authorization: `Bearer ${server.token}` } })).json()) as { jobs: { state: string }[] };
      expect(jobs.map((j) => j.state)).toContain('cancelled');
    }, 90_000);

    it('shows why a run cannot start instead of sending it', async () => {
      await page.selectOption('#op', 'clip-cut');
      await page.fill('#input', '');
      await page.click('#run');
      expect(await page.textContent('#status')).toBe('give the path of the video to cut');
      expect(await page.getAttribute('#status', 'data-kind')).toBe('error');
    });

    it('refuses to connect without a token in its URL, saying where to get one', async () => {
      await page.goto(`${server.url}/dock/`);
      await page.waitForFunction(() => document.getElementById('status')?.dataset['kind'] === 'error');
      expect(await page.textContent('#status')).toContain('framewright obs setup');
    });
  });
});
