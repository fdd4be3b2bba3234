// A crash leaves nothing: a real server (real clip-cut, real ffmpeg) SIGKILLed while it exports
// clip files leaves no ffmpeg running, and once restarted on the same data folder it removes the
// partial and finished files of the cut-off job, says what it removed, and reports it INTERRUPTED.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateSampleVideo } from '../src/media/index.js';
import { boundCommand } from '../src/media/tools.js';
import type { ClipCutProgress, Job } from '../src/protocol/index.js';
import { startServer } from '../src/server/index.js';
import { startChildServer } from './crash-helpers.js';
import { tempDir } from './engine-fakes.js';
import { http } from './server-helpers.js';

const bound = process.platform === 'linux' && (await boundCommand(process.execPath, [])).bound;
if (!bound) console.warn('skipping the clip-export crash test: children cannot be bound to their parent here (Linux with util-linux setpriv only)');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Live (not zombie) processes whose command line mentions `needle`. */
function processesMentioning(needle: string): number[] {
  return readdirSync('/proc').filter((p) => /^\d+$/.test(p)).map(Number).filter((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z' && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(needle);
    } catch {
      return false;
    }
  });
}

/** The ffmpeg children of `pid`. */
function ffmpegChildren(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).flatMap((task) => {
    try {
      return readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim().split(' ').filter((p) => p !== '').map(Number);
    } catch {
      return [];
    }
  }).filter((child) => {
    try {
      return readFileSync(`/proc/${child}/comm`, 'utf8').trim() === 'ffmpeg';
    } catch {
      return false;
    }
  });
}

let video: string;

beforeAll(async () => {
  // Long 720p clips, re-encoded: each takes a second or more, so the kill lands mid-encode and an
  // ffmpeg that survived it would still be running well after the checks below.
  video = (await generateSampleVideo(join(tempDir(), 'talk.mp4'), { width: 1280, height: 720, seconds: 12 })).path;
}, 120_000);

describe.runIf(bound)('a server killed during clip export', () => {
  it('leaves no ffmpeg running, and after a restart no partial or orphaned file; the job reads INTERRUPTED', async () => {
    const [configDir, dataDir, outputRoot] = [tempDir(), tempDir(), tempDir()];
    const server = await startChildServer({ configDir, dataDir, outputRoot }, { real: true });
    const params = { input: video, exports: ['json', 'edl', 'clips'], clipMode: 'accurate' };
    const job = (await http(server.port, 'POST', '/v1/jobs', { headers: server.headers, body: JSON.stringify({ op: 'clip-cut', params }) })).json as Job;
    const jobDir = join(outputRoot, job.id);

    // Wait until a clip file is done and the next is being encoded: an ffmpeg writes a .partial.
    let encoders: number[] = [];
    let during: string[] = [];
    for (let i = 0; i < 2000; i++) {
      const now = (await http(server.port, 'GET', `/v1/jobs/${job.id}`, { headers: server.headers })).json as Job;
      expect(now.state === 'queued' || now.state === 'running', JSON.stringify(now)).toBe(true);
      const progress = now.progress as ClipCutProgress | undefined;
      const filesDone = Number(/^(\d+)\//.exec(progress?.message ?? '')?.[1] ?? 0);
      encoders = ffmpegChildren(server.pid);
      during = existsSync(jobDir) ? readdirSync(jobDir) : [];
      if (progress?.stage === 'clips' && filesDone >= 1 && encoders.length > 0 && during.filter((n) => n.includes('.partial')).length >= 2) break;
      await sleep(20);
    }
    expect(encoders.length, 'an ffmpeg was encoding when the server was killed').toBeGreaterThan(0);
    // A finished clip waits under its temporary name, and the one being encoded is partial.
    expect(during.filter((n) => n.endsWith('.partial.mp4')).length).toBeGreaterThanOrEqual(2);
    server.child.kill('SIGKILL');
    await server.exited;

    // The kernel kills the server's children with it, at once: nothing of it keeps encoding.
    const killed = performance.now();
    let left = processesMentioning(jobDir);
    while (left.length > 0 && performance.now() - killed < 300) {
      await sleep(10);
      left = processesMentioning(jobDir);
    }
    expect(left, 'processes still writing into the job folder 300 ms after the kill').toEqual([]);
    expect(readdirSync(jobDir).length).toBeGreaterThan(0);

    const log: string[] = [];
    const restarted = await startServer({ port: 0, configDir, dataDir, outputRoot, log: (l) => log.push(l) });
    try {
      const after = (await http(restarted.port, 'GET', `/v1/jobs/${job.id}`, { headers: { authorization: `Bearer ${restarted.token}` } })).json as Job;
      expect(after).toMatchObject({ id: job.id, state: 'failed', error: { code: 'INTERRUPTED' } });
      expect(after.error!.message).toMatch(/^the server stopped before this job finished; submit it again \(removed \d+ unfinished outputs?: .*talk-clip-00\d\.mp4\..*\.partial\.mp4/);
      // Nothing of the job is left: no partial, no clip, not even its folder.
      expect(existsSync(jobDir)).toBe(false);
      expect(readdirSync(outputRoot)).toEqual([]);
      expect(log).toHaveLength(1);
      expect(log[0]).toContain(`job ${job.id} (clip-cut) was cut off when its server stopped and is reported failed (INTERRUPTED); removed ${jobDir}/.talk-clip-001.mp4.`);
      console.log(`clip-export crash: ${encoders.length} ffmpeg encoding at the kill, 0 left after; ${during.length} files in the job folder, 0 after restart`);
    } finally {
      await restarted.close();
    }
  }, 120_000);
});
