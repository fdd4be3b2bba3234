/**
 * How `framewright` finds its host adapters without depending on them. An adapter is an npm
 * package installed beside `@framewright/core` - in the working folder's project, or wherever
 * `framewright` itself is installed (a global install finds global adapters). Its `package.json`
 * declares:
 * - `bin: { "framewright-<command>": "<file>" }`: the program that `framewright <command> …`
 *   runs as a child process, with every argument after the command;
 * - optionally `framewright: { pages: { "<url prefix>": "<folder>" } }`: folders that
 *   `framewright serve` serves (the OBS dock at `/dock/`).
 * No adapter code is loaded into the engine's process.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { FramewrightError } from '../../protocol/index.js';
import type { CliIo } from '../io.js';
import type { Command } from './types.js';

/** A host adapter `framewright` knows by name: the command it adds and the package that provides it. */
export interface KnownAdapter {
  /** What the user types: `framewright <command>`. */
  readonly command: string;
  /** The npm package that provides it. */
  readonly packageName: string;
  /** One line for `framewright --help`. */
  readonly summary: string;
}

/** The host adapters, in the order `framewright --help` lists them. */
export const KNOWN_ADAPTERS: readonly KnownAdapter[] = Object.freeze([
  { command: 'obs', packageName: '@framewright/obs-plugin', summary: 'OBS Studio adapter' },
  { command: 'resolve', packageName: '@framewright/davinci-bridge', summary: 'DaVinci Resolve bridge' },
  { command: 'premiere', packageName: '@framewright/premiere-uxp', summary: 'Premiere Pro UXP plugin tools' },
]);

/** What `framewright` reads from an adapter's `package.json`. */
interface AdapterManifest {
  readonly bin?: string | Record<string, string>;
  readonly framewright?: { readonly pages?: Record<string, string> };
}

/** An installed adapter package. */
export interface InstalledAdapter {
  /** Its folder. */
  readonly dir: string;
  /** Its `package.json`. */
  readonly manifest: AdapterManifest;
}

/** The `node_modules` folders searched for adapters: the working folder's, then those of this installation. */
function searchFolders(packageName: string, cwd: string): string[] {
  const fromCwd = createRequire(join(resolve(cwd), 'package.json')).resolve.paths(packageName) ?? [];
  const fromHere = createRequire(import.meta.url).resolve.paths(packageName) ?? [];
  return [...new Set([...fromCwd, ...fromHere])];
}

/**
 * Finds an installed adapter package by name (see the module comment for where it looks).
 * @returns undefined when it is not installed
 */
export function findAdapter(packageName: string, cwd: string): InstalledAdapter | undefined {
  for (const folder of searchFolders(packageName, cwd)) {
    const file = join(folder, packageName, 'package.json');
    if (!existsSync(file)) continue;
    let manifest: unknown;
    try {
      manifest = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new FramewrightError('INTERNAL', `${file} is not valid JSON: reinstall ${packageName}`, { cause: error });
    }
    if (typeof manifest !== 'object' || manifest === null) throw new FramewrightError('INTERNAL', `${file} is not a package manifest: reinstall ${packageName}`);
    return { dir: join(folder, packageName), manifest: manifest as AdapterManifest };
  }
  return undefined;
}

function exitCodeOfSignal(signal: NodeJS.Signals): number {
  return 128 + (constants.signals[signal] ?? 0);
}

/**
 * Runs an adapter's `framewright-<command>` program with `argv`, its output passed on to `io`.
 * Ctrl+C reaches the program from the terminal itself; a SIGTERM sent to `framewright` is
 * passed on. Resolves with the program's exit code (128 + the signal number when a signal ended it).
 * @throws FramewrightError `OPERATION_UNAVAILABLE` naming the package to install when it is missing
 */
export async function runAdapterCli(command: string, packageName: string, argv: readonly string[], io: CliIo): Promise<number> {
  const adapter = findAdapter(packageName, io.cwd);
  if (adapter === undefined) {
    throw new FramewrightError('OPERATION_UNAVAILABLE', `\`framewright ${command}\` needs the ${packageName} package: npm install ${packageName}`);
  }
  const program = `framewright-${command}`;
  const bin = typeof adapter.manifest.bin === 'object' ? adapter.manifest.bin[program] : undefined;
  if (bin === undefined) {
    throw new FramewrightError('OPERATION_UNAVAILABLE', `${packageName} is installed but has no ${program} program (no such bin in its package.json): update it`);
  }
  const env = Object.fromEntries(Object.entries(io.env).filter((e): e is [string, string] => e[1] !== undefined));
  const child = spawn(process.execPath, [join(adapter.dir, bin), ...argv], { cwd: io.cwd, env, stdio: ['inherit', 'pipe', 'pipe'] });
  child.stdout.setEncoding('utf8').on('data', (text: string) => io.stdout.write(text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => io.stderr.write(text));
  // The terminal sends Ctrl+C to the whole process group, so passing SIGINT on would deliver it
  // twice (a second Ctrl+C means "quit now" to most programs).
  const offInterrupt = io.onInterrupt((signal) => {
    if (signal !== 'SIGINT') child.kill(signal as NodeJS.Signals);
  });
  try {
    return await new Promise<number>((done, fail) => {
      child.once('error', (error) => fail(new FramewrightError('INTERNAL', `cannot run ${program} of ${packageName}: ${error.message}`, { cause: error })));
      child.once('close', (code, signal) => done(signal !== null ? exitCodeOfSignal(signal) : (code ?? 1)));
    });
  } finally {
    offInterrupt();
  }
}

/**
 * The pages that installed adapters ask `framewright serve` to serve (their
 * `framewright.pages`), e.g. the OBS dock at `/dock/`. Folders that do not exist (an adapter
 * that was not built) and adapters that are not installed add none.
 */
export function adapterPages(cwd: string, adapters: readonly KnownAdapter[] = KNOWN_ADAPTERS): Record<string, string> {
  const pages: Record<string, string> = {};
  for (const { packageName } of adapters) {
    const adapter = findAdapter(packageName, cwd);
    if (adapter === undefined) continue;
    for (const [prefix, folder] of Object.entries(adapter.manifest.framewright?.pages ?? {})) {
      const path = resolve(adapter.dir, folder);
      const rel = relative(adapter.dir, path);
      if (rel.startsWith('..') || isAbsolute(rel)) throw new FramewrightError('INTERNAL', `${packageName} asks to serve ${folder}, which is outside its package folder: update it`);
      if (existsSync(path)) pages[prefix] = path;
    }
  }
  return pages;
}

/** A command that hands its arguments to a host adapter's program. */
export function adapterCommand({ command, packageName }: KnownAdapter): Command {
  return {
    name: command,
    help: `Usage: framewright ${command} ...\n\nProvided by ${packageName}; once it is installed, \`framewright ${command} --help\` shows its options.`,
    passThrough: true,
    run: (argv, io) => runAdapterCli(command, packageName, argv, io),
  };
}
