// Run as a child process by the crash tests: starts a server, prints how to reach it (and its pid)
// and waits to be killed. Args: CONFIG_DIR DATA_DIR OUTPUT_ROOT [real].
// - default: fake operations, one job at a time; clip-cut of `quick.mp4` finishes at once, any
//   other input runs until killed (server-crash.test.ts);
// - `real`: the built-in operations, real ffmpeg (server-crash-clips.test.ts).
import { startServer } from '../src/server/index.js';
import type { OperationRegistry } from '../src/ops/index.js';
import { fakeRegistry } from './engine-fakes.js';

const [configDir, dataDir, outputRoot, mode] = process.argv.slice(2);

function quickOrSlow(): OperationRegistry {
  const slow = fakeRegistry({ steps: 1_000_000 }).registry;
  const quick = fakeRegistry({ steps: 1 }).registry['clip-cut'];
  return { ...slow, 'clip-cut': { ...slow['clip-cut'], run: (params, context) => (params.input === 'quick.mp4' ? quick : slow['clip-cut']).run(params, context) } };
}

const server = await startServer({
  port: 0,
  configDir,
  dataDir,
  outputRoot,
  ...(mode === 'real' ? {} : { registry: quickOrSlow(), concurrency: 1 }),
});
process.stdout.write(`${JSON.stringify({ port: server.port, token: server.token, pid: process.pid })}\n`);
