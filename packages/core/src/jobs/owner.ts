// Which process a journal record belongs to, so a server never takes over the jobs of another
// server that is still running on the same data folder (it would report them failed and delete
// their outputs from under them).
import { readFileSync } from 'node:fs';

/** The process that wrote a journal record. */
export interface JobOwner {
  /** Its process id. */
  readonly pid: number;
  /** When it started, in clock ticks after boot (Linux `/proc/<pid>/stat`), telling it apart from a later process with its pid. */
  readonly started?: string;
}

/** State and start time of a process from `/proc/<pid>/stat`, where there is one. */
function procStat(pid: number): { state: string; started: string } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: fields are counted after its last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const [state, started] = [fields[0], fields[19]];
    return state === undefined || started === undefined ? undefined : { state, started };
  } catch {
    return undefined;
  }
}

/** Process `pid` as a journal record names it (its start time where the system tells it). */
export function ownerOfProcess(pid: number): JobOwner {
  const stat = procStat(pid);
  return stat === undefined ? { pid } : { pid, started: stat.started };
}

/** This process, as its journal records name it. */
export const CURRENT_OWNER: JobOwner = ownerOfProcess(process.pid);

/**
 * True when `owner` is another process that is still running: its jobs are its own. This process
 * (an earlier queue of it) and processes that are gone are not; where start times cannot be
 * read, a live process with the pid counts as the owner.
 */
export function ownedElsewhere(owner: JobOwner): boolean {
  if (owner.pid === CURRENT_OWNER.pid && owner.started === CURRENT_OWNER.started) return false;
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (owner.started === undefined) return true;
  const now = procStat(owner.pid);
  return now !== undefined && now.state !== 'Z' && now.started === owner.started;
}

/** True when `value` has the shape of a {@link JobOwner}. */
export function isJobOwner(value: unknown): value is JobOwner {
  if (typeof value !== 'object' || value === null) return false;
  const o = value as Record<string, unknown>;
  return Number.isInteger(o['pid']) && (o['started'] === undefined || typeof o['started'] === 'string');
}
