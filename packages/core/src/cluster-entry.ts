/**
 * `@framewright/core/cluster`: the worker side of `framewright serve --queue redis://…`. A worker
 * announces what it can run (operations, model packs, execution providers), takes only those jobs
 * from the BullMQ queues on Redis and runs each in a job process of its own; `framewright worker`
 * is built on it. The server side needs nothing from here: `startServer({ queue })` from
 * `@framewright/core`.
 *
 * @example Run jobs from a studio's queue, with the shared folder mounted elsewhere here
 * ```ts
 * import { parsePathMapping, startWorker } from '@framewright/core/cluster';
 *
 * const worker = await startWorker({ url: 'redis://10.0.0.5:6379', pathMap: [parsePathMapping('/mnt/studio=/Volumes/studio')] });
 * process.on('SIGINT', () => void worker.close());
 * ```
 *
 * @example A machine with no shared folder: inputs come from the server, outputs go back to it
 * ```ts
 * import { startWorker } from '@framewright/core/cluster';
 *
 * const worker = await startWorker({ url: 'redis://10.0.0.5:6379', filesFrom: { url: 'http://10.0.0.1:7878', token: process.env.FRAMEWRIGHT_TOKEN! } });
 * ```
 *
 * Any new export added here becomes public API; test/api-report.test.ts holds the list.
 * @module cluster
 */
export { startWorker, parsePathMapping } from './cluster/index.js';
export type { ClusterWorkerOptions, RunningWorker, PathMapping, WorkerAnnouncement, FilesFromServer } from './cluster/index.js';
