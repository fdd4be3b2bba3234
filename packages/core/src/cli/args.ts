import { parseArgs, type ParseArgsConfig } from 'node:util';
import { nearest } from '../util/suggest.js';
import { usageError } from './exit-codes.js';

/** One flag a command accepts. */
export interface FlagSpec {
  /** `string` flags take a value (`--out DIR` or `--out=DIR`); `boolean` flags do not. */
  readonly type: 'string' | 'boolean';
  /** One-letter alias. */
  readonly short?: string;
  /** May be given more than once (values are collected). */
  readonly multiple?: boolean;
}

/** Flags and positionals of one command line. */
export interface ParsedArgs {
  /** Flag values by long name; absent flags are absent. */
  readonly flags: Readonly<Record<string, string | boolean | string[] | boolean[] | undefined>>;
  /** Arguments that are not flags (everything after `--` included). */
  readonly positionals: string[];
}

/**
 * Parses a command line strictly: an unknown flag, a missing value or a value for a boolean
 * flag is a usage error naming the flag. A positional that starts with `-` goes after `--`.
 */
export function parseFlags(command: string, argv: readonly string[], spec: Readonly<Record<string, FlagSpec>>): ParsedArgs {
  // A negative number after a flag that takes a value is that value (`--min-clip-seconds -1`),
  // not an unknown flag: join the two so the range check can name the flag.
  const takesValue = (arg: string | undefined) =>
    arg !== undefined && Object.entries(spec).some(([name, f]) => f.type === 'string' && (arg === `--${name}` || (f.short !== undefined && arg === `-${f.short}`)));
  const joined: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      joined.push(...argv.slice(i));
      break;
    }
    const next = argv[i + 1];
    if (takesValue(arg) && next !== undefined && /^-(\d|\.\d)/.test(next)) {
      joined.push(`${arg}=${next}`);
      i++;
    } else joined.push(arg);
  }
  try {
    const { values, positionals } = parseArgs({ args: joined, options: spec as NonNullable<ParseArgsConfig['options']>, strict: true, allowPositionals: true });
    return { flags: values as ParsedArgs['flags'], positionals };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const message = error instanceof Error ? error.message : String(error);
    // Node's messages quote the flag as '-o, --out <value>' or '--bogus': name the long form.
    const flag = /(--[\w-]+)/.exec(message)?.[1] ?? /'(-\w)/.exec(message)?.[1] ?? '';
    const help = `(see \`framewright ${command} --help\`)`;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const near = flag.startsWith('--') ? nearest(flag, Object.keys(spec).map((name) => `--${name}`)) : undefined;
      if (near !== undefined) throw usageError(`${command}: unknown flag ${flag}: did you mean ${near}? ${help}`);
      throw usageError(`${command}: unknown flag ${flag} ${help}; a file name that starts with '-' goes after '--'`);
    }
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      if (/does not take an argument/.test(message)) throw usageError(`${command}: ${flag} takes no value`);
      throw usageError(`${command}: ${flag} needs a value (write ${flag}=VALUE for a value that starts with '-')`);
    }
    throw usageError(`${command}: ${message.split('\n')[0] ?? message}`);
  }
}

/** The value of a string flag that may be given once. */
export function stringFlag(args: ParsedArgs, name: string): string | undefined {
  const value = args.flags[name];
  return typeof value === 'string' ? value : undefined;
}

/** True when a boolean flag is set. */
export function booleanFlag(args: ParsedArgs, name: string): boolean {
  return args.flags[name] === true;
}

/**
 * A numeric flag. Rejects anything that is not a plain decimal number, and values outside
 * `[min, max]` (or non-integers when `integer`), naming the flag.
 */
export function numberFlag(
  command: string,
  args: ParsedArgs,
  name: string,
  range: { min?: number; max?: number; integer?: boolean } = {},
): number | undefined {
  const raw = stringFlag(args, name);
  if (raw === undefined) return undefined;
  const value = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(raw.trim()) ? Number(raw) : Number.NaN;
  const kind = range.integer ? 'an integer' : 'a number';
  if (!Number.isFinite(value) || (range.integer && !Number.isInteger(value))) {
    throw usageError(`${command}: --${name} must be ${kind}, got ${JSON.stringify(raw)}`);
  }
  if ((range.min !== undefined && value < range.min) || (range.max !== undefined && value > range.max)) {
    throw usageError(`${command}: --${name} must be between ${range.min ?? '-∞'} and ${range.max ?? '∞'}, got ${raw}`);
  }
  return value;
}

/** A comma-separated list flag whose items must come from `allowed`; duplicates are dropped. */
export function listFlag<T extends string>(command: string, args: ParsedArgs, name: string, allowed: readonly T[]): T[] | undefined {
  const raw = stringFlag(args, name);
  if (raw === undefined) return undefined;
  const items = raw.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (items.length === 0) throw usageError(`${command}: --${name} needs at least one of ${allowed.join(', ')}`);
  for (const item of items) {
    if (!(allowed as readonly string[]).includes(item)) {
      throw usageError(`${command}: --${name} has unknown value ${JSON.stringify(item)} (choose from ${allowed.join(', ')})`);
    }
  }
  return [...new Set(items)] as T[];
}

/** Exactly `count` positionals, else a usage error naming what is missing or extra. */
export function positionalArgs(command: string, args: ParsedArgs, names: readonly string[]): string[] {
  if (args.positionals.length < names.length) throw usageError(`${command}: missing ${names[args.positionals.length]} (see \`framewright ${command} --help\`)`);
  if (args.positionals.length > names.length) throw usageError(`${command}: unexpected argument ${JSON.stringify(args.positionals[names.length])}`);
  return args.positionals;
}
