// What becomes of a job whose worker died mid-run: run again where that is safe, else failed
// with INTERRUPTED, as the in-process journal reports jobs a crashed server cut off.
import { basename } from 'node:path';
import { INTERRUPTED_MESSAGE } from '../jobs/index.js';
import type { JobRecord } from './keys.js';

/** Runs of one job at most (a retry-safe job cut off once more is failed). */
export const MAX_ATTEMPTS = 2;

/** Names of removed files an error message lists. */
const LISTED_NAMES = 5;

/**
 * True when running a job again cannot harm what a user has: clip-cut that only analyses (its
 * exports go to the job's own folder under the output root, and it writes no clip files).
 * A job that writes into a folder the user named, or writes media, is never run twice.
 */
export function isRetrySafe(record: JobRecord): boolean {
  if (record.job.op !== 'clip-cut') return false;
  const params = (record.params ?? {}) as { outputDir?: unknown; exports?: unknown };
  if (params.outputDir !== undefined) return false;
  const exports = Array.isArray(params.exports) ? params.exports : ['json'];
  return !exports.includes('clips') && !exports.includes('thumbnails');
}

function listed(paths: readonly string[]): string {
  const names = paths.slice(0, LISTED_NAMES).map((p) => basename(p));
  return paths.length > LISTED_NAMES ? `${names.join(', ')} and ${paths.length - LISTED_NAMES} more` : names.join(', ');
}

/** The error message of a job a dead worker cut off, with what was removed of its outputs. */
export function interruptedMessage(removed: readonly string[], failed: readonly string[]): string {
  const base = INTERRUPTED_MESSAGE.replace('the server stopped', 'its worker stopped');
  const notes = [
    ...(removed.length === 0 ? [] : [`removed ${removed.length} unfinished output${removed.length === 1 ? '' : 's'}: ${listed(removed)}`]),
    ...(failed.length === 0 ? [] : [`could not remove ${listed(failed)}`]),
  ];
  return notes.length === 0 ? base : `${base} (${notes.join('; ')})`;
}
