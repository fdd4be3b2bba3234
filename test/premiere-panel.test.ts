// The Premiere Pro panel, as built for UXP, running in headless Chromium against a real
// Framewright server. `require('premierepro')` and `require('uxp')` are answered by the typed
// fake of the Premiere Pro module (bundled for the page), which records what the panel did to
// the project. Screenshots go to test-artifacts/.
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve } from 'node:path';
import { build } from 'esbuild';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { WebSocketServer, type WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFile, writeFile } from 'node:fs/promises';
// The server with a fake registry: internals, so everything from core's sources (one set of types).
import { FramewrightError, WS_SUBPROTOCOL } from '../packages/core/src/protocol/index.js';
import { OPERATION_REGISTRY, type Operation } from '../packages/core/src/ops/index.js';
import { startServer, type RunningServer } from '../packages/core/src/server/index.js';
import { encodePng } from '../packages/premiere-uxp/scripts/icons.js';
import { buildPlugin } from '../packages/premiere-uxp/scripts/build-plugin.js';
import type { FakeScenario, FakeState } from '../packages/premiere-uxp/test/fake-premiere.js';
import { makeVideo, tempDir, type GeneratedVideo } from './helpers/media.js';

const ARTIFACTS = resolve(import.meta.dirname, '..', 'test-artifacts');
const FAKE_MODULE = resolve(import.meta.dirname, '..', 'packages', 'premiere-uxp', 'test', 'fake-premiere.ts');
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.png': 'image/png' };

let work: string;
let pluginDir: string;
let fakeScript: string;
let pages: Server;
let origin: string;
let server: RunningServer;
let oldServer: WebSocketServer;
/** A server whose image-gen and video-gen are stand-ins that write real files, for the placement paths. */
let genServer: RunningServer;
let context: BrowserContext;
let shots: GeneratedVideo;
let long: GeneratedVideo;

/** Serves the built plugin folder, as UXP would load it, on a loopback origin. */
function servePlugin(dir: string): Promise<Server> {
  const http = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    readFile(join(dir, path === '/' ? 'index.html' : path.slice(1)))
      .then((body) => res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' }).end(body))
      .catch(() => res.writeHead(404).end());
  });
  return new Promise((done) => http.listen(0, '127.0.0.1', () => done(http)));
}

/** A WebSocket server that speaks only a future protocol version. */
function futureServer(): Promise<WebSocketServer> {
  return new Promise((done) => {
    const wss: WebSocketServer = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: () => WS_SUBPROTOCOL }, () => done(wss));
    wss.on('connection', (ws: WebSocket) => {
      ws.on('message', (data: Buffer) => {
        const request = JSON.parse(String(data)) as { id: number };
        const error = new FramewrightError('UNSUPPORTED_VERSION', 'no common protocol version: peer offers [1.0], this side speaks [2.0]');
        ws.send(JSON.stringify({ jsonrpc: '2.0', id: request.id, error: { code: -32000, message: error.message, data: error.toWire() } }));
      });
    });
  });
}

/** Opens the panel with the fake Premiere Pro in `scenario`. */
async function openPanel(scenario: FakeScenario): Promise<Page> {
  const page = await context.newPage();
  await page.addInitScript(`${fakeScript}
    window.__fake = __createFakePremiere(${JSON.stringify(scenario)});
    const saved = new Map();
    const uxp = { storage: { secureStorage: {
      getItem: async (k) => { if (!saved.has(k)) throw new Error('no such key'); return new TextEncoder().encode(saved.get(k)); },
      setItem: async (k, v) => { saved.set(k, String(v)); },
      removeItem: async (k) => { saved.delete(k); },
    } } };
    window.require = (id) => { if (id === 'premierepro') return window.__fake.module; if (id === 'uxp') return uxp; throw new Error('no module ' + id); };
    window.__fractions = [];
    new MutationObserver((records) => { for (const r of records) window.__fractions.push(Number(r.target.getAttribute('data-fraction'))); })
      .observe(document, { subtree: true, attributes: true, attributeFilter: ['data-fraction'] });`);
  await page.goto(`${origin}/index.html`);
  await page.waitForSelector('#fw-connect');
  return page;
}

async function connect(page: Page, url: string, token: string): Promise<void> {
  await page.fill('#fw-url', url);
  await page.fill('#fw-token', token);
  await page.click('#fw-connect');
  await page.waitForFunction(() => document.querySelector('#fw-status')?.getAttribute('data-state') !== 'connecting');
}

const stateOf = (page: Page) => page.evaluate(() => (window as unknown as { __fake: { state: FakeState } }).__fake.state);
const textOf = async (page: Page, selector: string) => (await page.textContent(selector)) ?? '';

function expectUnchanged(state: FakeState): void {
  expect({ bins: state.bins, imports: state.imports, transactions: state.transactions, markers: state.markers, timeline: state.timeline }).toEqual({ bins: [], imports: [], transactions: [], markers: [], timeline: [] });
}

beforeAll(async () => {
  work = tempDir('fw-premiere-');
  mkdirSync(ARTIFACTS, { recursive: true });
  const [plugin, fake, a, b] = await Promise.all([
    buildPlugin(join(work, 'plugin')),
    build({ stdin: { contents: `import { createFakePremiere } from ${JSON.stringify(FAKE_MODULE)}; globalThis.__createFakePremiere = createFakePremiere;`, resolveDir: work, loader: 'ts' }, bundle: true, format: 'iife', platform: 'browser', write: false, logLevel: 'silent' }),
    makeVideo(work, 'shots', { segments: [{ source: 'testsrc2', frames: 50 }, { source: 'smptehdbars', frames: 50 }, { source: 'mandelbrot', frames: 50 }], fps: '25' }),
    // Flat colours encode fast but still take clip-cut seconds to decode: time to cancel mid-job.
    makeVideo(work, 'long', { segments: [{ source: 'color=c=gray', frames: 1500 }, { source: 'color=c=navy', frames: 1500 }], fps: '25', width: 640, height: 360 }),
  ]);
  expect(plugin).toContain('main.js');
  pluginDir = join(work, 'plugin');
  fakeScript = fake.outputFiles[0]!.text;
  [shots, long] = [a, b];
  pages = await servePlugin(pluginDir);
  origin = `http://127.0.0.1:${(pages.address() as AddressInfo).port}`;
  // image-gen stays refused on this server whatever image models are installed: the panel's
  // unavailable state is under test.
  const refusedImageGen: Operation<'image-gen'> = {
    name: 'image-gen',
    availability: async () => ({ available: false, reason: 'not served by this test server' }),
    run: () => Promise.reject(new FramewrightError('OPERATION_UNAVAILABLE', 'not served by this test server')),
  };
  server = await startServer({
    port: 0, outputRoot: join(work, 'out'), configDir: join(work, 'config'), dataDir: join(work, 'data'), allowedOrigins: [origin],
    registry: { ...OPERATION_REGISTRY, 'image-gen': refusedImageGen },
  });
  oldServer = await futureServer();
  const videoGen: Operation<'video-gen'> = {
    name: 'video-gen',
    availability: async () => ({ available: true }),
    async run(_params, ctx) {
      ctx.onProgress({ stage: 'generate', fraction: 0.5 });
      const path = join(ctx.outputDir, 'generated.mp4');
      await copyFile(shots.path, path);
      return { path, frames: 150, fps: 25, width: 320, height: 180, durationSeconds: 6, warnings: [], files: [path] };
    },
  };
  const imageGen: Operation<'image-gen'> = {
    name: 'image-gen',
    availability: async () => ({ available: true }),
    async run(_params, ctx) {
      const images = await Promise.all([0, 1].map(async (seed) => {
        const path = join(ctx.outputDir, `image-${seed}.png`);
        await writeFile(path, encodePng(8, 8, new Uint8Array(8 * 8 * 4).fill(200)));
        return { path, width: 8, height: 8, seed };
      }));
      return { model: 'stand-in', images, warnings: [], files: images.map((i) => i.path) };
    },
  };
  genServer = await startServer({
    port: 0, outputRoot: join(work, 'gen-out'), configDir: join(work, 'gen-config'), dataDir: join(work, 'gen-data'), allowedOrigins: [origin],
    registry: { ...OPERATION_REGISTRY, 'video-gen': videoGen, 'image-gen': imageGen },
  });
  context = await chromium.launchPersistentContext(join(work, 'profile'), {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    viewport: { width: 360, height: 720 },
  });
}, 120_000);

afterAll(async () => {
  await context?.close();
  await server?.close();
  await genServer?.close();
  oldServer?.close();
  pages?.close();
});

describe('Premiere Pro panel in Chromium against a real server', () => {
  it('runs clip-cut on the selected clip with progress and adds sequence markers at the cuts', async () => {
    const clip = { mediaPath: shots.path, name: 'shots.mp4', startSeconds: 5, inSeconds: 0, outSeconds: 6 };
    const page = await openPanel({ selection: [clip] });
    await connect(page, server.wsUrl, server.token);
    expect(await textOf(page, '#fw-status')).toMatch(/^Connected to framewright .* \(protocol 1\.1\)$/);
    // image-gen and video-gen are not served yet: the panel says so and will not run them.
    await page.click('#fw-tab-image-gen');
    expect(await textOf(page, '#fw-tab-image-gen')).toBe('image-gen (unavailable)');
    expect(await textOf(page, '#fw-unavailable')).toMatch(/^image-gen is not available on this server: .+/);
    expect(await page.isDisabled('#fw-run')).toBe(true);
    await page.click('#fw-tab-clip-cut');
    await page.click('#fw-run');
    await page.waitForFunction(() => document.querySelector('#fw-message')?.getAttribute('data-kind') !== 'info', undefined, { timeout: 45_000 });
    expect(await textOf(page, '#fw-message')).toBe('clip-cut finished: 3 clips, 2 cuts; 2 markers added to Sequence 01');
    expect(await page.inputValue('#fw-clip-cut-input')).toBe(shots.path);
    const fractions = await page.evaluate(() => (window as unknown as { __fractions: number[] }).__fractions);
    expect(fractions.some((f) => f > 0 && f < 1)).toBe(true);
    expect(await textOf(page, '#fw-progress-text')).toBe('Finished');
    const state = await stateOf(page);
    expect(state.markers.map((m) => [m.name, m.startSeconds])).toEqual([['Cut 1', 5 + 50 / 25], ['Cut 2', 5 + 100 / 25]]);
    expect(state.transactions).toEqual([{ label: 'Framewright: 2 cut markers', actions: ['add marker Cut 1', 'add marker Cut 2'] }]);
    expect(await textOf(page, '#fw-results .fw-summary')).toMatch(/^clip-cut finished/);
    expect(await page.locator('#fw-results .fw-files li').allTextContents()).toEqual(['shots.json']);
    await page.screenshot({ path: join(ARTIFACTS, 'premiere-panel.png'), fullPage: true });
    await page.close();
  });

  it('inserts a generated video at the playhead and imports generated images into the Framewright bin', async () => {
    const page = await openPanel({ playerSeconds: 3 });
    await connect(page, genServer.wsUrl, genServer.token);
    await page.click('#fw-tab-video-gen');
    await page.selectOption('#fw-video-gen-mode', 'text-to-video');
    await page.fill('#fw-video-gen-prompt', 'a lighthouse at dusk');
    await page.selectOption('#fw-placement', 'overwrite');
    await page.click('#fw-run');
    await page.waitForFunction(() => document.querySelector('#fw-message')?.getAttribute('data-kind') !== 'info', undefined, { timeout: 30_000 });
    expect(await textOf(page, '#fw-message')).toBe('video-gen finished: 150 frames, overwritten at 3.00 s');
    await page.click('#fw-tab-image-gen');
    await page.fill('#fw-image-gen-prompt', 'a lighthouse');
    await page.click('#fw-run');
    await page.waitForFunction(() => document.querySelector('#fw-message')?.textContent?.startsWith('image-gen'), undefined, { timeout: 30_000 });
    expect(await textOf(page, '#fw-message')).toBe('image-gen finished: 2 images imported into the Framewright bin');
    const state = await stateOf(page);
    expect(state.timeline).toEqual([{ mode: 'overwrite', name: 'generated.mp4', atSeconds: 3, videoTrack: 0, audioTrack: 0 }]);
    expect(state.items.map((i) => [i.name, i.bin])).toEqual([['generated.mp4', 'Framewright'], ['image-0.png', 'Framewright'], ['image-1.png', 'Framewright']]);
    expect(state.transactions.map((t) => t.label)).toEqual(['Framewright: create Framewright bin', 'Framewright: overwrite generated.mp4']);
    await page.close();
  });

  it('cancels a running clip-cut and changes nothing in the project', async () => {
    const page = await openPanel({ selection: [{ mediaPath: long.path, startSeconds: 0, inSeconds: 0, outSeconds: 120 }] });
    await connect(page, server.wsUrl, server.token);
    await page.click('#fw-run');
    await page.waitForFunction(() => (window as unknown as { __fractions: number[] }).__fractions.some((f) => f > 0), undefined, { timeout: 30_000 });
    await page.click('#fw-cancel');
    await page.waitForFunction(() => document.querySelector('#fw-progress-text')?.textContent === 'Cancelled', undefined, { timeout: 30_000 });
    expect(await textOf(page, '#fw-message')).toBe('Cancelled: the job was stopped and nothing was changed in the project.');
    expectUnchanged(await stateOf(page));
    expect(await page.isDisabled('#fw-cancel')).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'premiere-panel-cancelled.png'), fullPage: true });
    await page.close();
  });

  it('says clearly when the server is down, the token is wrong or the protocol version is not supported', async () => {
    const page = await openPanel({ selection: [{ mediaPath: shots.path, startSeconds: 0, inSeconds: 0, outSeconds: 6 }] });
    const closed = await servePlugin(pluginDir);
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise((done) => closed.close(done));
    await connect(page, `ws://127.0.0.1:${deadPort}/v1/ws`, server.token);
    expect(await page.getAttribute('#fw-status', 'data-state')).toBe('error');
    expect(await textOf(page, '#fw-message')).toBe(`Server not reachable: no Framewright server is listening at ws://127.0.0.1:${deadPort}/v1/ws: start one with \`framewright serve\``);

    await connect(page, server.wsUrl, 'not-the-token');
    expect(await textOf(page, '#fw-message')).toMatch(/^Connection refused: the server at .* is running but refused the WebSocket connection: the token is wrong/);

    await connect(page, `ws://127.0.0.1:${(oldServer.address() as AddressInfo).port}/v1/ws`, server.token);
    expect(await textOf(page, '#fw-message')).toMatch(/^Protocol version not supported: this panel speaks 1\.1, 1\.0 and the server does not \(.*speaks \[2\.0\].*\)/);
    expect(await page.isDisabled('#fw-run')).toBe(true);
    expectUnchanged(await stateOf(page));
    await page.close();
  });

  it('refuses to run without an active sequence or a selected clip, changing nothing', async () => {
    const cases: [FakeScenario, string][] = [
      [{ sequence: false }, 'Premiere Pro: no active sequence: open a sequence in the Timeline panel first'],
      [{ selection: [] }, 'Premiere Pro: no clip is selected in sequence "Sequence 01": select the clip to cut in the timeline'],
    ];
    for (const [scenario, text] of cases) {
      const page = await openPanel(scenario);
      await connect(page, server.wsUrl, server.token);
      await page.click('#fw-run');
      await page.waitForFunction(() => document.querySelector('#fw-message')?.getAttribute('data-kind') === 'error');
      expect(await textOf(page, '#fw-message')).toBe(text);
      expect(await page.evaluate(() => (window as unknown as { __fractions: number[] }).__fractions)).toEqual([]);
      expectUnchanged(await stateOf(page));
      await page.close();
    }
  });
});
