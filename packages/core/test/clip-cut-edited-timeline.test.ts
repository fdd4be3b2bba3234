// The edited timeline of remove silence: every editor export reads back as the kept ranges with
// their audio, and the rendered MP4 is exactly that long with each beep on its flash.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clipCutOperation } from '../src/ops/clip-cut/index.js';
import { ClipCutResultSchema, findSchemaProblem, type ClipCutResult } from '../src/protocol/index.js';
import { parseEdl, parseFcp7Xml, parseFcpXml, parseOtio } from './helpers/cut-list-readers.js';
import { ffmpeg, readPcm } from './helpers/speech-media.js';

const root = mkdtempSync(join(tmpdir(), 'fw-edited-'));
const FPS = 30;
// Beeps, each with white frames under it: everything else is black and silent.
const BEEPS: Array<[number, number]> = [[0.5, 1.0], [3.0, 3.5], [6.0, 6.5]];
let source: string;
let result: ClipCutResult;

beforeAll(async () => {
  source = join(root, 'beeps.mp4');
  const during = BEEPS.map(([a, b]) => `between(t,${a},${b - 0.001})`).join('+');
  ffmpeg([
    '-f', 'lavfi', '-i', `color=c=black:s=64x48:r=${FPS}:d=8`,
    '-f', 'lavfi', '-i', `aevalsrc='(${during})*0.5*sin(2*PI*1000*t)|(${during})*0.5*sin(2*PI*1000*t)':s=48000:d=8`,
    '-vf', `drawbox=w=iw:h=ih:c=white:t=fill:enable='${BEEPS.map(([a, b]) => `between(t,${a},${b - 0.001})`).join('+')}'`,
    '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '60', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '128k', '-shortest', source,
  ]);
  result = await clipCutOperation.run(
    { input: source, detectors: ['content'], remove: ['silence'], exports: ['json', 'edl', 'fcp7', 'fcpxml', 'otio', 'render'] },
    { signal: new AbortController().signal, onProgress: () => undefined, outputDir: root },
  );
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const keptRanges = () => result.kept!.map(({ startFrame, endFrame }) => ({ startFrame, endFrame }));

function probeDuration(path: string, stream: 'v' | 'a'): number {
  const out = execFileSync('ffprobe', ['-v', 'error', '-select_streams', `${stream}:0`, '-show_entries', 'stream=duration', '-of', 'csv=p=0', path], { encoding: 'utf8' });
  return Number(out.trim());
}

/** Mean luma of each frame of `path`, scaled down to 8×8. */
function frameLumas(path: string): number[] {
  const raw = execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-i', path, '-vf', 'scale=8:8', '-pix_fmt', 'gray', '-f', 'rawvideo', '-'], { maxBuffer: 1 << 26 });
  const out: number[] = [];
  for (let i = 0; i + 64 <= raw.length; i += 64) out.push(raw.subarray(i, i + 64).reduce((s, v) => s + v, 0) / 64);
  return out;
}

/** Seconds where a stretch of `on` values begins, from a series at `rate` per second. */
function onsets(values: ArrayLike<number>, on: (v: number) => boolean, rate: number, minGap: number): number[] {
  const out: number[] = [];
  let lastOn = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    if (!on(values[i]!)) continue;
    if (i - lastOn > minGap * rate) out.push(i / rate);
    lastOn = i;
  }
  return out;
}

describe('the edited timeline of remove silence', () => {
  it('keeps each beep with 0.2 s either side', () => {
    expect(findSchemaProblem(ClipCutResultSchema, result)).toBeUndefined();
    expect(keptRanges()).toEqual(BEEPS.map(([a, b]) => ({ startFrame: Math.round(a * FPS) - 6, endFrame: Math.round(b * FPS) + 6 })));
    expect(result.keptSeconds).toBeCloseTo(2.7, 5);
    expect(result.removedSeconds).toBeCloseTo(5.3, 5);
  });

  it('writes FCP7 XML, FCPXML, OTIO and EDL that read back as the kept ranges, video and audio linked', () => {
    const fps = { num: FPS, den: 1 };
    const read = {
      edl: parseEdl(readFileSync(result.outputs.edl!, 'utf8'), fps, false),
      fcp7: parseFcp7Xml(readFileSync(result.outputs.fcp7!, 'utf8')),
      fcpxml: parseFcpXml(readFileSync(result.outputs.fcpxml!, 'utf8')),
      otio: parseOtio(readFileSync(result.outputs.otio!, 'utf8')),
    };
    for (const [format, clips] of Object.entries(read)) {
      expect(clips, format).toEqual(keptRanges());
      const seconds = clips.reduce((sum, c) => sum + c.endFrame - c.startFrame, 0) / FPS;
      expect(Math.abs(seconds - result.keptSeconds!), format).toBeLessThanOrEqual(1 / FPS);
    }
    const xml = readFileSync(result.outputs.fcp7!, 'utf8');
    // One video and two audio clipitems per kept range, each linking the other two.
    expect(xml.match(/<clipitem /g)).toHaveLength(3 * result.kept!.length);
    expect(xml.match(/<mediatype>audio<\/mediatype>/g)!.length).toBeGreaterThanOrEqual(2 * result.kept!.length);
    expect(xml).toContain('beeps edited');
    expect(readFileSync(result.outputs.otio!, 'utf8')).toContain('"kind": "Audio"');
  });

  it('renders an MP4 of keptSeconds whose beeps start on their white frames', () => {
    const render = result.outputs.render!;
    expect(result.files).toContain(render);
    expect(Math.abs(probeDuration(render, 'v') - result.keptSeconds!)).toBeLessThanOrEqual(1 / FPS);
    expect(Math.abs(probeDuration(render, 'a') - result.keptSeconds!)).toBeLessThanOrEqual(1 / FPS);
    const lumas = frameLumas(render);
    expect(lumas).toHaveLength(Math.round(result.keptSeconds! * FPS));
    const flashes = onsets(lumas, (v) => v > 128, FPS, 0.1);
    const pcm = readPcm(render, 1);
    const beeps = onsets(pcm, (v) => Math.abs(v) > 0.1, 48000, 0.1);
    // Each kept range is 27 frames with its beep from frame 6: at 0.2, 1.1 and 2.0 s.
    expect(flashes).toEqual([0.2, 1.1, 2.0].map((s) => expect.closeTo(s, 5)));
    expect(beeps).toHaveLength(3);
    beeps.forEach((b, i) => expect(Math.abs(b - flashes[i]!)).toBeLessThanOrEqual(1 / FPS));
  });
});
