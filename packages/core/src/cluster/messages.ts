// The messages between a worker and its job process (Node IPC): the worker sends runs and
// cancels, the job process sends what the engine reports.
import type { OperationCapability, OperationName, WireError } from '../protocol/index.js';
import type { OutputRecord } from '../util/outputs.js';
import type { PathMapping } from './path-map.js';

/** A run the worker hands its job process (paths already in this machine's terms). */
export interface RunRequest {
  readonly type: 'run';
  readonly id: string;
  readonly op: OperationName;
  readonly params: unknown;
  /** Outputs must lie under it. */
  readonly outputRoot: string;
  /** Where a job without `outputDir` writes. */
  readonly defaultOutputDir: string;
  /** Most memory the run may need by its operation's estimate. */
  readonly memoryBudgetBytes?: number;
  /** The folders of this machine and how the job's client names them: paths inside the files the run writes are named the client's way. */
  readonly pathsInFiles?: readonly PathMapping[];
}

/** Worker → job process. */
export type ToChild =
  | { readonly type: 'capabilities' }
  | RunRequest
  | { readonly type: 'cancel'; readonly id: string }
  | { readonly type: 'ack'; readonly seq: number };

/** Job process → worker. */
export type FromChild =
  | { readonly type: 'capabilities'; readonly operations: OperationCapability[]; readonly executionProviders: string[] }
  | { readonly type: 'progress'; readonly id: string; readonly progress: unknown }
  | { readonly type: 'outputs'; readonly id: string; readonly seq: number; readonly record: OutputRecord }
  | { readonly type: 'done'; readonly id: string; readonly result: unknown }
  | { readonly type: 'failed'; readonly id: string; readonly error: WireError };
