/**
 * The cluster: the same jobs on BullMQ over Redis. A server's {@link RedisJobQueue} queues them
 * and answers from Redis; workers ({@link startWorker}) announce what they can run and take only
 * those jobs, each run in a job process of their own.
 */
export { RedisJobQueue } from './redis-queue.js';
export type { RedisJobQueueOptions } from './redis-queue.js';
export { startWorker } from './worker.js';
export type { ClusterWorkerOptions, RunningWorker } from './worker.js';
export { ClusterKeys, DEFAULT_PREFIX, routeOf, routesOf, redisOptions } from './keys.js';
export type { JobRecord, WorkerAnnouncement, ClusterEvent } from './keys.js';
export { PathMap, parsePathMapping } from './path-map.js';
export type { PathMapping } from './path-map.js';
export { isRetrySafe } from './recovery.js';
export { FileServer, parseFilesFromUrl, removeStaleStaging, StagedJob } from './remote-files.js';
export type { FilesFromServer } from './remote-files.js';
export { paramPaths } from './path-map.js';
export type { ParamPath } from './path-map.js';
