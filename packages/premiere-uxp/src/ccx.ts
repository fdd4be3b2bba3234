import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';


/** One file to put in a zip archive. */
export interface ZipEntry {
  /** Path inside the archive, with `/` separators. */
  name: string;
  /** The file's bytes. */
  data: Uint8Array;
}

// A fixed timestamp (1 Jan 2020) keeps archives byte-identical across builds.
const DOS_TIME = 0;
const DOS_DATE = ((2020 - 1980) << 9) | (1 << 5) | 1;

/**
 * Writes a zip archive (deflate, or store where deflate does not help) in memory.
 * @throws Error for an empty, absolute or `..` entry name, or a duplicate
 */
export function zip(entries: readonly ZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  const seen = new Set<string>();
  let offset = 0;
  for (const entry of entries) {
    if (entry.name === '' || entry.name.startsWith('/') || entry.name.split('/').includes('..') || seen.has(entry.name)) {
      throw new Error(`zip: bad or duplicate entry name ${JSON.stringify(entry.name)}`);
    }
    seen.add(entry.name);
    const name = Buffer.from(entry.name, 'utf8');
    const deflated = deflateRawSync(entry.data, { level: 9 });
    const stored = deflated.length >= entry.data.length;
    const body = stored ? Buffer.from(entry.data) : deflated;
    const crc = crc32(entry.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // names are UTF-8
    local.writeUInt16LE(stored ? 0 : 8, 8);
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(entry.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(stored ? 0 : 8, 10);
    central.writeUInt16LE(DOS_TIME, 12);
    central.writeUInt16LE(DOS_DATE, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(entry.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const centralSize = centrals.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...centrals, end]);
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path)));
    else if (entry.isFile()) out.push(path);
  }
  return out.sort();
}

/**
 * Packs a built plugin folder into a `.ccx` (a zip with manifest.json at its root) that Creative
 * Cloud installs on double-click. Written to a temp name, then renamed.
 *
 * @param pluginDir - the built plugin (`dist/plugin`)
 * @param outFile - the `.ccx` to write
 * @returns the archive's entry names
 * @throws Error when `pluginDir` has no manifest.json
 */
export async function packCcx(pluginDir: string, outFile: string): Promise<string[]> {
  const files = await filesUnder(pluginDir).catch(() => [] as string[]);
  const entries = await Promise.all(files.map(async (path) => ({ name: relative(pluginDir, path).split(sep).join('/'), data: await readFile(path) })));
  if (!entries.some((e) => e.name === 'manifest.json')) {
    throw new Error(`${pluginDir} holds no manifest.json: build the plugin first (npm run build -w @framewright/premiere-uxp)`);
  }
  await mkdir(dirname(outFile), { recursive: true });
  const temp = `${outFile}.${process.pid}.tmp`;
  await writeFile(temp, zip(entries));
  await rename(temp, outFile);
  return entries.map((e) => e.name);
}
