// The `framewright` command line in-process: dispatch, help, usage errors and exit codes. Runs
// the sources through main() with captured streams; nothing here needs ffmpeg.
import { mkdtempSync, readdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main, EXIT } from '../src/cli/main.js';
import { COMMANDS } from '../src/cli/commands/index.js';
import { exitCodeOf } from '../src/cli/exit-codes.js';
import { ProgressBar, renderProgress } from '../src/cli/progress.js';
import { ERROR_CODES } from '../src/protocol/index.js';
import { captureIo } from './helpers/captured-io.js';

function captured(cwd = mkdtempSync(join(tmpdir(), 'fw-cli-')), tty = false) {
  const io = captureIo(cwd, { tty, columns: 60 });
  return { io, cwd, out: () => io.out, err: () => io.err };
}

async function run(argv: string[]) {
  const c = captured();
  const code = await main(argv, c.io);
  return { code, out: c.out(), err: c.err(), cwd: c.cwd };
}

describe('framewright --help and --version', () => {
  it('lists every registered command and documents the exit codes', async () => {
    const { code, out } = await run(['--help']);
    expect(code).toBe(0);
    for (const c of COMMANDS) expect(out).toContain(`  ${c.name} `);
    for (const n of ['2 ', '3 ', '4 ', '5 ', '6 ', '130']) expect(out).toMatch(new RegExp(`^  ${n}`, 'm'));
  });

  it('help <command> shows that command\'s usage', async () => {
    const { code, out } = await run(['help', 'serve']);
    expect(code).toBe(0);
    expect(out).toMatch(/^Usage: framewright serve/);
  });

  it('prints the version', async () => {
    expect(await run(['--version'])).toMatchObject({ code: 0, out: '0.1.0\n' });
  });

  it('is a usage error (exit 2) without a command, with the help on stderr', async () => {
    const { code, out, err } = await run([]);
    expect(code).toBe(EXIT.usage);
    expect(out).toBe('');
    expect(err).toContain('Usage: framewright <command>');
  });

  it.each(['demo', 'clip-cut', 'serve', 'doctor', 'worker'])('%s --help shows its usage and exits 0', async (name) => {
    const { code, out } = await run([name, '--help']);
    expect(code).toBe(0);
    expect(out).toMatch(new RegExp(`^Usage: framewright ${name}`));
  });
});

describe('usage errors are one line naming what is wrong, exit 2', () => {
  const cases: [string, string[], RegExp][] = [
    ['an unknown command', ['paint'], /^framewright: unknown command "paint": commands are demo, clip-cut/],
    ['a mistyped command, with the nearest', ['clip-ct', 'a.mp4'], /^framewright: unknown command "clip-ct": did you mean clip-cut\? \(`framewright clip-cut --help`; commands are demo/],
    ['the start of one command, with it', ['expo'], /^framewright: unknown command "expo": did you mean export-onnx\?/],
    ['a mistyped flag, with the nearest', ['clip-cut', 'a.mp4', '--ot', 'cuts'], /^framewright: clip-cut: unknown flag --ot: did you mean --out\? \(see `framewright clip-cut --help`\)$/],
    ['a mistyped top-level option', ['--verison'], /^framewright: unknown option --verison: did you mean --version\?/],
    ['an unknown flag', ['clip-cut', 'a.mp4', '--bogus'], /^framewright: clip-cut: unknown flag --bogus/],
    ['a missing input', ['clip-cut', '--out', 'x'], /^framewright: clip-cut: missing INPUT/],
    ['an extra argument', ['clip-cut', 'a.mp4', 'b.mp4'], /^framewright: clip-cut: unexpected argument "b.mp4"/],
    ['a flag without its value', ['clip-cut', 'a.mp4', '--out'], /^framewright: clip-cut: --out needs a value/],
    ['a value for a boolean flag', ['clip-cut', 'a.mp4', '--json=yes'], /^framewright: clip-cut: --json takes no value/],
    ['a number flag that is not a number', ['clip-cut', 'a.mp4', '--min-clip-seconds', 'abc'], /^framewright: clip-cut: --min-clip-seconds must be a number, got "abc"/],
    ['a number flag with trailing junk', ['clip-cut', 'a.mp4', '--min-clip-seconds', '2s'], /--min-clip-seconds must be a number, got "2s"/],
    ['an integer flag given a fraction', ['clip-cut', 'a.mp4', '--analysis-width', '64.5'], /--analysis-width must be an integer/],
    ['an unknown export', ['clip-cut', 'a.mp4', '--export', 'json,xml'], /--export has unknown value "xml" \(choose from json, edl/],
    ['an unknown detector', ['clip-cut', 'a.mp4', '--detectors', 'magic'], /--detectors has unknown value "magic"/],
    ['a bad clip mode', ['clip-cut', 'a.mp4', '--clip-mode', 'fast'], /--clip-mode must be smart, copy or accurate, got "fast"/],
    ['a malformed threshold', ['clip-cut', 'a.mp4', '--threshold', 'content'], /--threshold wants NAME=VALUE/],
    ['a threshold that is not a number', ['clip-cut', 'a.mp4', '--threshold', 'hash=lots'], /--threshold hash must be a number, got "lots"/],
    // Ranges are the schema's: its JSON-pointer errors come back naming the flag.
    ['an out-of-range threshold', ['clip-cut', 'a.mp4', '--threshold', 'content=300'], /^framewright: clip-cut: --threshold content must be <= 255$/],
    ['an out-of-range number', ['clip-cut', 'a.mp4', '--min-clip-seconds', '-1'], /^framewright: clip-cut: --min-clip-seconds must be >= 0$/],
    ['a port out of range', ['serve', '--port', '70000'], /^framewright: serve: --port must be between 0 and 65535, got 70000/],
    ['an allowed origin with a path', ['serve', '--allow-origin', 'http://x.test/panel'], /^framewright: serve: --allow-origin "http:\/\/x\.test\/panel" is not an origin/],
    ['an unknown doctor flag', ['doctor', '--fix'], /^framewright: doctor: unknown flag --fix/],
    // A worker without a shared folder: a server URL, its token, and no share settings beside it.
    ['--files-from without a token', ['worker', '--queue', 'redis://127.0.0.1:1', '--files-from', 'http://127.0.0.1:7878'], /^framewright: worker: --files-from needs the server's token: set FRAMEWRIGHT_TOKEN or give --token-file FILE$/],
    ['--files-from that is not a server URL', ['worker', '--queue', 'redis://127.0.0.1:1', '--files-from', 'http://127.0.0.1:7878/v1/files'], /^framewright: worker: --files-from "http:\/\/127\.0\.0\.1:7878\/v1\/files" must be http:\/\/HOST:PORT/],
    ['--files-from with --path-map', ['worker', '--queue', 'redis://127.0.0.1:1', '--files-from', 'http://127.0.0.1:7878', '--path-map', '/a=/b'], /^framewright: worker: --files-from is for a worker without a shared folder; it does not go with --path-map$/],
    ['--files-from with --output-root', ['worker', '--queue', 'redis://127.0.0.1:1', '--files-from', 'http://127.0.0.1:7878', '--output-root', 'out'], /--files-from sends outputs to the server's output root; it does not go with --output-root/],
    ['--token-file without --files-from', ['worker', '--queue', 'redis://127.0.0.1:1', '--token-file', 'token'], /^framewright: worker: --token-file goes with --files-from$/],
    ['an unreadable --token-file', ['worker', '--queue', 'redis://127.0.0.1:1', '--files-from', 'http://127.0.0.1:7878', '--token-file', 'no-such-token'], /^framewright: worker: cannot read --token-file .*no-such-token: ENOENT$/],
  ];
  it.each(cases)('%s', async (_what, argv, message) => {
    const { code, out, err, cwd } = await run(argv);
    expect(code).toBe(EXIT.usage);
    expect(err.trimEnd()).toMatch(message);
    expect(err.trimEnd().split('\n')).toHaveLength(1);
    expect(out).toBe('');
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('with --json also prints {"error":{code,message}} on stdout', async () => {
    const { code, out, err } = await run(['clip-cut', 'a.mp4', '--json', '--threshold', 'content=300']);
    expect(code).toBe(2);
    expect(JSON.parse(out)).toEqual({ error: { code: 'INVALID_PARAMS', message: 'clip-cut: --threshold content must be <= 255', pointer: '/thresholds/content' } });
    expect(err).toBe('framewright: clip-cut: --threshold content must be <= 255\n');
  });

  it('says which --port to pass when the port is taken', async () => {
    const { createServer } = await import('node:net');
    const taken = createServer();
    await new Promise<void>((done) => taken.listen(0, '127.0.0.1', done));
    const port = (taken.address() as { port: number }).port;
    try {
      const c = captured();
      const code = await main(['serve', '--port', String(port)], { ...c.io, env: { ...c.io.env, FRAMEWRIGHT_CONFIG_DIR: join(c.cwd, 'config'), FRAMEWRIGHT_DATA_DIR: join(c.cwd, 'data') } });
      expect(code).not.toBe(0);
      expect(c.err()).toContain(`port ${port} is taken, perhaps by another \`framewright serve\`: pass --port ${port + 1}, or --port 0 for a free one`);
    } finally {
      taken.close();
    }
  });

  it('treats --help after -- as a file name, not a request for help', async () => {
    const { code, err } = await run(['clip-cut', '--json', '--', '--help']);
    expect(code).toBe(EXIT.inputNotFound);
    expect(err).toMatch(/--help/);
  });
});

describe('exit codes', () => {
  it('map each user error to its own code and everything else to 1', () => {
    expect(exitCodeOf('INVALID_PARAMS')).toBe(2);
    expect(exitCodeOf('INPUT_NOT_FOUND')).toBe(3);
    expect(exitCodeOf('UNSUPPORTED_MEDIA')).toBe(4);
    expect(exitCodeOf('OUTPUT_NOT_ALLOWED')).toBe(5);
    expect(exitCodeOf('OUTPUT_FAILED')).toBe(5);
    expect(exitCodeOf('FFMPEG_NOT_FOUND')).toBe(6);
    expect(exitCodeOf('CANCELLED')).toBe(130);
    expect(exitCodeOf('INTERNAL')).toBe(1);
    expect(exitCodeOf('FFMPEG_FAILED')).toBe(1);
    for (const code of ERROR_CODES) expect([0, 1, 2, 3, 4, 5, 6, 7, 130]).toContain(exitCodeOf(code));
  });
});

describe('progress bar', () => {
  it('shows stage, percent, frames per second and ETA', () => {
    expect(renderProgress({ stage: 'analyse', fraction: 0.425, framesPerSecond: 118.4, etaSeconds: 67 }, 80)).toBe(
      'analyse  [#############-----------------]  42%  118 fps  ETA 1:07',
    );
  });

  it('draws on a terminal and nothing elsewhere', () => {
    const tty = captured(undefined, true);
    new ProgressBar(tty.io.stderr).update({ stage: 'probe', fraction: 0 });
    expect(tty.err()).toContain('probe');
    const pipe = captured(undefined, false);
    const bar = new ProgressBar(pipe.io.stderr);
    bar.update({ stage: 'probe', fraction: 0 });
    bar.clear();
    expect(pipe.err()).toBe('');
    expect(existsSync(pipe.cwd)).toBe(true);
  });
});
