import { resolve } from 'node:path';
import { configuredAllowedOrigins, resolvePaths } from '../../config/index.js';
import { defaultMemoryBudget, formatBytes, parseByteSize } from '../../engine/index.js';
import { DEFAULT_PORT, startServer } from '../../server/index.js';
import { booleanFlag, numberFlag, parseFlags, positionalArgs, stringFlag } from '../args.js';
import { usageError } from '../exit-codes.js';
import { nextInterrupt } from '../io.js';
import { adapterPages } from './adapters.js';
import type { Command } from './types.js';

const FLAGS = {
  port: { type: 'string', short: 'p' },
  host: { type: 'string' },
  'output-root': { type: 'string' },
  'print-token': { type: 'boolean' },
  'allow-origin': { type: 'string' },
  'memory-budget': { type: 'string' },
  queue: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

const HELP = `Usage: framewright serve [options]

Starts the local engine for host adapters and SDK clients: JSON-RPC over WebSocket at /v1/ws and
HTTP JSON under /v1. Every request needs the bearer token kept in the token file (mode 0600).
Jobs write only under the output root. Ctrl+C (or SIGTERM) stops it, cancelling running jobs.

Options:
  -p, --port N           port to listen on (default ${DEFAULT_PORT}; 0 picks a free one)
  --host HOST            interface to bind (default 127.0.0.1)
  --output-root DIR      folder jobs may write under (default: FRAMEWRIGHT_OUTPUT_ROOT or ~/Framewright)
  --allow-origin LIST    browser Origins allowed to connect, comma-separated exact origins (e.g. the
                         Premiere panel's); adds to FRAMEWRIGHT_ALLOWED_ORIGINS
  --memory-budget SIZE   most memory one job may need, e.g. 4GB or 512M (binary units); larger
                         requests are refused at submit (default: half this machine's memory,
                         at most 32 GiB; here ${formatBytes(defaultMemoryBudget())})
  --queue URL            put jobs on a cluster's BullMQ queues in this Redis (redis://HOST:PORT[/DB])
                         instead of running them here; \`framewright worker\` processes run them and
                         any server on the same Redis answers for any job (see docs/cluster.md)
  --print-token          also print the token itself
  --json                 print {url, wsUrl, port, tokenFile, outputRoot} as one JSON line when ready
  -h, --help             show this help`;

/** Parses `--allow-origin`: each item must be an exact origin (scheme://host[:port], no path). */
function originsFlag(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value.split(',').map((item) => {
    const origin = item.trim();
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    if (parsed === undefined || parsed.origin !== origin) throw usageError(`serve: --allow-origin ${JSON.stringify(origin)} is not an origin like http://localhost:3000`);
    return origin;
  });
}

/** `framewright serve`. */
export const serveCommand: Command = {
  name: 'serve',
  help: HELP,
  async run(argv, io) {
    const args = parseFlags('serve', argv, FLAGS);
    positionalArgs('serve', args, []);
    const port = numberFlag('serve', args, 'port', { min: 0, max: 65535, integer: true }) ?? DEFAULT_PORT;
    const host = stringFlag(args, 'host') ?? '127.0.0.1';
    const paths = resolvePaths({ env: io.env });
    const outputRoot = resolve(io.cwd, stringFlag(args, 'output-root') ?? paths.outputRoot.path);
    if (!LOOPBACK.has(host)) io.stderr.write(`framewright: warning: binding ${host} lets other machines reach the engine (the token still guards it)\n`);

    const budgetFlag = stringFlag(args, 'memory-budget');
    const memoryBudgetBytes = budgetFlag === undefined ? defaultMemoryBudget() : parseByteSize(budgetFlag);
    if (memoryBudgetBytes === undefined) throw usageError(`serve: --memory-budget must be a size like 4GB or 512M, got ${JSON.stringify(budgetFlag)}`);
    const allowedOrigins = [...configuredAllowedOrigins(io.env), ...originsFlag(stringFlag(args, 'allow-origin'))];
    const pages = adapterPages(io.cwd);
    const queue = stringFlag(args, 'queue');
    if (queue !== undefined && !/^rediss?:\/\//.test(queue)) throw usageError(`serve: --queue must be a Redis URL like redis://127.0.0.1:6379, got ${JSON.stringify(queue)}`);
    const server = await startServer({ host, port, outputRoot, allowedOrigins, memoryBudgetBytes, ...(queue === undefined ? {} : { queue }), configDir: paths.configDir.path, dataDir: paths.dataDir.path, ...(Object.keys(pages).length > 0 ? { pages } : {}) });
    const ready = { url: server.url, wsUrl: server.wsUrl, port: server.port, tokenFile: paths.tokenFile, outputRoot: server.outputRoot, ...(queue === undefined ? {} : { queue }) };
    if (booleanFlag(args, 'json')) {
      io.stdout.write(`${JSON.stringify(booleanFlag(args, 'print-token') ? { ...ready, token: server.token } : ready)}\n`);
    } else {
      io.stdout.write(
        [
          `framewright engine listening on ${server.url}`,
          `  WebSocket:   ${server.wsUrl}`,
          `  token file:  ${paths.tokenFile}`,
          ...(booleanFlag(args, 'print-token') ? [`  token:       ${server.token}`] : []),
          `  output root: ${server.outputRoot}`,
          queue === undefined ? `  memory:      up to ${formatBytes(memoryBudgetBytes)} per job (--memory-budget)` : `  jobs:        on the cluster queue ${queue} (run \`framewright worker --queue ${queue}\`)`,
          ...(pages['/dock/'] === undefined ? [] : [`  OBS dock:    ${server.url}/dock/#token=… (\`framewright obs setup\` prints the full URL)`]),
          'Press Ctrl+C to stop.',
          '',
        ].join('\n'),
      );
    }
    const signal = await nextInterrupt(io);
    io.stderr.write(`framewright: ${signal}: stopping${queue === undefined ? ' (cancelling running jobs)' : ' (the cluster\'s jobs go on on its workers)'}\n`);
    await server.close();
    return 0;
  },
};
