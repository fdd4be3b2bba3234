import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ensureBuilt } from './helpers/cli.js';

const run = promisify(execFile);
const core = join(import.meta.dirname, '..', 'packages', 'core');

describe('built @framewright/core entry points', () => {
  it('load from CommonJS and from ESM with the same public API', { timeout: 240_000 }, async () => {
    await ensureBuilt(['index.js', 'index.cjs']);
    const script = (kind: string, load: string) =>
      `${load}.then((m) => console.log(JSON.stringify({ kind: '${kind}', keys: Object.keys(m).sort() })))`;
    const cjs = await run(process.execPath, ['-e', script('cjs', `Promise.resolve(require(${JSON.stringify(join(core, 'dist', 'index.cjs'))}))`)]);
    const esm = await run(process.execPath, ['--input-type=module', '-e', script('esm', `import(${JSON.stringify(join(core, 'dist', 'index.js'))})`)]);
    const a = JSON.parse(cjs.stdout) as { keys: string[] };
    const b = JSON.parse(esm.stdout) as { keys: string[] };
    expect(a.keys).toContain('runOperation');
    expect(a.keys).toContain('startServer');
    expect(a.keys.filter((k) => k !== 'default')).toEqual(b.keys.filter((k) => k !== 'default'));
  });
});
