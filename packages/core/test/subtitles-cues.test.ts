import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatSrt, formatVtt, parseSubtitles } from '../src/media/subtitles.js';
import { cuesFromSegments, layoutLines, wordsOf } from '../src/ops/subtitles/cues.js';
import type { Segment } from '../src/ops/subtitles/decode.js';

const dir = mkdtempSync(join(tmpdir(), 'fw-cues-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function segment(start: number, end: number, text: string): Segment {
  const words = text.split(' ');
  return { startSeconds: start, endSeconds: end, text, tokens: words.map((w) => ({ id: 0, text: ` ${w}` })) };
}

const speech: Segment[] = [
  segment(0.5, 14.5, 'Editors and streamers ask for captions made from what was said, offline, on models the user installs. Premiere has its own speech to text, OBS has LocalVocal, and auto-editor has a whisper command.'),
  segment(15, 15.4, 'Right.'),
  segment(18, 29, 'After a long pause, the talk goes on with a sentence that is far too long for one caption line and has to be split, at its comma first, then between words, without losing any of them.'),
];

describe('cues from segments', () => {
  it('keeps every limit: at most 2 lines of 42 characters, 1-7 s on screen, and no word lost or reordered', () => {
    const cues = cuesFromSegments(speech);
    for (const cue of cues) {
      const lines = cue.text.split('\n');
      expect(lines.length).toBeLessThanOrEqual(2);
      for (const line of lines) expect(line.length).toBeLessThanOrEqual(42);
      expect(cue.endSeconds - cue.startSeconds).toBeLessThanOrEqual(7 + 1e-9);
      expect(cue.endSeconds - cue.startSeconds).toBeGreaterThanOrEqual(1 - 1e-9);
    }
    expect(cues.flatMap((c) => c.text.split(/\s+/))).toEqual(speech.flatMap((s) => s.text.split(' ')));
    // Cues do not overlap and keep their order.
    for (let i = 1; i < cues.length; i++) expect(cues[i]!.startSeconds).toBeGreaterThanOrEqual(cues[i - 1]!.endSeconds - 1e-9);
    // "Right." lasts 0.4 s and is held to 1 s; the long pause after it ends the cue.
    const right = cues.find((c) => c.text === 'Right.')!;
    expect(right.endSeconds - right.startSeconds).toBeCloseTo(1, 9);
  });

  it('ends cues at sentence ends where the limits allow, and at a clause before splitting between words', () => {
    const cues = cuesFromSegments(speech);
    expect(cues.some((c) => c.text.replace(/\n/g, ' ').endsWith('installs.'))).toBe(true);
    expect(cues.some((c) => c.text.replace(/\n/g, ' ').endsWith('pause,'))).toBe(true);
  });

  it('follows limits that are set: one line of 30 characters, at most 3 s', () => {
    const cues = cuesFromSegments(speech, { maxLineChars: 30, maxLines: 1, maxSeconds: 3 });
    for (const cue of cues) {
      expect(cue.text).not.toContain('\n');
      expect(cue.text.length).toBeLessThanOrEqual(30);
      expect(cue.endSeconds - cue.startSeconds).toBeLessThanOrEqual(3 + 1e-9);
    }
    expect(() => cuesFromSegments(speech, { minSeconds: 5, maxSeconds: 2 })).toThrow(/do not hold together/);
  });

  it('interpolates word times by characters inside a segment, and balances two lines', () => {
    const words = wordsOf(segment(10, 12, 'ab cd'));
    expect(words.map((w) => [w.text, w.startSeconds, w.endSeconds])).toEqual([['ab', 10, 11], ['cd', 11, 12]]);
    expect(layoutLines('one two three four five six seven eight nine ten eleven twelve'.split(' '), 42, 2)).toEqual(['one two three four five six seven', 'eight nine ten eleven twelve']);
    expect(layoutLines(['x'.repeat(50)], 42, 2)).toBeUndefined();
  });

  it('writes SRT and WebVTT that the project parser and ffmpeg both read back, with the same cues', () => {
    const cues = cuesFromSegments(speech);
    for (const [ext, text] of [['srt', formatSrt(cues)], ['vtt', formatVtt(cues)]] as const) {
      const path = join(dir, `captions.${ext}`);
      writeFileSync(path, text);
      const parsed = parseSubtitles(readFileSync(path, 'utf8'), path);
      expect(parsed.map((c) => c.text)).toEqual(cues.map((c) => c.text));
      parsed.forEach((c, i) => {
        expect(c.startSeconds).toBeCloseTo(cues[i]!.startSeconds, 2);
        expect(c.endSeconds).toBeCloseTo(cues[i]!.endSeconds, 2);
      });
      // ffmpeg demuxes and decodes every cue: as many subtitle packets as cues.
      const out = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 's:0', '-count_packets', '-show_entries', 'stream=nb_read_packets', '-of', 'csv=p=0', path], { encoding: 'utf8' });
      expect(Number(out.trim())).toBe(cues.length);
      // ffmpeg decodes every cue and writes them again as WebVTT (the null muxer takes no subtitle stream in ffmpeg 5).
      const again = execFileSync('ffmpeg', ['-v', 'error', '-i', path, '-f', 'webvtt', '-'], { encoding: 'utf8' });
      expect(parseSubtitles(again, `ffmpeg's ${ext}`).map((c) => c.text)).toEqual(cues.map((c) => c.text));
    }
  });
});
