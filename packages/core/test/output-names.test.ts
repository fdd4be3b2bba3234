// File names and paths are limited in bytes of UTF-8, as file systems count them: a name that fits
// works (an 80-character CJK name is 240 bytes), a path no file call could take is refused up front
// with a short INVALID_PARAMS, and names the engine derives are cut to fit.
import { copyFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkOperation, resolveOutputDir, runOperation } from '../src/engine/index.js';
import { checkInputFile, generateSampleVideo, type SampleVideo } from '../src/media/index.js';
import { CLIP_CUT_NAME_MAX_BYTES } from '../src/ops/clip-cut/outputs.js';
import { FramewrightError, type ClipCutResult } from '../src/protocol/index.js';
import { startServer } from '../src/server/index.js';
import { tempPathFor } from '../src/util/fs.js';
import { fitName, NAME_MAX_BYTES, PATH_MAX_BYTES, pathProblem, truncateUtf8, utf8Length } from '../src/util/names.js';
import { fakeRegistry, tempDir } from './engine-fakes.js';
import { http } from './server-helpers.js';

const CJK_80 = '映'.repeat(80);
let root: string;
let sample: SampleVideo;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'fw-names-'));
  sample = await generateSampleVideo(join(root, 'sample.mp4'), { width: 96, height: 54, seconds: 4 });
});
afterAll(() => rm(root, { recursive: true, force: true }));

async function failure(promise: Promise<unknown>): Promise<FramewrightError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(FramewrightError);
  return error as FramewrightError;
}

describe('byte-length helpers', () => {
  it('cut UTF-8 on character boundaries, accents and emoji kept whole', () => {
    expect(utf8Length(CJK_80)).toBe(240);
    expect(truncateUtf8('映画', 5)).toBe('映');
    expect(truncateUtf8('e\u0301e\u0301', 4)).toBe('e\u0301');
    expect(truncateUtf8('👩‍👩‍👧x', 10)).toBe('');
    expect(truncateUtf8('ascii', 10)).toBe('ascii');
    const fitted = fitName('映'.repeat(100), '-clip-001.mp4');
    expect(utf8Length(fitted)).toBeLessThanOrEqual(NAME_MAX_BYTES);
    expect(fitted).toBe(`${'映'.repeat(80)}-clip-001.mp4`);
  });

  it('temporary names stay within 255 bytes for a final name that fits', () => {
    const final = join(root, `${CJK_80}-clip-001.mp4`);
    expect(utf8Length(basename(final))).toBe(253);
    const temp = basename(tempPathFor(final));
    expect(utf8Length(temp)).toBeLessThanOrEqual(NAME_MAX_BYTES);
    expect(temp).toMatch(/^\.映+\.[0-9a-f]{8}\.partial\.mp4$/);
  });

  it('name the first problem of a path no file call takes', () => {
    expect(pathProblem('/a/b')).toBeUndefined();
    expect(pathProblem('a\0b')).toBe('contains a NUL byte: a\\u0000b');
    expect(pathProblem(`/tmp/${'x'.repeat(300)}`)).toMatch(/^has a name of 300 bytes \(x+…x+\); a file or folder name may have at most 255 bytes$/);
    expect(pathProblem(`/tmp/${'映'.repeat(86)}`)).toMatch(/name of 258 bytes/);
    expect(pathProblem(`/${'y'.repeat(200)}`.repeat(25))).toMatch(new RegExp(`^is 5025 bytes long .*; the limit is ${PATH_MAX_BYTES} bytes$`));
  });
});

describe('outputDir', () => {
  const cases = [
    { label: 'a NUL byte', dir: 'a\0b', why: /^clip-cut params \/outputDir|^outputDir contains a NUL byte/ },
    { label: 'a 300-character name', dir: 'x'.repeat(300), why: /^outputDir has a name of 300 bytes/ },
    { label: 'a path too long for files in it', dir: `${'y'.repeat(200)}/`.repeat(19), why: /^output folder is \d+ bytes long .*the limit is \d+ bytes, leaving room for the names of the files/ },
  ];

  it.each(cases)('with $label is INVALID_PARAMS at /outputDir, in one short line, before anything is made', async ({ dir, why }) => {
    const outputRoot = await mkdtemp(join(root, 'root-'));
    // One at a time: a promise made before the previous one is awaited rejects with no handler yet.
    for (const attempt of [
      () => resolveOutputDir({ requested: dir, root: outputRoot }),
      () => checkOperation('clip-cut', { input: sample.path, outputDir: dir }, { outputRoot }),
      () => runOperation('clip-cut', { input: sample.path, outputDir: dir, exports: ['json'] }, { outputRoot }),
    ]) {
      const error = await failure(attempt());
      expect(error).toMatchObject({ code: 'INVALID_PARAMS', pointer: '/outputDir' });
      expect(error.message).toMatch(why);
      expect(error.message.length).toBeLessThan(300);
      expect(error.message).not.toContain('\n');
    }
    expect(await readdir(outputRoot)).toEqual([]);
  });

  it('is answered over HTTP as a 400 INVALID_PARAMS, not a 500 INTERNAL with the whole path', async () => {
    const server = await startServer({ port: 0, configDir: tempDir(), dataDir: tempDir(), outputRoot: tempDir(), registry: fakeRegistry().registry });
    try {
      for (const { dir } of cases) {
        const answer = await http(server.port, 'POST', '/v1/jobs', {
          headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ op: 'clip-cut', params: { input: sample.path, outputDir: dir } }),
        });
        expect(answer.status).toBe(400);
        expect(answer.json).toMatchObject({ error: { code: 'INVALID_PARAMS', pointer: '/outputDir' } });
        expect(answer.text.length).toBeLessThan(400);
      }
    } finally {
      await server.close();
    }
  });
});

describe('input paths', () => {
  it('with a NUL byte or an over-long name are INVALID_PARAMS, with a short message', async () => {
    for (const input of ['a\0b.mp4', join(root, `${'x'.repeat(300)}.mp4`), join(root, `${'y'.repeat(200)}/`.repeat(25), 'a.mp4')]) {
      const error = await failure(checkInputFile(input));
      expect(error.code).toBe('INVALID_PARAMS');
      expect(error.message).toMatch(/^input (contains a NUL byte|has a name of \d+ bytes|is \d+ bytes long)/);
      expect(error.message.length).toBeLessThan(300);
    }
  });
});

describe('clip-cut names', () => {
  const exportsAll = ['json', 'edl', 'fcp7', 'fcpxml', 'otio', 'clips'] as const;

  it('an 80-character CJK name (240 bytes) writes every export under its full name', async () => {
    const outputDir = await mkdtemp(join(root, 'cjk-'));
    const result = await runOperation('clip-cut', { input: sample.path, name: CJK_80, outputDir, exports: [...exportsAll] });
    const names = (await readdir(outputDir)).sort();
    expect(names).toEqual(result.files.map((f) => basename(f)).sort());
    expect(names).toContain(`${CJK_80}-clip-001.mp4`);
    expect(names).toContain(`${CJK_80}-clip-001.jpg`);
    expect(names).toContain(`${CJK_80}.fcpxml`);
    expect(result.clips.length).toBe(sample.cutFrames.length + 1);
    expect(names.every((n) => utf8Length(n) <= NAME_MAX_BYTES && !n.includes('.partial'))).toBe(true);
  });

  it('a longer name is refused up front at /name, saying the limit in bytes', async () => {
    expect(CLIP_CUT_NAME_MAX_BYTES).toBe(240);
    const outputDir = await mkdtemp(join(root, 'long-'));
    const error = await failure(runOperation('clip-cut', { input: sample.path, name: `${CJK_80}映`, outputDir, exports: ['json', 'clips'] }));
    expect(error).toMatchObject({ code: 'INVALID_PARAMS', pointer: '/name' });
    expect(error.message).toMatch(/name is 243 bytes in UTF-8 \(81 characters\); the limit is 240 bytes/);
    expect(await readdir(outputDir)).toEqual([]);
  });

  it('a longer name is refused by a server at submit (400), before a job is queued', async () => {
    const server = await startServer({ port: 0, configDir: tempDir(), dataDir: tempDir(), outputRoot: tempDir() });
    try {
      const answer = await http(server.port, 'POST', '/v1/jobs', {
        headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ op: 'clip-cut', params: { input: sample.path, name: `${CJK_80}映` } }),
      });
      expect(answer.status).toBe(400);
      expect(answer.json).toMatchObject({ error: { code: 'INVALID_PARAMS', pointer: '/name' } });
      const jobs = await http(server.port, 'GET', '/v1/jobs', { headers: { authorization: `Bearer ${server.token}` } });
      expect(jobs.json).toEqual({ jobs: [] });
    } finally {
      await server.close();
    }
  });

  it('a default name from a long input file name is cut on a character boundary to fit', async () => {
    // 83 CJK characters + .mp4 is 253 bytes: a valid file name whose derived names would not fit.
    const input = join(root, `${'影'.repeat(83)}.mp4`);
    await copyFile(sample.path, input);
    const outputDir = await mkdtemp(join(root, 'derived-'));
    const result: ClipCutResult = await runOperation('clip-cut', { input, outputDir, exports: ['json', 'clips'] });
    const base = `${'影'.repeat(80)}`;
    expect(utf8Length(base)).toBe(CLIP_CUT_NAME_MAX_BYTES);
    expect((await readdir(outputDir)).sort()).toEqual(result.files.map((f) => basename(f)).sort());
    expect(basename(result.outputs.json!)).toBe(`${base}.json`);
    expect(basename(result.clips[0]!.file!)).toBe(`${base}-clip-001.mp4`);
  });
});
