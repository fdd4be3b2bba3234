// The documentation site: `npm run docs` (typedoc over every package, the guides as project
// documents) must build with no warning, and the pages must load in a real browser with every
// internal link resolving. This is how CI fails on a warning or a broken internal link.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
const site = join(root, 'docs', 'api');
const rootPackage = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { workspaces: string[]; scripts: Record<string, string> };
const packageNames = rootPackage.workspaces.map((w) => (JSON.parse(readFileSync(join(root, w, 'package.json'), 'utf8')) as { name: string }).name);
const guides = ['getting-started', 'remove-silence', 'obs', 'premiere', 'resolve', 'sdk', 'protocol', 'models', 'troubleshooting'];
const CHROMIUM = '/usr/bin/chromium';

let build: { code: number | null; output: string };
let server: Server;
let base: string;
let context: BrowserContext | undefined;
let profile: string;

/** Runs the `docs` script as npm would: its command is `typedoc [args]`, run with the test's Node. */
function runDocsScript(): Promise<{ code: number | null; output: string }> {
  const [command, ...args] = rootPackage.scripts['docs']!.split(' ');
  expect(command).toBe('typedoc');
  const child = spawn(process.execPath, [join(root, 'node_modules', 'typedoc', 'bin', 'typedoc'), ...args], { cwd: root, env: { ...process.env, FORCE_COLOR: '0' } });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  return new Promise((done, fail) => {
    child.on('error', fail);
    child.on('close', (code) => done({ code, output }));
  });
}

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.json': 'application/json', '.png': 'image/png' };

/** A static file server for docs/api on 127.0.0.1 (pages use `fetch` for the search index, which file:// refuses). */
function serveSite(): Promise<string> {
  server = createServer((req, res) => {
    const path = normalize(join(site, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)));
    if (!path.startsWith(site + sep) && path !== site) return void res.writeHead(403).end();
    const file = path.endsWith(sep) ? join(path, 'index.html') : path;
    readFile(file).then(
      (body) => res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(req.method === 'HEAD' ? undefined : body),
      () => res.writeHead(404).end(),
    );
  });
  return new Promise((done) => server.listen(0, '127.0.0.1', () => done(`http://127.0.0.1:${(server.address() as { port: number }).port}/`)));
}

/** Loads a page, waits for typedoc's script to render the navigation, and fails on any page error. */
async function open(url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await context!.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const response = await page.goto(url, { waitUntil: 'load' });
  expect(response?.status(), url).toBe(200);
  await page.waitForSelector('.tsd-navigation a', { timeout: 15_000 });
  return { page, errors };
}

/** Every link on the page that points into the site: `{url, id}` with the fragment split off. */
async function internalLinks(page: Page): Promise<Array<{ url: string; id: string }>> {
  const hrefs = await page.$$eval('a[href]', (as) => as.map((a) => (a as HTMLAnchorElement).href));
  return hrefs
    .filter((h) => h.startsWith(base))
    .map((h) => {
      const u = new URL(h);
      const id = decodeURIComponent(u.hash.slice(1));
      u.hash = '';
      return { url: u.href, id };
    });
}

/** Fetches every linked page once and checks that each fragment names an element id on it. */
async function checkLinks(links: Array<{ url: string; id: string }>): Promise<string[]> {
  const bodies = new Map<string, Promise<{ status: number; text: string }>>();
  const broken: string[] = [];
  for (const { url, id } of links) {
    if (!bodies.has(url)) bodies.set(url, fetch(url).then(async (r) => ({ status: r.status, text: await r.text() })));
    const { status, text } = await bodies.get(url)!;
    if (status !== 200) broken.push(`${url}: HTTP ${status}`);
    else if (id !== '' && url.endsWith('.html') && !text.includes(`id="${id}"`)) broken.push(`${url}#${id}: no element with that id`);
  }
  return broken;
}

beforeAll(async () => {
  // typedoc writes nothing when a warning fails the build: start empty so a stale site cannot pass.
  await rm(site, { recursive: true, force: true });
  build = await runDocsScript();
  base = await serveSite();
  if (existsSync(CHROMIUM)) {
    profile = await mkdtemp(join(tmpdir(), 'fw-docs-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  }
}, 240_000);

afterAll(async () => {
  await context?.close();
  if (profile) await rm(profile, { recursive: true, force: true });
  await new Promise((done) => server?.close(done));
});

describe('npm run docs', () => {
  it('exits 0 with no warning and no error', () => {
    expect(build.output).not.toMatch(/\[(warning|error)\]/);
    expect(build.code, build.output).toBe(0);
  });

  it('keeps inline code in headings: in the page list and in the anchor', () => {
    const page = readFileSync(join(site, 'documents', 'Getting_started.html'), 'utf8');
    expect(page).toContain('<h2 id="put-framewright-on-path"');
    expect(page).toMatch(/<a href="#put-framewright-on-path"><span>Put framewright on (<wbr\/>)?PATH<\/span>/);
  });

  it('opens the @framewright/core index with running an operation and starting a server', () => {
    const core = readFileSync(join(site, 'modules', '_framewright_core.index.html'), 'utf8');
    const groups = [...core.matchAll(/<summary class="tsd-accordion-summary" data-key="section-([^"]+)"/g)].map((m) => m[1]);
    expect(groups.slice(0, 3)).toEqual(['Run an operation', 'Start a server', 'Functions']);
  });

  it('writes one site with a page for every package and every guide', () => {
    const modules = readFileSync(join(site, 'modules.html'), 'utf8');
    for (const name of packageNames) expect(modules, name).toContain(`>${name}<`);
    const index = readFileSync(join(site, 'index.html'), 'utf8');
    for (const guide of guides) {
      const title = /^title: (.+)$/m.exec(readFileSync(join(root, 'docs', `${guide}.md`), 'utf8'))![1]!;
      expect(index, guide).toContain(`href="documents/${title.replace(/ /g, '_')}.html"`);
    }
  });
});

describe.skipIf(!existsSync(CHROMIUM))('the site in headless Chromium', () => {
  it('renders the index with every package in the navigation, and every internal link resolves', async () => {
    const { page, errors } = await open(base);
    // typedoc's script builds the navigation; each package is an entry linking to its module page.
    const nav = await page.$$eval('.tsd-navigation a', (as) => as.map((a) => (a as HTMLAnchorElement).href));
    for (const name of packageNames) expect(nav, name).toContain(`${base}modules/${name.replace(/[@/]/g, '_')}.html`);
    const links = await internalLinks(page);
    expect(links.length).toBeGreaterThan(10);
    expect(await checkLinks(links)).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('renders a guide with its code blocks, and every internal link resolves', async () => {
    const { page, errors } = await open(`${base}documents/SDK_and_host_scripts.html`);
    expect(await page.title()).toContain('SDK and host scripts');
    const code = await page.$$eval('pre code', (blocks) => blocks.map((b) => b.textContent ?? ''));
    expect(code.some((c) => c.includes('new FramewrightClient('))).toBe(true);
    const links = await internalLinks(page);
    // The guide links to the protocol reference, which typedoc must have rewritten to its page.
    expect(links.map((l) => l.url)).toContain(`${base}documents/Protocol_reference.html`);
    expect(await checkLinks(links)).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });
});
