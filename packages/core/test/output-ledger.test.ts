// The output ledger of a run: outputs appear only when the run commits, a name that exists is
// never replaced unless overwriting was asked, and an undo - in process, or from the journal
// record after a crash - removes only what the run created.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runOperation } from '../src/engine/index.js';
import { OutputLedger } from '../src/ops/output-ledger.js';
import { writeAtomic, writeFileAtomic } from '../src/util/fs.js';
import { undoOutputs, type OutputRecord } from '../src/util/outputs.js';
import { tempDir } from './engine-fakes.js';
import { drawBox } from './helpers/video-gen.js';

function failure(promise: Promise<unknown>): Promise<{ code?: string; message: string }> {
  return promise.then(() => { throw new Error('expected a failure'); }, (e: { code?: string; message: string }) => e);
}

describe('output ledger', () => {
  it('stages writes under recorded temporary names and puts them in place only at commit', async () => {
    const dir = tempDir();
    const records: OutputRecord[] = [];
    const outputs = new OutputLedger({ dir, record: async (r) => void records.push(r) });
    const result = await outputs.transact(async () => {
      await writeFileAtomic(join(dir, 'a.edl'), 'A');
      await writeFileAtomic(join(dir, 'b.json'), 'B');
      // Nothing is visible under its final name yet; only the temporary names are there.
      expect(readdirSync(dir).filter((n) => !n.startsWith('.'))).toEqual([]);
      return 'done';
    });
    expect(result).toBe('done');
    expect(readdirSync(dir).sort()).toEqual(['a.edl', 'b.json']);
    // Each temporary name was on record before it was written, and identities before commit.
    expect(records[0]!.temps).toHaveLength(1);
    expect(records[1]!.temps).toHaveLength(2);
    expect(records.at(-1)!.placed.map((p) => p.path)).toEqual([join(dir, 'a.edl'), join(dir, 'b.json')]);
  });

  it('refuses a name that exists, before writing it, and leaves the file alone', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a.edl'), 'theirs');
    const outputs = new OutputLedger({ dir });
    let produced = false;
    const error = await failure(outputs.transact(() => writeAtomic(join(dir, 'a.edl'), async () => void (produced = true))));
    expect(error).toMatchObject({ code: 'OUTPUT_EXISTS' });
    expect(error.message).toBe(`${join(dir, 'a.edl')} already exists: pass overwrite: true (--overwrite) to replace it, or choose another name or output folder`);
    expect(produced).toBe(false);
    expect(readdirSync(dir)).toEqual(['a.edl']);
    expect(readFileSync(join(dir, 'a.edl'), 'utf8')).toBe('theirs');
  });

  it('claims each name at commit: one taken meanwhile fails the run, which removes only its own files', async () => {
    const dir = tempDir();
    const outputs = new OutputLedger({ dir });
    const error = await failure(outputs.transact(async () => {
      await writeFileAtomic(join(dir, 'a.mp4'), 'mine');
      await writeFileAtomic(join(dir, 'b.mp4'), 'mine too');
      // Another run puts b.mp4 there after this one checked the name.
      writeFileSync(join(dir, 'b.mp4'), 'theirs');
    }));
    expect(error).toMatchObject({ code: 'OUTPUT_EXISTS', message: expect.stringContaining('b.mp4 already exists') });
    expect(readdirSync(dir)).toEqual(['b.mp4']);
    expect(readFileSync(join(dir, 'b.mp4'), 'utf8')).toBe('theirs');
  });

  it('with overwrite, replaces a file only when the run succeeds; a failure leaves the old one whole', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a.png'), 'old');
    const failing = new OutputLedger({ dir, overwrite: true });
    await failure(failing.transact(async () => {
      await writeFileAtomic(join(dir, 'a.png'), 'new');
      throw new Error('the second picture failed');
    }));
    expect(readdirSync(dir)).toEqual(['a.png']);
    expect(readFileSync(join(dir, 'a.png'), 'utf8')).toBe('old');
    await new OutputLedger({ dir, overwrite: true }).transact(() => writeFileAtomic(join(dir, 'a.png'), 'new'));
    expect(readFileSync(join(dir, 'a.png'), 'utf8')).toBe('new');
  });

  it('puts a folder output in place: refused over an existing one, replaced with overwrite', async () => {
    const dir = tempDir();
    const frames = join(dir, 'frames');
    mkdirSync(frames);
    writeFileSync(join(frames, 'frame-000001.png'), 'old frame');
    const writeFolder = (outputs: OutputLedger) => outputs.transact(() => writeAtomic(frames, async (temp) => {
      await mkdir(temp);
      await writeFile(join(temp, 'frame-000001.png'), 'new frame');
    }));
    expect(await failure(writeFolder(new OutputLedger({ dir })))).toMatchObject({ code: 'OUTPUT_EXISTS' });
    expect(readFileSync(join(frames, 'frame-000001.png'), 'utf8')).toBe('old frame');
    await writeFolder(new OutputLedger({ dir, overwrite: true }));
    expect(readFileSync(join(frames, 'frame-000001.png'), 'utf8')).toBe('new frame');
    expect(readdirSync(dir)).toEqual(['frames']);
  });

  it('leaves writes outside its folder alone', async () => {
    const dir = tempDir();
    const elsewhere = join(tempDir(), 'note.txt');
    await new OutputLedger({ dir }).transact(async () => {
      await writeFileAtomic(elsewhere, 'not an output');
      expect(existsSync(elsewhere)).toBe(true);
    });
  });

  it('undoes from the last record after a crash: its files go, what was there before stays', async () => {
    const root = tempDir();
    const dir = join(root, 'job');
    writeFileSync(join(root, 'before.txt'), 'was there before');
    let last: OutputRecord | undefined;
    const outputs = new OutputLedger({ dir, record: async (r) => void (last = r) });
    await outputs.willCreateDir(dir);
    await mkdir(dir);
    await outputs.stage(join(dir, 'clip-001.mp4'), (temp) => writeFile(temp, 'clip'));
    await outputs.stage(join(dir, 'clip-002.mp4'), (temp) => writeFile(temp, 'half a clip'));
    await outputs.commit();
    // The process dies here, before its job was recorded as finished: only the record remains.
    const report = await undoOutputs(last!);
    expect(report.removed).toEqual([join(dir, 'clip-001.mp4'), join(dir, 'clip-002.mp4')]);
    expect(report.folders).toEqual([dir]);
    expect(readdirSync(root)).toEqual(['before.txt']);
  });

  it('records a run\'s work folder outside its output folder, so an undo after a crash removes it too', async () => {
    const dir = tempDir();
    const still = await drawBox(dir, 'still', { width: 64, height: 48, x: 8, y: 8, box: 8 });
    const records: OutputRecord[] = [];
    await runOperation(
      'video-gen',
      { mode: 'image-to-video', image: still, frames: 4, fps: 12, width: 64, height: 48, subtitles: { text: 'hi' }, outputDir: join(dir, 'out') },
      { recordOutputs: async (r) => void records.push(r) },
    );
    const work = records.at(-1)!.temps.find((t) => t.includes('fw-video-gen-'));
    expect(work).toBeDefined();
    // The run removed it itself; had it been cut off, undoing its last record would have.
    expect(existsSync(work!)).toBe(false);
    mkdirSync(work!);
    writeFileSync(join(work!, 'captions.srt'), '1');
    await undoOutputs(records.at(-1)!);
    expect(existsSync(work!)).toBe(false);
    // The record was last saved just before the commit, so its undo takes the outputs too.
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });
});
