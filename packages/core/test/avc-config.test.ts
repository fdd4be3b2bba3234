// The H.264 parameter-set tools smart cut joins two encoders with (media/avc-config.ts): reading
// the sets in front of a file's first frame, their ids through emulation-prevention bytes, and
// rewriting an MP4's avcC with the movie box before or after the media. Media made with ffmpeg.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { annexBUnits, firstParameterSets, freeParameterSetId, joinParameterSets, parameterSetOf, writeAvcConfig } from '../src/media/avc-config.js';
import { isFramewrightError } from '../src/protocol/index.js';

const run = promisify(execFile);
const root = mkdtempSync(join(tmpdir(), 'fw-avc-config-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function encode(name: string, options: { spsId?: number; faststart?: boolean } = {}): Promise<string> {
  const path = join(root, name);
  await run('ffmpeg', [
    '-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=s=160x90:r=25:d=1', '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p',
    ...(options.spsId === undefined ? [] : ['-x264-params', `sps-id=${options.spsId}`]),
    ...(options.faststart === true ? ['-movflags', '+faststart'] : []), path,
  ]);
  return path;
}

async function frameMd5s(path: string): Promise<string[]> {
  const { stdout } = await run('ffmpeg', ['-v', 'error', '-i', path, '-map', '0:v:0', '-f', 'framemd5', '-'], { maxBuffer: 1 << 24 });
  return stdout.split('\n').filter((l) => l !== '' && !l.startsWith('#')).map((l) => l.split(',').pop()!.trim());
}

/** The parameter sets an MP4's header lists, as ffmpeg's trace_headers names them. */
async function headerSets(path: string): Promise<string[]> {
  const { stderr } = await run('ffmpeg', ['-v', 'info', '-i', path, '-map', '0:v:0', '-c', 'copy', '-bsf:v', 'trace_headers', '-frames:v', '1', '-f', 'null', '-'], { maxBuffer: 1 << 24 });
  const trace = stderr.split('\n').map((l) => l.replace(/^\[trace_headers @ [^\]]*\] /, ''));
  return trace.slice(trace.indexOf('Extradata') + 1, trace.findIndex((l) => l.startsWith('Packet:'))).filter((l) => l.endsWith('Parameter Set'));
}

describe('H.264 parameter sets', () => {
  it('splits Annex B on three- and four-byte start codes and reads ids past an emulation-prevention byte', () => {
    const bytes = Uint8Array.from([0, 0, 0, 1, 0x67, 0x64, 0, 0x1f, 0xac, 0, 0, 1, 0x68, 0xeb, 0, 0, 0, 1, 0x65, 0x88]);
    expect(annexBUnits(bytes).map((u) => Array.from(u))).toEqual([[0x67, 0x64, 0, 0x1f, 0xac], [0x68, 0xeb], [0x65, 0x88]]);
    // SPS id 0 is the single bit 1 (0xac = 1010 1100: ue 0).
    expect(parameterSetOf(Uint8Array.from([0x67, 0x64, 0, 0x1f, 0xac]))).toMatchObject({ type: 7, id: 0 });
    // PPS id 3 is 00100.
    expect(parameterSetOf(Uint8Array.from([0x68, 0x20]))).toMatchObject({ type: 8, id: 3 });
    // After two zero bytes a 03 is an escape, not payload: 16 zeros, a 1 and 16 more bits, 65535.
    expect(parameterSetOf(Uint8Array.from([0x68, 0, 0, 3, 0x80, 0, 1, 0xff]))?.id).toBe(65535);
    expect(parameterSetOf(Uint8Array.from([0x65, 0x88]))).toBeUndefined();
    expect(parameterSetOf(Uint8Array.from([0x67, 0x64]))).toBeUndefined();
  });

  it('reads the sets in front of the first frame, picks an id they leave free, and refuses two different sets under one id', async () => {
    const [plain, numbered] = await Promise.all([encode('plain.mp4'), encode('numbered.mp4', { spsId: 4 })]);
    const a = await firstParameterSets(plain);
    const b = await firstParameterSets(numbered);
    expect(a.map((s) => [s.type, s.id])).toEqual([[7, 0], [8, 0]]);
    expect(b.map((s) => [s.type, s.id])).toEqual([[7, 4], [8, 4]]);
    expect(freeParameterSetId(a)).toBe(1);
    expect(freeParameterSetId([...a, ...b, { type: 7, id: 1, bytes: new Uint8Array() }])).toBe(2);
    expect(joinParameterSets([a, b, a]).map((s) => [s.type, s.id])).toEqual([[7, 0], [8, 0], [7, 4], [8, 4]]);
    const clash = { ...b[1]!, id: 0 };
    let error: unknown;
    try {
      joinParameterSets([a, [clash]]);
    } catch (e) {
      error = e;
    }
    expect(isFramewrightError(error) && error.code === 'UNSUPPORTED_MEDIA' && error.message).toBe('the pieces of the clip define PPS 0 differently');
  });

  it('rewrites the avcC of an MP4 with the movie box after the media and before it, frames unchanged', async () => {
    const [end, start, other] = await Promise.all([encode('moov-at-end.mp4'), encode('moov-first.mp4', { faststart: true }), encode('other.mp4', { spsId: 1 })]);
    const sets = [...(await firstParameterSets(end)), ...(await firstParameterSets(other))];
    for (const source of [end, start]) {
      const output = `${source}.avcc.mp4`;
      await writeAvcConfig(source, output, sets);
      expect(await headerSets(output)).toEqual(['Sequence Parameter Set', 'Sequence Parameter Set', 'Picture Parameter Set', 'Picture Parameter Set']);
      // The chunk offsets still point at the frames: every frame decodes as before.
      expect(await frameMd5s(output)).toEqual(await frameMd5s(source));
    }
  });
});
