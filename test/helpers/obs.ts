// Starts and stops a real OBS Studio for tests: its own Xvfb display, its own HOME (so nothing
// of the user's OBS is touched), obs-websocket on a free port with a password, software GL.
// Each test file starts the OBS it needs and stops it afterwards; .ci/run only installs
// obs-studio and xvfb.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../packages/obs-plugin/test/free-port.js';

/** A running OBS. */
export interface RealObs {
  /** obs-websocket URL. */
  readonly url: string;
  /** obs-websocket password. */
  readonly password: string;
  /** The HOME OBS runs with (its config is in `.config/obs-studio`). */
  readonly home: string;
  /** A folder for recordings and test media. */
  readonly workDir: string;
  /** OBS's stdout/stderr so far (for failure messages). */
  log(): string;
  /** Stops OBS and its display and removes the temporary HOME. */
  stop(): Promise<void>;
  /** Quits OBS only (the display and HOME stay), as a user closing OBS. */
  quit(): Promise<void>;
  /** Starts OBS again after {@link RealObs.quit}, with the same HOME and port. */
  launch(): Promise<void>;
}

/** Why real-OBS tests cannot run here, or undefined when they can. */
export function realObsUnavailable(): string | undefined {
  for (const tool of ['obs', 'Xvfb']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `${tool} is not installed (apt-get install obs-studio xvfb)`;
  }
  return undefined;
}

function freeDisplay(): number {
  for (let n = 90 + Math.floor(Math.random() * 100); n < 400; n++) {
    if (!existsSync(`/tmp/.X${n}-lock`) && !existsSync(`/tmp/.X11-unix/X${n}`)) return n;
  }
  throw new Error('no free X display number between 90 and 400');
}

async function waitFor(what: string, check: () => Promise<boolean> | boolean, ms: number, log: () => string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} within ${ms} ms; log:\n${log().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function terminate(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Options of {@link startObs}. */
export interface StartObsOptions {
  /**
   * Configures obs-websocket instead of the helper, e.g. by running `framewright obs setup
   * --apply` on the config folder; resolves with the password it set. The folder already holds
   * a global.ini that marks the first run as done.
   */
  configure?: (obsConfigDir: string, port: number) => Promise<string>;
}

/**
 * Starts OBS under a fresh Xvfb display. The global.ini marks the first run as done (no
 * auto-configuration wizard, whose modal dialog blocks StartRecord) and enables obs-websocket
 * with authentication.
 */
export async function startObs(options: StartObsOptions = {}): Promise<RealObs> {
  const root = mkdtempSync(join(tmpdir(), 'fw-obs-'));
  const home = join(root, 'home');
  const workDir = join(root, 'work');
  const configDir = join(home, '.config', 'obs-studio');
  mkdirSync(configDir, { recursive: true });
  mkdirSync(workDir);
  const port = await freePort();
  let password = `pw-${Math.random().toString(36).slice(2)}`;
  const websocket = options.configure
    ? []
    : ['[OBSWebSocket]', 'FirstLoad=false', 'ServerEnabled=true', `ServerPort=${port}`, 'AlertsEnabled=false', 'AuthRequired=true', `ServerPassword=${password}`];
  writeFileSync(join(configDir, 'global.ini'), ['[General]', 'FirstRun=true', ...websocket, ''].join('\n'));
  if (options.configure) {
    try {
      password = await options.configure(configDir, port);
    } catch (error) {
      rmSync(root, { recursive: true, force: true });
      throw error;
    }
  }
  const display = freeDisplay();
  let output = '';
  const append = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-20000);
  };
  const xvfb = spawn('Xvfb', [`:${display}`, '-screen', '0', '1280x720x24', '-nolisten', 'tcp'], { stdio: ['ignore', 'pipe', 'pipe'] });
  xvfb.stderr?.on('data', append);
  const log = (): string => output;
  const obsProcesses: ChildProcess[] = [];
  const stop = async (): Promise<void> => {
    for (const child of obsProcesses) await terminate(child, 5000);
    await terminate(xvfb, 2000);
    rmSync(root, { recursive: true, force: true });
  };
  const launch = async (): Promise<void> => {
    const obs = spawn('obs', ['--minimize-to-tray', '--disable-shutdown-check', '--multi'], {
      cwd: workDir,
      env: { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, '.config'), DISPLAY: `:${display}`, LIBGL_ALWAYS_SOFTWARE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    obsProcesses.push(obs);
    obs.stdout?.on('data', append);
    obs.stderr?.on('data', append);
    await waitFor('obs-websocket did not listen', async () => {
      if (obs.exitCode !== null) throw new Error(`obs exited with ${obs.exitCode}; log:\n${log().slice(-3000)}`);
      return listening(port);
    }, 30_000, log);
  };
  try {
    await waitFor('Xvfb did not start', () => existsSync(`/tmp/.X11-unix/X${display}`), 10_000, log);
    await launch();
  } catch (error) {
    await stop();
    throw error;
  }
  const quit = async (): Promise<void> => {
    for (const child of obsProcesses.splice(0)) await terminate(child, 5000);
  };
  return { url: `ws://127.0.0.1:${port}`, password, home, workDir, log, stop, quit, launch };
}
