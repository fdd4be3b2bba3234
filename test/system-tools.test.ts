// The system programs the tests run are exactly the ones .ci/run installs, and under CI every one
// of them is there: a test never passes or fails by what happens to be installed by hand.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');

/**
 * Programs a Framewright test could run that npm does not bring: Debian packages. A name on this
 * list that appears as a string literal in a test or in the engine's sources is one the tests use.
 */
const CANDIDATES = [
  'ffmpeg', 'ffprobe', 'obs', 'Xvfb', 'luajit', 'lua5.4', 'lua', 'python3', 'python', 'chromium',
  'espeak-ng', 'espeak', 'ps', 'pgrep', 'setpriv', 'redis-server', 'redis-cli', 'sox', 'xdotool', 'convert', 'xvfb-run',
] as const;

/** `program:package` entries of the `tools=(…)` table in .ci/run. */
function ciTools(): Map<string, string> {
  const script = readFileSync(join(root, '.ci', 'run'), 'utf8');
  const table = /^tools=\(\n([\s\S]*?)^\)/m.exec(script);
  if (table === null) throw new Error('.ci/run has no tools=( … ) table');
  const entries = table[1]!.split(/\s+/).filter((e) => e.length > 0);
  return new Map(entries.map((e) => e.split(':') as [string, string]));
}

function sourceFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.') || entry.name === 'dist') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...sourceFiles(path));
    else if (/\.(ts|lua|py)$/.test(entry.name)) files.push(path);
  }
  return files;
}

/** Candidate programs named as a whole string literal (bare or as /usr/bin/NAME, /bin/NAME), with a file that names each. */
function programsUsed(): Map<string, string> {
  const used = new Map<string, string>();
  const files = [join(root, 'test'), ...readdirSync(join(root, 'packages')).map((p) => join(root, 'packages', p))].flatMap(sourceFiles);
  for (const file of files) {
    if (file === import.meta.filename) continue;
    const text = readFileSync(file, 'utf8');
    for (const name of CANDIDATES) {
      const quoted = name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      if (new RegExp(`['"\`](?:/usr)?(?:/bin/)?${quoted}['"\`]`).test(text) && !used.has(name)) used.set(name, relative(root, file));
    }
  }
  return used;
}

describe('system programs', () => {
  it('every program a test or the engine runs is one .ci/run installs, and .ci/run installs no other', () => {
    const used = programsUsed();
    const installed = ciTools();
    const missing = [...used].filter(([name]) => !installed.has(name)).map(([name, file]) => `${name} (named in ${file})`);
    expect(missing, 'add program:package to the tools table of .ci/run').toEqual([]);
    expect([...installed.keys()].filter((name) => !used.has(name)), 'no test uses these any more: drop them from .ci/run').toEqual([]);
  });

  it.runIf(process.env['CI'] !== undefined)('under CI, every program .ci/run installs is on PATH', () => {
    const absent = [...ciTools().keys()].filter((name) => spawnSync('sh', ['-c', `command -v '${name}'`]).status !== 0);
    expect(absent).toEqual([]);
  });
});
