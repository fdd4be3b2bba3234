// Paths across machines: a worker's --path-map maps the path fields of a job's params to its own
// mount and its results back, and refuses paths outside its shared folders.
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { paramPaths, parseFilesFromUrl, removeStaleStaging, parsePathMapping, PathMap, routeOf, routesOf, redisOptions, isRetrySafe } from '../src/cluster/index.js';
import { FramewrightError } from '../src/protocol/index.js';

const map = new PathMap([parsePathMapping('/mnt/studio=/Volumes/studio'), parsePathMapping('/mnt/studio/renders=/fast/renders/')]);

describe('cluster path map', () => {
  it('parses REMOTE=LOCAL and names what is wrong with a bad one', () => {
    expect(parsePathMapping('/mnt/a/=/b')).toEqual({ remote: '/mnt/a', local: '/b' });
    for (const bad of ['/mnt/a', 'relative=/b', '/a=relative', '=/b']) {
      expect(() => parsePathMapping(bad)).toThrow(/--path-map .* must be REMOTE=LOCAL with two absolute folders/);
    }
  });

  it('maps to this machine by the longest matching folder, and back', () => {
    expect(map.toLocal('/mnt/studio/talk.mp4')).toBe('/Volumes/studio/talk.mp4');
    expect(map.toLocal('/mnt/studio/renders/a.mp4')).toBe('/fast/renders/a.mp4');
    expect(map.toRemote('/fast/renders/a.mp4')).toBe('/mnt/studio/renders/a.mp4');
    expect(map.toRemote('/Volumes/studio/x/y.edl')).toBe('/mnt/studio/x/y.edl');
    expect(map.toRemote('/elsewhere/z')).toBe('/elsewhere/z');
  });

  it('refuses a path outside the shared folders, also one that climbs out with ..', () => {
    expect(() => map.toLocal('/etc/passwd', 'input')).toThrow(FramewrightError);
    expect(() => map.toLocal('/mnt/studio/../../etc/passwd', 'input')).toThrow(/is not in a folder this worker shares/);
    expect(() => map.toLocal('/mnt/studiox/a.mp4')).toThrow(/not in a folder this worker shares/);
    // Without maps (one machine, or the same mount point everywhere) paths pass as they are.
    expect(new PathMap().toLocal('/etc/passwd')).toBe('/etc/passwd');
  });

  it('maps only the path fields of params and results, never prompts or names', () => {
    expect(map.paramsToLocal('clip-cut', { input: '/mnt/studio/a.mp4', outputDir: '/mnt/studio/cuts', name: '/mnt/studio/not-a-path' })).toEqual({
      input: '/Volumes/studio/a.mp4',
      outputDir: '/Volumes/studio/cuts',
      name: '/mnt/studio/not-a-path',
    });
    expect(map.paramsToLocal('image-gen', { prompt: '/mnt/studio/x', modelDir: '/mnt/studio/models' })).toEqual({ prompt: '/mnt/studio/x', modelDir: '/Volumes/studio/models' });
    const result = map.resultToRemote('image-gen', { images: [{ path: '/Volumes/studio/out/1.png', width: 32, height: 32, seed: 1 }], files: ['/Volumes/studio/out/1.png'], model: 'm' }) as { images: Array<{ path: string }>; files: string[] };
    expect(result.images[0]!.path).toBe('/mnt/studio/out/1.png');
    expect(result.files).toEqual(['/mnt/studio/out/1.png']);
  });
});

describe('the path fields of params, as a worker without a shared folder fetches them', () => {
  it('lists every path field with its property, from the same schema walk the path map uses', () => {
    expect(paramPaths('clip-cut', { input: '/srv/out/uploads/a/talk.mp4', outputDir: 'cuts', name: '/not/a/path' })).toEqual([
      { key: 'input', path: '/srv/out/uploads/a/talk.mp4' },
      { key: 'outputDir', path: 'cuts' },
    ]);
    expect(paramPaths('image-gen', { prompt: '/srv/out/x', modelDir: '/srv/models' })).toEqual([{ key: 'modelDir', path: '/srv/models' }]);
    const keyframes = paramPaths('video-gen', { mode: 'interpolate', keyframes: ['/srv/out/a.png', '/srv/out/b.png'] });
    expect(keyframes).toEqual([{ key: 'keyframes', path: '/srv/out/a.png' }, { key: 'keyframes', path: '/srv/out/b.png' }]);
  });

  it('removes the staging folders of workers that are gone, and only those', async () => {
    const root = mkdtempSync(join(tmpdir(), 'fw-staging-'));
    // 2^22 + 1 is above Linux's highest pid: no process has it.
    const names = ['fw-job-4194305-dead', `fw-job-${process.pid}-mine`, `fw-job-${process.ppid}-alive`, 'not-a-job-folder'];
    for (const name of names) mkdirSync(join(root, name, 'in'), { recursive: true });
    await removeStaleStaging(root);
    expect(readdirSync(root).sort()).toEqual(names.slice(1).sort());
    rmSync(root, { recursive: true, force: true });
  });

  it('takes a server as http://HOST:PORT only', () => {
    expect(parseFilesFromUrl('http://10.0.0.1:7878').origin).toBe('http://10.0.0.1:7878');
    for (const bad of ['10.0.0.1:7878', 'ftp://10.0.0.1', 'http://u:p@10.0.0.1:7878', 'http://10.0.0.1:7878/v1', 'http://10.0.0.1:7878?x=1']) {
      expect(() => parseFilesFromUrl(bad), bad).toThrow(/--files-from .* (must be http:\/\/HOST:PORT|is not a URL)/);
    }
  });
});

describe('cluster routing and settings', () => {
  it('routes by operation, and image-gen by model', () => {
    expect(routeOf('clip-cut', { input: 'a.mp4' })).toBe('clip-cut');
    expect(routeOf('image-gen', { prompt: 'x' })).toBe('image-gen.framewright-shapes-32');
    expect(routeOf('image-gen', { prompt: 'x', model: 'sd:turbo' })).toBe('image-gen.sd_turbo');
    expect(routesOf([
      { op: 'clip-cut', available: true },
      { op: 'image-gen', available: true, models: ['framewright-shapes-32', 'sd-turbo'] },
      { op: 'video-gen', available: false, reason: 'no' },
    ])).toEqual(['clip-cut', 'image-gen.framewright-shapes-32', 'image-gen.sd-turbo']);
  });

  it('reads redis:// URLs and names a bad one', () => {
    expect(redisOptions('redis://u:p%40ss@10.0.0.5:6380/2')).toMatchObject({ host: '10.0.0.5', port: 6380, db: 2, username: 'u', password: 'p@ss' });
    expect(redisOptions('redis://127.0.0.1')).toMatchObject({ port: 6379, db: 0 });
    expect(() => redisOptions('http://x')).toThrow(/must start with redis:\/\/ or rediss:\/\//);
    expect(() => redisOptions('nope')).toThrow(/is not a URL like redis:\/\/127.0.0.1:6379/);
  });

  it('runs a cut-off job again only when it only analyses into its own folder', () => {
    const rec = (op: 'clip-cut' | 'image-gen', params: unknown) => ({ job: { id: 'a', op, state: 'running' as const, createdAt: '' }, params, route: op, outputRoot: '/o' });
    expect(isRetrySafe(rec('clip-cut', { input: 'a' }))).toBe(true);
    expect(isRetrySafe(rec('clip-cut', { input: 'a', exports: ['json', 'edl', 'otio'] }))).toBe(true);
    expect(isRetrySafe(rec('clip-cut', { input: 'a', outputDir: 'mine' }))).toBe(false);
    expect(isRetrySafe(rec('clip-cut', { input: 'a', exports: ['clips'] }))).toBe(false);
    expect(isRetrySafe(rec('image-gen', { prompt: 'x' }))).toBe(false);
  });
});
