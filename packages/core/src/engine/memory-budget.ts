// The memory budget of one run: a request whose estimated memory (from its operation's check)
// exceeds it is refused at submit, before anything is decoded or loaded.
import { totalmem } from 'node:os';
import { FramewrightError } from '../protocol/index.js';
import type { MemoryNeed } from '../ops/index.js';

/** The default budget never exceeds this, however large the machine. */
export const MAX_DEFAULT_MEMORY_BUDGET = 32 * 2 ** 30;
/** Nor falls below this, however small. */
const MIN_DEFAULT_MEMORY_BUDGET = 2 ** 30;

/**
 * The memory one run may use unless told otherwise: half of this machine's memory (the rest is
 * for the system, the host application and other jobs), at least 1 GiB, at most 32 GiB.
 *
 * @example
 * ```ts
 * defaultMemoryBudget(16 * 2 ** 30); // 8 GiB
 * ```
 */
export function defaultMemoryBudget(total = totalmem()): number {
  return Math.min(MAX_DEFAULT_MEMORY_BUDGET, Math.max(MIN_DEFAULT_MEMORY_BUDGET, Math.floor(total / 2)));
}

const UNITS = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

/**
 * Bytes for a message: `1.6 GiB`, `512 MiB`, `900 bytes` (binary units, at most one decimal).
 *
 * @example
 * ```ts
 * formatBytes(1.6 * 2 ** 30); // "1.6 GiB"
 * ```
 */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const shown = unit === 0 || value >= 100 ? Math.round(value).toString() : (Math.round(value * 10) / 10).toString();
  return `${shown} ${UNITS[unit]}`;
}

const SIZE = /^(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b)?$/i;

/**
 * Parses a memory size as people write it: `2GB`, `2G`, `2GiB`, `512M`, `1.5g`, `1073741824`.
 * Units are binary (1 G = 2^30 bytes, as `docker --memory` and `java -Xmx` read them).
 * Returns undefined for anything else.
 *
 * @example
 * ```ts
 * parseByteSize('2GB'); // 2147483648
 * ```
 */
export function parseByteSize(text: string): number | undefined {
  const match = SIZE.exec(text.trim());
  if (match === null) return undefined;
  const power = ' kmgt'.indexOf((match[2] || ' ').toLowerCase());
  if (match[2] === '' && match[3] !== undefined && match[3].toLowerCase() === 'ib') return undefined;
  const bytes = Math.round(Number(match[1]) * 1024 ** power);
  return Number.isSafeInteger(bytes) && bytes > 0 ? bytes : undefined;
}

/**
 * Refuses a run whose estimated memory exceeds `budget`.
 * @throws FramewrightError `INVALID_PARAMS` naming the need, the budget and how to raise it
 */
export function checkMemoryBudget(op: string, need: MemoryNeed | undefined, budget: number): void {
  if (need === undefined || need.bytes <= budget) return;
  throw new FramewrightError(
    'INVALID_PARAMS',
    `${op} needs about ${formatBytes(need.bytes)} of memory for ${need.what}; the memory budget is ${formatBytes(budget)} (framewright serve --memory-budget): ask for less, or raise the budget`,
    need.pointer === undefined ? {} : { pointer: need.pointer },
  );
}
