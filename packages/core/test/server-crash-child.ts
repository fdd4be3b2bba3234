// Run as a child process by server-crash.test.ts: starts a server whose clip-cut never ends,
// prints how to reach it, and waits to be killed.
import { startServer } from '../src/server/index.js';
import { fakeRegistry } from './engine-fakes.js';

const [configDir, dataDir, outputRoot] = process.argv.slice(2);
const server = await startServer({ port: 0, configDir, dataDir, outputRoot, registry: fakeRegistry({ steps: 1_000_000 }).registry });
process.stdout.write(`${JSON.stringify({ port: server.port, token: server.token })}\n`);
