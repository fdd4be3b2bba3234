// The Premiere Pro panel, as built for UXP, running in headless Chromium against a real
// Framewright server. `require('premierepro')` and `require('uxp')` are answered by the typed
// fake of the Premiere Pro module (bundled for the page), which records what the panel did to
// the project; UXP's Spectrum widgets (sp-*) by stand-ins with their interface
// (packages/premiere-uxp/test/fake-spectrum.ts). Every view and state is screenshot into
// test-artifacts/premiere/ (gitignored; docs/images/premiere-*.png are copies of a few).
// The clip-cut flows (markers with progress, cancel) run against a plain server and against a
// `serve --queue` one whose jobs a `framewright worker` process runs from Redis.
import { execFileSync } from 'node:child_process';
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
import { SERVER_KINDS, startCluster, type ServerKind, type TestCluster } from './helpers/cluster.js';
import { makeVideo, tempDir, type GeneratedVideo } from './helpers/media.js';

const ARTIFACTS = resolve(import.meta.dirname, '..', 'test-artifacts', 'premiere');
const FAKE_MODULE = resolve(import.meta.dirname, '..', 'packages', 'premiere-uxp', 'test', 'fake-premiere.ts');
const FAKE_SPECTRUM = resolve(import.meta.dirname, '..', 'packages', 'premiere-uxp', 'test', 'fake-spectrum.ts');
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.png': 'image/png' };

let work: string;
let pluginDir: string;
let fakeScript: string;
let pages: Server;
let origin: string;
let server: RunningServer;
/** A `serve --queue` server: clip-cut runs on the worker process of {@link cluster}. */
let queueServer: RunningServer;
let cluster: TestCluster;
/** The server of each kind, for the flows that run against both. */
const serverOf = (kind: ServerKind): RunningServer => (kind === 'queue' ? queueServer : server);
let oldServer: WebSocketServer;
/** A server whose image-gen and video-gen are stand-ins that write real files, for the placement paths. */
let genServer: RunningServer;
let context: BrowserContext;
let shots: GeneratedVideo;
let long: GeneratedVideo;
/** What the stand-in generators were asked. */
const asked: { op: string; params: unknown }[] = [];

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
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.addInitScript(`${fakeScript}
    __defineFakeSpectrum();
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
  await page.waitForSelector('#fw-connect', { state: 'attached', timeout: 10_000 }).catch(async (error: Error) => {
    throw new Error(`the panel did not render: ${errors.join('; ') || (await page.textContent('body'))} (${error.message})`);
  });
  return page;
}

/** Opens Engine, types the address and token, connects, and comes back to `view`. */
async function connect(page: Page, url: string, token: string, view = 'detect'): Promise<void> {
  const { hostname, port } = new URL(url);
  await page.click('#fw-tab-settings');
  await page.fill('#fw-host input', hostname);
  await page.fill('#fw-port input', port);
  await page.fill('#fw-token input', token);
  await page.click('#fw-connect');
  await page.waitForFunction(() => document.querySelector('#fw-status')?.getAttribute('data-state') !== 'connecting');
  await page.click(`#fw-tab-${view}`);
}

/** Screenshots the panel as `name`.png. */
async function shoot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** Waits until the job area's message is not the running one. */
async function finished(page: Page, ms = 45_000): Promise<string> {
  await page.waitForFunction(() => {
    const m = document.querySelector('#fw-message');
    return m !== null && m.getAttribute('data-kind') !== 'info' || document.querySelector('#fw-progress-text')?.textContent === 'Cancelled';
  }, undefined, { timeout: ms });
  return textOf(page, '#fw-message');
}

/** Whether an sp-* widget is disabled (UXP's widgets take the `disabled` attribute). */
const disabled = async (page: Page, selector: string) => (await page.getAttribute(selector, 'disabled')) !== null;
const stateOf = (page: Page) => page.evaluate(() => (window as unknown as { __fake: { state: FakeState } }).__fake.state);
const textOf = async (page: Page, selector: string) => (await page.textContent(selector)) ?? '';

function expectUnchanged(state: FakeState): void {
  expect({ bins: state.bins, imports: state.imports, transactions: state.transactions, markers: state.markers, timeline: state.timeline }).toEqual({ bins: [], imports: [], transactions: [], markers: [], timeline: [] });
}

beforeAll(async () => {
  work = tempDir('fw-premiere-');
  mkdirSync(ARTIFACTS, { recursive: true });
  const [plugin, fake, a, b, c] = await Promise.all([
    buildPlugin(join(work, 'plugin')),
    build({
      stdin: {
        contents: `import { createFakePremiere } from ${JSON.stringify(FAKE_MODULE)}; import { defineFakeSpectrum } from ${JSON.stringify(FAKE_SPECTRUM)}; globalThis.__createFakePremiere = createFakePremiere; globalThis.__defineFakeSpectrum = defineFakeSpectrum;`,
        resolveDir: work,
        loader: 'ts',
      },
      bundle: true, format: 'iife', platform: 'browser', write: false, logLevel: 'silent',
    }),
    makeVideo(work, 'shots', { segments: [{ source: 'testsrc2', frames: 50 }, { source: 'smptehdbars', frames: 50 }, { source: 'mandelbrot', frames: 50 }], fps: '25' }),
    // Flat colours encode fast but still take clip-cut seconds to decode: time to cancel mid-job.
    makeVideo(work, 'long', { segments: [{ source: 'color=c=gray', frames: 1500 }, { source: 'color=c=navy', frames: 1500 }], fps: '25', width: 640, height: 360 }),
    // The worker takes clip-cut only: image-gen is refused on the queue server too.
    startCluster(join(work, 'cluster'), join(work, 'queue-out'), { ops: ['clip-cut'] }),
  ]);
  cluster = c;
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
  queueServer = await startServer({
    port: 0, outputRoot: join(work, 'queue-out'), configDir: join(work, 'queue-config'), dataDir: join(work, 'queue-data'), allowedOrigins: [origin], queue: cluster.url,
  });
  oldServer = await futureServer();
  const videoGen: Operation<'video-gen'> = {
    name: 'video-gen',
    availability: async () => ({ available: true }),
    async run(params, ctx) {
      asked.push({ op: 'video-gen', params });
      ctx.onProgress({ stage: 'generate', fraction: 0.5 });
      const path = join(ctx.outputDir, 'generated.mp4');
      await copyFile(shots.path, path);
      return { path, frames: 150, fps: 25, width: 320, height: 180, durationSeconds: 6, warnings: [], files: [path] };
    },
  };
  const imageGen: Operation<'image-gen'> = {
    name: 'image-gen',
    availability: async () => ({ available: true, models: ['framewright-shapes-32', 'sd-turbo-fp16'] }),
    async run(params, ctx) {
      asked.push({ op: 'image-gen', params });
      const images = await Promise.all([0].map(async (seed) => {
        const path = join(ctx.outputDir, `image-${seed}.png`);
        await writeFile(path, encodePng(8, 8, new Uint8Array(8 * 8 * 4).fill(200)));
        return { path, width: 8, height: 8, seed };
      }));
      return { model: 'stand-in', images, warnings: ['the built-in model does not know "lighthouse"; ignored'], files: images.map((i) => i.path) };
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
  await queueServer?.close();
  await cluster?.stop();
  await genServer?.close();
  oldServer?.close();
  pages?.close();
});

describe('Premiere Pro panel in Chromium against a real server', () => {
  it.each(SERVER_KINDS)('Detect scenes on the selected clip puts markers at the cuts, with progress; every view renders (%s server)', async (kind) => {
    const server = serverOf(kind);
    const clip = { mediaPath: shots.path, name: 'shots.mp4', startSeconds: 5, inSeconds: 0, outSeconds: 6 };
    const page = await openPanel({ selection: [clip] });
    // The screenshots (docs/images) are of the in-process run.
    const snap = (name: string) => (kind === 'in-process' ? shoot(page, name) : Promise.resolve());
    await snap('detect-not-connected');
    expect(await textOf(page, '#fw-detect-note')).toMatch(/^Not connected: open Engine/);
    expect(await disabled(page, '#fw-detect-run')).toBe(true);
    await page.click('#fw-tab-settings');
    await snap('settings');
    await connect(page, server.wsUrl, server.token);
    expect(await textOf(page, '#fw-status')).toMatch(/^Connected to framewright .* \(protocol 1\.2\)$/);
    // Not one of the ports the manifest allows: the panel says which to use.
    expect(await textOf(page, '#fw-message')).toMatch(/^Port \d+ is not one Premiere Pro lets the panel reach \(7878, 7879, 7880, 7881, 7882\)/);
    // image-gen is refused by this server (no worker takes it behind the queue server): the view says so and will not run it.
    await page.click('#fw-tab-image');
    const refusal = kind === 'queue' ? 'image-gen is not taken by this worker (--ops)' : 'not served by this test server';
    expect(await textOf(page, '#fw-image-note')).toBe(`Generate image is not available on this engine: ${refusal}`);
    expect(await disabled(page, '#fw-image-run')).toBe(true);
    await snap('image-unavailable');
    await page.click('#fw-tab-detect');
    await page.selectOption('#fw-detect-sensitivity select', 'normal');
    await page.click('#fw-detect-run');
    expect(await finished(page)).toBe('Found 2 scene changes in shots.mp4; added 2 markers to Sequence 01');
    const fractions = await page.evaluate(() => (window as unknown as { __fractions: number[] }).__fractions);
    expect(fractions.some((f) => f > 0 && f < 1)).toBe(true);
    expect(await textOf(page, '#fw-progress-text')).toBe('Finished');
    const state = await stateOf(page);
    expect(state.markers.map((m) => [m.name, m.startSeconds])).toEqual([['Cut 1', 5 + 50 / 25], ['Cut 2', 5 + 100 / 25]]);
    expect(state.transactions).toEqual([{ label: 'Framewright: 2 cut markers', actions: ['add marker Cut 1', 'add marker Cut 2'] }]);
    expect(await page.locator('#fw-results li[data-view="detect"] .fw-files li').allTextContents()).toEqual(['shots.json']);
    if (kind === 'queue') expect(await cluster.lastJob()).toMatchObject({ job: { state: 'succeeded' }, worker: cluster.worker.info.id });
    await snap('detect-finished');
    await page.close();
  });

  it('Detect scenes into a new sequence imports the cut list (FCP7 XML) into the Framewright bin', async () => {
    const page = await openPanel({ selection: [{ mediaPath: shots.path, name: 'shots.mp4', startSeconds: 0, inSeconds: 0, outSeconds: 6 }] });
    await connect(page, server.wsUrl, server.token);
    await page.selectOption('#fw-detect-output select', 'sequence');
    await page.click('#fw-detect-run');
    expect(await finished(page)).toBe('Found 2 scene changes in shots.mp4; imported a new sequence of 3 clips');
    const state = await stateOf(page);
    expect(state.imports).toHaveLength(1);
    expect(state.imports[0]?.[0]).toMatch(/\.xml$/);
    expect(state.markers).toEqual([]);
    await page.close();
  });

  it('Remove silences on the selected clip opens a new sequence built from the edited timeline', async () => {
    // 4 s: a tone for 1 s, 2 s of silence, a tone again; with 0.2 s margins 1.2 s + 1.2 s are kept.
    const talk = join(work, 'talk.mp4');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=s=160x90:r=25:d=4', '-f', 'lavfi', '-i', "aevalsrc='(lt(t,1)+gte(t,3))*0.5*sin(2*PI*440*t)':s=48000:d=4",
      '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', talk]);
    const page = await openPanel({ selection: [{ mediaPath: talk, name: 'talk.mp4', startSeconds: 0, inSeconds: 0, outSeconds: 4 }] });
    await connect(page, server.wsUrl, server.token, 'silences');
    await page.selectOption('#fw-silences-remove select', 'silence');
    await shoot(page, 'silences');
    await page.click('#fw-silences-run');
    // A page cannot read the XML, so the fake names the sequence after the file; Premiere names it "talk edited".
    expect(await finished(page)).toBe('Opened "talk": 2.4 s kept of 4.0 s of talk.mp4 (1.6 s taken out)');
    const state = await stateOf(page);
    expect(state.imports).toEqual([[expect.stringMatching(/talk\.xml$/)]]);
    expect(state.opened).toBe('talk');
    expect(state.markers).toEqual([]);
    await shoot(page, 'silences-finished');
    await page.close();
  });

  it('Generate image: prompt, size, seed and model picked from the installed packs; imported into the bin and placed at the playhead', async () => {
    asked.length = 0;
    const page = await openPanel({ playerSeconds: 3 });
    await connect(page, genServer.wsUrl, genServer.token, 'image');
    expect(await page.locator('#fw-image-model select option').allTextContents()).toEqual(['Default model', 'framewright-shapes-32', 'sd-turbo-fp16']);
    await page.fill('#fw-image-prompt textarea', 'a lighthouse on a blue background');
    await page.selectOption('#fw-image-size select', '768x432');
    await page.fill('#fw-image-seed input', '7');
    await page.selectOption('#fw-image-model select', 'sd-turbo-fp16');
    await page.click('#fw-image-place');
    await shoot(page, 'image');
    await page.click('#fw-image-run');
    expect(await finished(page, 30_000)).toBe('Imported 1 image into the Framewright bin; placed at 3.00 s (note: the built-in model does not know "lighthouse"; ignored)');
    expect(asked).toEqual([{ op: 'image-gen', params: { prompt: 'a lighthouse on a blue background', width: 768, height: 432, seed: 7, model: 'sd-turbo-fp16' } }]);
    const state = await stateOf(page);
    expect(state.items.map((i) => [i.name, i.bin])).toEqual([['image-0.png', 'Framewright']]);
    expect(state.timeline).toEqual([{ mode: 'insert', name: 'image-0.png', atSeconds: 3, videoTrack: 0, audioTrack: 0 }]);
    await shoot(page, 'image-finished');
    await page.close();
  });

  it('Generate video from the selected stills interpolates through them and inserts the video at the playhead', async () => {
    asked.length = 0;
    for (const name of ['a.png', 'b.png']) await writeFile(join(work, name), encodePng(8, 8, new Uint8Array(8 * 8 * 4).fill(name === 'a.png' ? 60 : 220)));
    const stills = [
      { mediaPath: join(work, 'b.png'), name: 'b.png', startSeconds: 4, inSeconds: 0, outSeconds: 4 },
      { mediaPath: join(work, 'a.png'), name: 'a.png', startSeconds: 0, inSeconds: 0, outSeconds: 4 },
    ];
    const page = await openPanel({ selection: stills, playerSeconds: 8 });
    await connect(page, genServer.wsUrl, genServer.token, 'video');
    await page.selectOption('#fw-video-length select', '4');
    await shoot(page, 'video');
    await page.click('#fw-video-run');
    expect(await finished(page, 30_000)).toBe('Made a 6.0 s video from 2 stills; inserted at 8.00 s');
    // Timeline order, not selection order.
    // Protocol 1.1: frames is the video's length, 4 s from one still to the next and the last still once.
    expect(asked).toEqual([{ op: 'video-gen', params: { mode: 'interpolate', keyframes: [join(work, 'a.png'), join(work, 'b.png')], frames: 97, fps: 24 } }]);
    expect((await stateOf(page)).timeline).toEqual([{ mode: 'insert', name: 'generated.mp4', atSeconds: 8, videoTrack: 0, audioTrack: 0 }]);
    await page.close();
  });

  it.each(SERVER_KINDS)('cancels a running Detect scenes and changes nothing in the project (%s server)', async (kind) => {
    const server = serverOf(kind);
    const page = await openPanel({ selection: [{ mediaPath: long.path, startSeconds: 0, inSeconds: 0, outSeconds: 120 }] });
    const snap = (name: string) => (kind === 'in-process' ? shoot(page, name) : Promise.resolve());
    await connect(page, server.wsUrl, server.token);
    await page.click('#fw-detect-run');
    await page.waitForFunction(() => (window as unknown as { __fractions: number[] }).__fractions.some((f) => f > 0), undefined, { timeout: 30_000 });
    await snap('detect-running');
    await page.click('#fw-cancel');
    await page.waitForFunction(() => document.querySelector('#fw-progress-text')?.textContent === 'Cancelled', undefined, { timeout: 30_000 });
    expect(await textOf(page, '#fw-message')).toBe('Cancelled: the job was stopped and nothing was changed in the project.');
    expectUnchanged(await stateOf(page));
    expect(await disabled(page, '#fw-cancel')).toBe(true);
    if (kind === 'queue') expect((await cluster.lastJob()).job.state).toBe('cancelled');
    await snap('detect-cancelled');
    await page.close();
  });

  it('says in plain words what is wrong and the fix: engine down, wrong token, other protocol version', async () => {
    const page = await openPanel({ selection: [{ mediaPath: shots.path, startSeconds: 0, inSeconds: 0, outSeconds: 6 }] });
    const closed = await servePlugin(pluginDir);
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise((done) => closed.close(done));
    await connect(page, `ws://127.0.0.1:${deadPort}/v1/ws`, server.token, 'settings');
    expect(await page.getAttribute('#fw-status', 'data-state')).toBe('error');
    expect(await textOf(page, '#fw-message')).toBe(
      `Server not reachable: no Framewright server is listening at ws://127.0.0.1:${deadPort}/v1/ws: start one with \`framewright serve\`. Premiere Pro lets the panel reach ports 7878, 7879, 7880, 7881, 7882 only: run \`framewright serve --port 7878\` and connect there.`,
    );
    await shoot(page, 'settings-error');

    await connect(page, server.wsUrl, 'not-the-token');
    expect(await textOf(page, '#fw-message')).toMatch(/^Connection refused: the server at .* is running but refused the WebSocket connection: the token is wrong/);

    await connect(page, `ws://127.0.0.1:${(oldServer.address() as AddressInfo).port}/v1/ws`, server.token);
    expect(await textOf(page, '#fw-message')).toMatch(/^Protocol version not supported: this panel speaks 1\.2, 1\.1, 1\.0 and the server does not \(.*speaks \[2\.0\].*\)/);
    expect(await disabled(page, '#fw-detect-run')).toBe(true);
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
      await page.click('#fw-detect-run');
      await page.waitForFunction(() => document.querySelector('#fw-message')?.getAttribute('data-kind') === 'error');
      expect(await textOf(page, '#fw-message')).toBe(text);
      expect(await page.evaluate(() => (window as unknown as { __fractions: number[] }).__fractions)).toEqual([]);
      expectUnchanged(await stateOf(page));
      await page.close();
    }
  });
});
