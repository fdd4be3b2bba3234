/**
 * Jobs: the in-process queue (concurrency limit, progress, cancel, events) and its journal. The
 * queue runs jobs through a {@link JobRunner} it is given (the server's runs them on the engine).
 */
export { JobQueue } from './queue.js';
export type { JobQueueOptions, JobRunContext, JobRunner } from './queue.js';
export type { JobEvent, JobStateEvent, JobProgressEvent } from './service.js';
export { withEta } from './service.js';
export type { JobService } from './service.js';
export { JobJournal, INTERRUPTED_MESSAGE } from './journal.js';
export type { LoadedJournal, RecoveredJob } from './journal.js';
