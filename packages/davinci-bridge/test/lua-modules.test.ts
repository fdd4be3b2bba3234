// The shared Lua modules under luajit and lua5.4: the JSON decoder, and argument quoting for
// POSIX sh (run for real through io.popen) and for cmd.exe (checked against hand-derived
// expected strings, and decoded back with cmd's caret rule plus the Windows argv rules).
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FAKE_DIR, LUAS, tempDir } from './helpers/harness.js';

const probe = (lua: string, mode: 'json' | 'quote', input: string): string =>
  execFileSync(lua, [join(FAKE_DIR, 'probe.lua'), mode], { input, encoding: 'utf8' });

/** Runs engine.find with exactly `env` (so the interpreter is started by its absolute path). */
const findEngine = (lua: string, kind: 'posix' | 'windows', env: Record<string, string>): unknown => {
  const interpreter = execFileSync('sh', ['-c', `command -v ${lua}`], { encoding: 'utf8' }).trim();
  return JSON.parse(execFileSync(interpreter, [join(FAKE_DIR, 'probe.lua'), 'find', kind], { env, encoding: 'utf8' }));
};

/** Paths and prompts that break naive quoting on some OS. */
const NASTY = [
  'plain',
  'with space',
  '/media/My Videos/shot 01.mp4',
  "it's",
  "'single' and 'more'",
  'say "hi"',
  'ünïcødé ✓ 日本語 🎬',
  '$HOME and ${PATH}',
  '`id` $(id)',
  '%PATH% 100%',
  'a & b && c',
  'x ^ y ^^',
  'bang! !PATH!',
  'C:\\Program Files\\Framewright\\',
  'back\\"slash',
  'tab\there',
  '(paren) <lt> >gt |pipe',
  'semi;colon *glob? ~tilde #hash',
  '-leading-dash',
  '',
];

/** What cmd.exe does to a command line of ours: every special character must carry a caret. */
function cmdUnescape(line: string): string {
  let out = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === '^') {
      out += line[i + 1] ?? '';
      i++;
    } else if ('()%!"<>&|'.includes(c)) {
      throw new Error(`unescaped ${c} in ${line}`);
    } else out += c;
  }
  return out;
}

/** Splits a command line the way CommandLineToArgvW and the C runtime do. */
function windowsArgv(line: string): string[] {
  const args: string[] = [];
  let current = '';
  let inQuotes = false;
  let started = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === '\\') {
      let n = 0;
      while (line[i] === '\\') {
        n++;
        i++;
      }
      if (line[i] === '"') {
        current += '\\'.repeat(Math.floor(n / 2));
        if (n % 2 === 1) current += '"';
        else inQuotes = !inQuotes;
        started = true;
      } else {
        current += '\\'.repeat(n);
        i--;
      }
      started = true;
    } else if (c === '"') {
      inQuotes = !inQuotes;
      started = true;
    } else if ((c === ' ' || c === '\t') && !inQuotes) {
      if (started) args.push(current);
      current = '';
      started = false;
    } else {
      current += c;
      started = true;
    }
  }
  if (started) args.push(current);
  return args;
}

describe.each(LUAS)('Lua modules under %s', (lua) => {
  it('decodes JSON the way JSON.parse does, including escapes, surrogate pairs and numbers', () => {
    const docs = [
      '{"clips":[{"index":0,"startFrame":0,"endFrame":50,"startSeconds":0.0,"file":"/tmp/a b/c.mp4"}],"fps":29.97}',
      '["\\u00e9\\ud83c\\udfac\\n\\t\\"\\\\\\/", "日本語 raw", -7, 1e3, -2.5E-2, 12345678901]',
      ' \r\n\t{ "nested" : { "deep" : [ [ [ true , false ] ] ] } } \n',
      '"a\u007fb"',
    ];
    for (const doc of docs) expect(JSON.parse(probe(lua, 'json', doc))).toEqual(JSON.parse(doc));
    expect(probe(lua, 'json', '[null, 1]')).toBe('["<null>",1]');
  });

  it('rejects malformed JSON with a message naming the byte', () => {
    const bad: [string, string][] = [
      ['{"a":}', 'unexpected character "}" at byte 6'],
      ['[1,]', 'unexpected character "]" at byte 4'],
      ['"\\x"', 'bad escape \\x at byte 2'],
      ['01', 'trailing characters at byte 2'],
      ['1.', 'bad number at byte 2'],
      ['tru', 'unexpected character "t" at byte 1'],
      ['{"a":1} x', 'trailing characters at byte 9'],
      ['"open', 'unterminated string at byte 6'],
      ['"a\nb"', 'control character in string at byte 3'],
      ['', 'unexpected end of input at byte 1'],
    ];
    for (const [doc, message] of bad) expect(probe(lua, 'json', doc), doc).toBe(`ERROR invalid JSON: ${message}`);
  });

  it('quotes for POSIX sh so a program started through io.popen gets every argument intact', () => {
    const result = JSON.parse(probe(lua, 'quote', JSON.stringify([...NASTY, 'line one\nline two']))) as { sh: string; posix: string[] };
    expect(JSON.parse(result.sh)).toEqual([...NASTY, 'line one\nline two']);
    expect(result.posix[3]).toBe(`'it'\\''s'`);
    expect(result.posix[7]).toBe(`'$HOME and \${PATH}'`);
  });

  it('quotes for cmd.exe: known-correct strings for Windows paths and metacharacters', () => {
    const cases = ['C:\\Program Files\\a"b.mp4', '100% & ^!', 'C:\\dir\\', '%PATH%', 'D:\\Vidéos\\plan 1.mov', 'a\\\\"b'];
    const { cmd, windows_line } = JSON.parse(probe(lua, 'quote', JSON.stringify(cases))) as { cmd: string[]; windows_line: string };
    expect(cmd).toEqual([
      '^"C:\\Program Files\\a\\^"b.mp4^"',
      '^"100^% ^& ^^^!^"',
      '^"C:\\dir\\\\^"',
      '^"^%PATH^%^"',
      '^"D:\\Vidéos\\plan 1.mov^"',
      '^"a\\\\\\\\\\^"b^"',
    ]);
    // The whole line as io.popen hands it to `cmd /c`: cmd strips the outer pair of quotes.
    expect(windows_line).toBe(`"${cmd.join(' ')} 2>"C:\\Temp\\fw err.txt""`);
  });

  it('quotes for cmd.exe so caret removal and Windows argv splitting give back every argument', () => {
    const { cmd } = JSON.parse(probe(lua, 'quote', JSON.stringify(NASTY))) as { cmd: string[] };
    const line = cmd.join(' ');
    expect(windowsArgv(cmdUnescape(line))).toEqual(NASTY);
  });

  it('refuses a double quote for a .cmd engine (cmd parses a batch file twice), passes the rest', () => {
    const quoted = JSON.parse(probe(lua, 'quote', JSON.stringify(['--prompt', 'say "hi"']))) as { batch_error: string };
    expect(quoted.batch_error).toBe(
      'an argument contains a double quote, which cannot pass safely through the batch file C:\\Users\\Ana\\AppData\\Roaming\\npm\\framewright.cmd; set FRAMEWRIGHT_CLI to framewright.js (the engine runs it with node)',
    );
    const safe = ['100% & ^!', 'C:\\Vidéos\\a b.mp4'];
    const { batch_line } = JSON.parse(probe(lua, 'quote', JSON.stringify(safe))) as { batch_line: string };
    expect(windowsArgv(cmdUnescape(batch_line.slice(1, -1)))).toEqual(['C:\\Users\\Ana\\AppData\\Roaming\\npm\\framewright.cmd', ...safe]);
  });

  it('finds the engine: FRAMEWRIGHT_CLI, then PATH, then ~/.local/bin and the other npm folders', () => {
    const home = tempDir();
    const onPath = join(home, 'bin');
    mkdirSync(onPath);
    mkdirSync(join(home, '.local', 'bin'), { recursive: true });
    writeFileSync(join(home, '.local', 'bin', 'framewright'), '');
    expect(findEngine(lua, 'posix', { HOME: home, PATH: onPath })).toEqual([join(home, '.local', 'bin', 'framewright')]);
    writeFileSync(join(onPath, 'framewright'), '');
    expect(findEngine(lua, 'posix', { HOME: home, PATH: `/nowhere:${onPath}` })).toEqual([join(onPath, 'framewright')]);
    const js = join(home, 'framewright.js');
    writeFileSync(js, '');
    expect(findEngine(lua, 'posix', { HOME: home, PATH: onPath, FRAMEWRIGHT_CLI: js })).toEqual(['node', js]);
  });

  it('finds the engine in the npm prefix that ~/.npmrc sets, with no PATH entry or variable for it', () => {
    const home = tempDir();
    mkdirSync(join(home, 'globals', 'bin'), { recursive: true });
    writeFileSync(join(home, 'globals', 'bin', 'framewright'), '');
    writeFileSync(join(home, '.npmrc'), 'fund=false\nprefix = ~/globals/\n');
    expect(findEngine(lua, 'posix', { HOME: home, PATH: '/nowhere' })).toEqual([join(home, 'globals', 'bin', 'framewright')]);
    writeFileSync(join(home, '.npmrc'), 'fund=false\n');
    expect(findEngine(lua, 'posix', { HOME: home, PATH: '/nowhere' })).toEqual({ error: expect.stringContaining('npm install -g ./framewright-*.tgz') });
  });

  it('finds the engine on Windows as node.exe + framewright.js, never through the npm .cmd shim', () => {
    // On Linux a backslash is an ordinary file-name character, so Windows paths can be laid out
    // as plain files: "<dir>\\node.exe" is one file in the temp folder.
    const t = tempDir();
    const npm = `${t}/Roaming\\npm`;
    const js = `${npm}\\node_modules\\@framewright\\core\\bin\\framewright.js`;
    writeFileSync(`${npm}\\framewright.cmd`, '');
    writeFileSync(js, '');
    const nodeDir = `${t}/Program Files\\nodejs`;
    writeFileSync(`${nodeDir}\\node.exe`, '');
    expect(findEngine(lua, 'windows', { PATH: `${nodeDir};${t}/System32`, APPDATA: `${t}/Roaming` })).toEqual([`${nodeDir}\\node.exe`, js]);
    writeFileSync(`${npm}\\node.exe`, '');
    expect(findEngine(lua, 'windows', { PATH: `${nodeDir};${t}/System32`, APPDATA: `${t}/Roaming` })).toEqual([`${npm}\\node.exe`, js]);
    writeFileSync(`${t}/System32\\framewright.exe`, '');
    expect(findEngine(lua, 'windows', { PATH: `${t}/System32;${nodeDir}`, APPDATA: `${t}/Roaming` })).toEqual([`${t}/System32\\framewright.exe`]);
    expect(findEngine(lua, 'windows', { PATH: `${t}/none` })).toEqual({ error: expect.stringContaining('was not found on PATH') });
  });

  it('refuses a line break for cmd.exe instead of passing a broken command', () => {
    const { cmd } = JSON.parse(probe(lua, 'quote', JSON.stringify(['two\nlines']))) as { cmd: string[] };
    expect(cmd).toEqual(['ERROR an argument contains a line break, which cmd.exe cannot pass']);
  });
});
