import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { OPERATION_NAMES, isFramewrightError } from '../../protocol/index.js';
import { parseByteSize } from '../../engine/index.js';
import { parseFilesFromUrl, parsePathMapping, startWorker } from '../../cluster/index.js';
import { booleanFlag, listFlag, numberFlag, parseFlags, positionalArgs, stringFlag, type ParsedArgs } from '../args.js';
import { usageError } from '../exit-codes.js';
import { nextInterrupt, type CliIo } from '../io.js';
import type { Command } from './types.js';

const FLAGS = {
  queue: { type: 'string' },
  concurrency: { type: 'string', short: 'c' },
  ops: { type: 'string' },
  'path-map': { type: 'string', multiple: true },
  'output-root': { type: 'string' },
  'files-from': { type: 'string' },
  'token-file': { type: 'string' },
  'staging-dir': { type: 'string' },
  'memory-budget': { type: 'string' },
  'lock-seconds': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const HELP = `Usage: framewright worker --queue redis://HOST:PORT [options]

Runs the jobs of a cluster: \`framewright serve --queue\` servers put them on BullMQ queues in
Redis, and this worker takes those it can run. It announces its capabilities (the operations
and model packs of this machine, its ONNX execution providers) and takes only matching jobs: a
GPU worker with an image model takes image-gen, a CPU worker takes clip-cut. Each job runs in a
job process of its own. Ctrl+C (or SIGTERM) stops taking jobs and waits for the running ones;
a second one stops at once (the running jobs are then taken over, as after a crash).

Options:
  --queue URL            the cluster's Redis (redis://HOST:PORT[/DB]; rediss:// for TLS)
  -c, --concurrency N    jobs run at once, one job process each (default 1)
  --ops LIST             take only these operations, comma-separated (${OPERATION_NAMES.join(', ')});
                         default: every one that runs on this machine
  --path-map R=L         a shared folder: jobs name it R, this machine mounts it at L (e.g.
                         /mnt/studio=/Volumes/studio); repeatable. With maps, jobs reach only
                         files in the mapped folders
  --output-root DIR      where jobs may write on this machine when there is no path map (default:
                         FRAMEWRIGHT_OUTPUT_ROOT or ~/Framewright); a job whose server writes
                         elsewhere is refused. With path maps, jobs write only in the mapped folders
  --files-from URL       no shared folder: download each job's inputs from this server
                         (http://HOST:PORT, as serve prints it) into a private staging folder and
                         send its outputs back there. Inputs must lie in the server's output root
                         (upload them first: PUT /v1/files/<name>). Not with --path-map or
                         --output-root. Needs the server's token: FRAMEWRIGHT_TOKEN or --token-file
  --token-file FILE      with --files-from: a file holding the server's token (its token file)
  --staging-dir DIR      with --files-from: where each job's staging folder is made and removed
                         after it (default: framewright-worker in the OS temp folder)
  --memory-budget SIZE   most memory one job may need, e.g. 4GB (default: half this machine's)
  --lock-seconds N       how long a job of a worker that died stays running before another
                         worker takes it over (BullMQ lock duration; default 30)
  --json                 print {id, routes, executionProviders, concurrency} as one JSON line when ready
  -h, --help             show this help`;

/** `--files-from`, its token and staging folder; undefined without `--files-from`. */
async function filesFromFlags(args: ParsedArgs, io: CliIo, other: { pathMap: boolean; outputRoot: boolean }): Promise<{ url: string; token: string; stagingDir?: string } | undefined> {
  const url = stringFlag(args, 'files-from');
  const tokenFile = stringFlag(args, 'token-file');
  const stagingDir = stringFlag(args, 'staging-dir');
  if (url === undefined) {
    if (tokenFile !== undefined || stagingDir !== undefined) throw usageError(`worker: --${tokenFile !== undefined ? 'token-file' : 'staging-dir'} goes with --files-from`);
    return undefined;
  }
  if (other.pathMap) throw usageError('worker: --files-from is for a worker without a shared folder; it does not go with --path-map');
  if (other.outputRoot) throw usageError("worker: --files-from sends outputs to the server's output root; it does not go with --output-root (use --staging-dir for this machine's folder)");
  try {
    parseFilesFromUrl(url);
  } catch (error) {
    throw usageError(`worker: ${isFramewrightError(error) ? error.message : String(error)}`);
  }
  let token: string | undefined;
  if (tokenFile !== undefined) {
    const path = resolve(io.cwd, tokenFile);
    try {
      token = (await readFile(path, 'utf8')).trim();
    } catch (error) {
      throw usageError(`worker: cannot read --token-file ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
    if (token === '') throw usageError(`worker: --token-file ${path} is empty`);
  } else {
    token = io.env['FRAMEWRIGHT_TOKEN']?.trim();
    if (token === undefined || token === '') throw usageError("worker: --files-from needs the server's token: set FRAMEWRIGHT_TOKEN or give --token-file FILE");
  }
  return { url, token, ...(stagingDir === undefined ? {} : { stagingDir: resolve(io.cwd, stagingDir) }) };
}

/** `framewright worker`. */
export const workerCommand: Command = {
  name: 'worker',
  help: HELP,
  async run(argv, io) {
    const args = parseFlags('worker', argv, FLAGS);
    positionalArgs('worker', args, []);
    const url = stringFlag(args, 'queue');
    if (url === undefined) throw usageError('worker: --queue redis://HOST:PORT is required (the Redis of the cluster)');
    if (!/^rediss?:\/\//.test(url)) throw usageError(`worker: --queue must be a Redis URL like redis://127.0.0.1:6379, got ${JSON.stringify(url)}`);
    const concurrency = numberFlag('worker', args, 'concurrency', { min: 1, max: 256, integer: true }) ?? 1;
    const lockSeconds = numberFlag('worker', args, 'lock-seconds', { min: 1, max: 3600 });
    const ops = listFlag('worker', args, 'ops', OPERATION_NAMES);
    const budgetFlag = stringFlag(args, 'memory-budget');
    const memoryBudgetBytes = budgetFlag === undefined ? undefined : parseByteSize(budgetFlag);
    if (budgetFlag !== undefined && memoryBudgetBytes === undefined) throw usageError(`worker: --memory-budget must be a size like 4GB or 512M, got ${JSON.stringify(budgetFlag)}`);
    const rawMaps = args.flags['path-map'];
    let pathMap;
    try {
      pathMap = (Array.isArray(rawMaps) ? (rawMaps as string[]) : []).map(parsePathMapping);
    } catch (error) {
      throw usageError(`worker: ${isFramewrightError(error) ? error.message : String(error)}`);
    }
    const outputRoot = stringFlag(args, 'output-root');
    const filesFrom = await filesFromFlags(args, io, { pathMap: pathMap.length > 0, outputRoot: outputRoot !== undefined });
    const worker = await startWorker({
      url,
      ...(outputRoot === undefined ? {} : { outputRoot: resolve(io.cwd, outputRoot) }),
      concurrency,
      pathMap,
      ...(filesFrom === undefined ? {} : { filesFrom }),
      env: io.env,
      ...(ops === undefined ? {} : { ops }),
      ...(memoryBudgetBytes === undefined ? {} : { memoryBudgetBytes }),
      ...(lockSeconds === undefined ? {} : { lockDurationMs: Math.round(lockSeconds * 1000) }),
      log: (line, level) => io.stderr.write(`framewright worker: ${level === 'warn' ? 'warning: ' : ''}${line}\n`),
    });
    const { routes, executionProviders } = worker.announcement;
    if (booleanFlag(args, 'json')) {
      io.stdout.write(`${JSON.stringify({ id: worker.id, routes, executionProviders, concurrency })}\n`);
    } else {
      io.stdout.write(
        [
          `framewright worker ${worker.id} on ${url}`,
          `  takes:       ${routes.length === 0 ? 'nothing (no operation runs here)' : routes.join(', ')}`,
          `  providers:   ${executionProviders.join(', ') || 'none'}`,
          `  concurrency: ${concurrency}`,
          ...pathMap.map((m) => `  path map:    ${m.remote} = ${m.local}`),
          ...(filesFrom === undefined ? [] : [`  files from:  ${filesFrom.url} (no shared folder; staging in ${filesFrom.stagingDir ?? 'the OS temp folder'})`]),
          'Press Ctrl+C to stop.',
          '',
        ].join('\n'),
      );
    }
    const signal = await nextInterrupt(io);
    io.stderr.write(`framewright worker: ${signal}: stopping (waiting for running jobs; ${signal} again stops at once)\n`);
    const again = nextInterrupt(io);
    const how = await Promise.race([worker.close().then(() => 'closed'), again]);
    if (how === 'closed') return 0;
    io.stderr.write(`framewright worker: ${how}: stopping at once; its running jobs are taken over by another worker or reported INTERRUPTED\n`);
    await worker.stop();
    // BullMQ may keep reconnecting to an unreachable Redis: nothing of ours is left to wait for.
    setTimeout(() => process.exit(130), 500).unref();
    return 130;
  },
};
