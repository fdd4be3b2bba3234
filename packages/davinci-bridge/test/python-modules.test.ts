// The shared Python module (framewright_resolve.pyinc) under python3: the rules that cannot be
// seen through a script run on Linux (Windows batch-file arguments, per-OS config folders) and
// the small helpers both languages must agree on.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { shippedScriptsDir } from '../src/paths.js';
import { tempDir } from './helpers/harness.js';

/** Evaluates a Python expression with the module loaded as `fw`; returns its JSON value. */
function py(expression: string, env: Record<string, string> = {}): unknown {
  const program = `
import importlib.machinery, importlib.util, json, sys
sys.dont_write_bytecode = True
loader = importlib.machinery.SourceFileLoader("fw", sys.argv[1])
fw = importlib.util.module_from_spec(importlib.util.spec_from_loader("fw", loader))
loader.exec_module(fw)
try:
    value = eval(sys.argv[2])
except fw.UserError as e:
    value = {"UserError": str(e)}
print(json.dumps(value))
`;
  const lib = join(shippedScriptsDir(), 'framewright_resolve.pyinc');
  return JSON.parse(execFileSync('python3', ['-c', program, lib, expression], { env: { PATH: '/usr/bin:/bin', HOME: '/home/ana', ...env }, encoding: 'utf8' }));
}

describe('framewright_resolve.pyinc', () => {
  it('refuses quotes, % and line breaks for a .cmd engine on Windows only', () => {
    const shim = 'C:\\\\npm\\\\framewright.cmd';
    expect(py(`fw.check_batch_arguments(["${shim}", "--prompt", "say \\"hi\\""], "win32")`)).toEqual({
      UserError: `The argument 'say "hi"' cannot pass safely through the batch file C:\\npm\\framewright.cmd; set FRAMEWRIGHT_CLI to framewright.js (the engine runs it with node).`,
    });
    expect(py(`fw.check_batch_arguments(["${shim}", "100%"], "win32")`)).toHaveProperty('UserError');
    expect(py(`fw.check_batch_arguments(["${shim}", "a & b ^ !"], "win32")`)).toBeNull();
    expect(py(`fw.check_batch_arguments(["C:\\\\node.exe", "fw.js", "say \\"hi\\" 100%"], "win32")`)).toBeNull();
    expect(py(`fw.check_batch_arguments(["/usr/bin/framewright.cmd", "say \\"hi\\""], "linux")`)).toBeNull();
  });

  it('finds the token where the engine keeps it (FRAMEWRIGHT_CONFIG_DIR, absolute XDG, ~/.config)', () => {
    expect(py('fw.config_dir()', { FRAMEWRIGHT_CONFIG_DIR: '/srv/fw' })).toBe('/srv/fw');
    expect(py('fw.config_dir()', { XDG_CONFIG_HOME: '/xdg' })).toBe('/xdg/framewright');
    expect(py('fw.config_dir()', { XDG_CONFIG_HOME: 'relative/ignored' })).toBe('/home/ana/.config/framewright');
  });

  it('runs a FRAMEWRIGHT_CLI that is a .js file with node', () => {
    const js = join(tempDir(), 'framewright.js');
    writeFileSync(js, '');
    const node = join(tempDir(), 'node');
    writeFileSync(node, '', { mode: 0o755 });
    expect(py('fw.find_engine()', { FRAMEWRIGHT_CLI: js, PATH: `${join(node, '..')}:/usr/bin:/bin` })).toEqual([node, js]);
  });

  it('finds the engine in the npm prefix that ~/.npmrc sets, with no PATH entry or variable for it', () => {
    const home = tempDir();
    mkdirSync(join(home, 'globals', 'bin'), { recursive: true });
    writeFileSync(join(home, 'globals', 'bin', 'framewright'), '', { mode: 0o755 });
    writeFileSync(join(home, '.npmrc'), 'fund=false\nprefix=${HOME}/globals\n');
    expect(py('fw.find_engine()', { HOME: home, PATH: '/usr/bin:/bin' })).toEqual([join(home, 'globals', 'bin', 'framewright')]);
  });

  it('rounds half up and clamps like the Lua scripts, and flattens prompts to one line', () => {
    expect(py('[fw.integer(321, 0, 16, 4096, 2), fw.integer(250, 0, 64, 2048, 8), fw.integer("x", 48, 2, 1000), fw.integer(9999, 0, 0, 100)]')).toEqual([322, 248, 48, 100]);
    expect(py('fw.one_line("  a\\r\\nb\\n\\nc  ")')).toBe('a b c');
  });

  it('reads Lua tables that arrive as dicts keyed 1, 2, ... in order', () => {
    expect(py('fw.values({2: "b", 1: "a", 10: "c"})')).toEqual(['a', 'b', 'c']);
    expect(py('fw.values(None)')).toEqual([]);
  });
});
