import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startServer } from '../src/server/index.js';
import { INTERRUPTED_MESSAGE } from '../src/jobs/index.js';
import type { Job } from '../src/protocol/index.js';
import { tempDir } from './engine-fakes.js';
import { http } from './server-helpers.js';

describe('a server killed mid-job', () => {
  it('is restarted on the same data folder and reports the cut-off job failed, with a clear message', async () => {
    const [configDir, dataDir, outputRoot] = [tempDir(), tempDir(), tempDir()];
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'server-crash-child.ts'), configDir, dataDir, outputRoot], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const firstLine = await createInterface({ input: child.stdout })[Symbol.asyncIterator]().next();
    const { port, token } = JSON.parse(String(firstLine.value)) as { port: number; token: string };
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const job = (await http(port, 'POST', '/v1/jobs', { headers, body: JSON.stringify({ op: 'clip-cut', params: { input: 'a.mp4' } }) })).json as Job;
    for (let i = 0; i < 100 && ((await http(port, 'GET', `/v1/jobs/${job.id}`, { headers })).json as Job).state !== 'running'; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGKILL');
    await exited;

    const server = await startServer({ port: 0, configDir, dataDir, outputRoot });
    const after = await http(server.port, 'GET', `/v1/jobs/${job.id}`, { headers: { authorization: `Bearer ${server.token}` } });
    expect(after.json).toMatchObject({ id: job.id, state: 'failed', error: { code: 'INTERNAL', message: INTERRUPTED_MESSAGE } });
    await server.close();
  });
});
