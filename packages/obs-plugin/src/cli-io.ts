import { parseArgs } from 'node:util';
import { isSdkError } from '@framewright/core/client';
import { EXIT, exitCodeOf, nearest } from '@framewright/core/host';
import { isFramewrightError } from '@framewright/core/protocol';
import { ObsAdapterError } from './errors.js';

/** A stream the commands write to. */
export interface CliStream {
  /** Writes text as is. */
  write(text: string): void;
}

/** What the `framewright obs` commands touch outside themselves (tests pass their own). */
export interface ObsCliIo {
  /** Results. */
  readonly stdout: CliStream;
  /** Messages for people. */
  readonly stderr: CliStream;
  /** Environment variables. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Folder relative paths are resolved against. */
  readonly cwd: string;
  /** Calls `handler` on Ctrl+C or SIGTERM until the returned function is called. */
  onInterrupt(handler: () => void): () => void;
}

/** The real process's streams, environment, folder and signals. */
export function processIo(): ObsCliIo {
  return {
    stdout: { write: (t) => void process.stdout.write(t) },
    stderr: { write: (t) => void process.stderr.write(t) },
    env: process.env,
    cwd: process.cwd(),
    onInterrupt(handler) {
      process.on('SIGINT', handler);
      process.on('SIGTERM', handler);
      return () => {
        process.off('SIGINT', handler);
        process.off('SIGTERM', handler);
      };
    },
  };
}

/** Exit codes: the numbers `framewright` uses, plus 8 for OBS problems. */
export const OBS_EXIT = Object.freeze({
  ...EXIT,
  /** OBS not running, refused the password, too old, or went away for good. */
  obs: 8,
  /** The OBS scene named (with `--scene`) does not exist. */
  scene: 9,
});

/** Prints one line `framewright obs: <message>` and returns the exit code for the error. */
export function reportFailure(io: ObsCliIo, error: unknown): number {
  const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
  io.stderr.write(`framewright obs: ${message}\n`);
  if (io.env['FRAMEWRIGHT_DEBUG'] === '1' && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
  if (error instanceof ObsAdapterError) {
    if (error.code === 'BAD_ARGUMENTS') return OBS_EXIT.usage;
    if (error.code === 'OBS_CONFIG_INVALID') return OBS_EXIT.usage;
    if (error.code === 'OBS_SCENE_NOT_FOUND') return OBS_EXIT.scene;
    return OBS_EXIT.obs;
  }
  if (isFramewrightError(error)) return exitCodeOf(error.code);
  // The engine could not be reached or refused the connection: it is not available here.
  if (isSdkError(error) && (error.code === 'CONNECTION_FAILED' || error.code === 'CONNECTION_REJECTED' || error.code === 'CONNECTION_CLOSED')) return OBS_EXIT.unavailable;
  return OBS_EXIT.internal;
}

/** Flag definitions for `parseArgs`. */
export type FlagSpecs = Record<string, { type: 'string' | 'boolean' }>;

/** Parsed flags and positionals. */
export interface Parsed {
  readonly flags: Readonly<Record<string, string | boolean | undefined>>;
  readonly positionals: string[];
}

/** Parses flags strictly; an unknown flag or a missing value is a `BAD_ARGUMENTS` error naming it. */
export function parseCommand(command: string, argv: readonly string[], options: FlagSpecs): Parsed {
  try {
    const { values, positionals } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: true });
    return { flags: values as Parsed['flags'], positionals };
  } catch (error) {
    const message = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
    const flag = (error as { code?: unknown }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? /'(--[\w-]+)'/.exec(message)?.[1] : undefined;
    const near = flag === undefined ? '' : suggestion(flag, Object.keys(options).map((name) => `--${name}`));
    throw new ObsAdapterError('BAD_ARGUMENTS', `obs ${command}: ${message} (${near}see \`framewright obs ${command} --help\`)`);
  }
}

/** `did you mean X? ` for the candidate nearest to what was typed, or nothing. */
export function suggestion(typed: string, candidates: readonly string[]): string {
  const near = nearest(typed, candidates);
  return near === undefined ? '' : `did you mean ${near}? `;
}

/** A string flag's value. */
export function stringFlag(parsed: Parsed, name: string): string | undefined {
  const value = parsed.flags[name];
  return typeof value === 'string' ? value : undefined;
}

/** An integer flag's value within `[min, max]`. */
export function integerFlag(parsed: Parsed, name: string, min: number, max: number): number | undefined {
  const text = stringFlag(parsed, name);
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new ObsAdapterError('BAD_ARGUMENTS', `--${name} must be a whole number from ${min} to ${max}, not ${JSON.stringify(text)}`);
  }
  return value;
}
