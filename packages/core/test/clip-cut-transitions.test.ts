// Gradual transitions end to end: a fade-through-black is one transition and one cut (no black
// clip), a hard cut into black followed by a fade-in keeps the black whole, a dissolve cuts in its
// middle; and the editor formats carry them as dissolves (FCP7 XML, FCPXML, OTIO, CMX3600 EDL)
// that read back as the same clips.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderEdl, renderFcp7Xml, renderFcpXml, renderOtio, type CutList } from '../src/ops/clip-cut/exports/index.js';
import { clipCutOperation } from '../src/ops/clip-cut/index.js';
import { ClipCutResultSchema, findSchemaProblem, FramewrightError, type ClipCutParams, type ClipCutResult } from '../src/protocol/index.js';
import { parseEdl, parseFcp7Xml, parseFcpXml, parseOtio } from './helpers/cut-list-readers.js';
import { makeRealVideo, type RealVideo } from './helpers/real-corpus.js';

const root = mkdtempSync(join(tmpdir(), 'fw-transitions-'));
let fadeThrough: RealVideo;
let cutToBlack: RealVideo;
let dissolve: RealVideo;

beforeAll(async () => {
  [fadeThrough, cutToBlack, dissolve] = await Promise.all([
    makeRealVideo(root, 'fade-through', { fps: '25', shots: [{ look: 'testsrc2', frames: 50 }, { look: 'mandelbrot', frames: 50 }], joins: [{ kind: 'through', out: 15, hold: 6, inFrames: 15 }] }),
    makeRealVideo(root, 'cut-to-black', { fps: '25', shots: [{ look: 'life', frames: 45 }, { look: 'zoom', frames: 55 }], joins: [{ kind: 'through', out: 0, hold: 10, inFrames: 20 }] }),
    makeRealVideo(root, 'dissolve', { fps: '30000/1001', shots: [{ look: 'gradients', frames: 50 }, { look: 'testsrc2', frames: 60 }, { look: 'shake', frames: 45 }], joins: [{ kind: 'xfade', transition: 'fade', frames: 24 }, { kind: 'cut' }] }),
  ]);
}, 300_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function clipCut(video: RealVideo, params: Partial<ClipCutParams> = {}): Promise<ClipCutResult> {
  const outputDir = mkdtempSync(join(root, 'out-'));
  const result = await clipCutOperation.run({ input: video.path, ...params }, { signal: new AbortController().signal, onProgress: () => undefined, outputDir });
  expect(findSchemaProblem(ClipCutResultSchema, result)).toBeUndefined();
  return result;
}

describe('gradual transitions in the result', () => {
  it('makes a fade out to black and back in one transition with one cut in the black, and no black clip', async () => {
    const result = await clipCut(fadeThrough);
    const [truth] = fadeThrough.transitions;
    expect(result.transitions).toHaveLength(1);
    const [t] = result.transitions!;
    expect(t).toMatchObject({ kind: 'fade-through-black' });
    expect(Math.abs(t!.startFrame - truth!.startFrame)).toBeLessThanOrEqual(3);
    expect(Math.abs(t!.endFrame - truth!.endFrame)).toBeLessThanOrEqual(3);
    expect(result.cuts.map((c) => c.frame)).toEqual([t!.cutFrame]);
    expect(result.cuts[0]!.detectors).toContain('fade');
    // The cut lies in the black, so the black is split between the two clips, none all black.
    expect(Math.abs(t!.cutFrame! - truth!.cutFrame)).toBeLessThanOrEqual(3);
    expect(result.clips).toHaveLength(2);
    expect(t!.startSeconds).toBeCloseTo(t!.startFrame / 25, 9);
  });

  it('keeps the black after a hard cut whole: the cut is at the black, the fade-in is its own transition', async () => {
    const result = await clipCut(cutToBlack);
    expect(result.cuts.map((c) => c.frame)).toEqual(cutToBlack.hardCuts);
    const [truth] = cutToBlack.transitions;
    expect(result.transitions).toHaveLength(1);
    const [t] = result.transitions!;
    expect(t).toMatchObject({ kind: 'fade-in' });
    expect(t).not.toHaveProperty('cutFrame');
    expect(Math.abs(t!.startFrame - truth!.startFrame)).toBeLessThanOrEqual(3);
    expect(Math.abs(t!.endFrame - truth!.endFrame)).toBeLessThanOrEqual(3);
  });

  it('cuts a dissolve in its middle, once, next to a hard cut', async () => {
    const result = await clipCut(dissolve);
    const [truth] = dissolve.transitions;
    expect(result.transitions!.map((t) => t.kind)).toEqual(['dissolve']);
    const [t] = result.transitions!;
    expect(Math.abs(t!.startFrame - truth!.startFrame)).toBeLessThanOrEqual(3);
    expect(Math.abs(t!.endFrame - truth!.endFrame)).toBeLessThanOrEqual(3);
    expect(Math.abs(t!.cutFrame! - truth!.cutFrame)).toBeLessThanOrEqual(3);
    expect(result.cuts.map((c) => c.frame)).toEqual([t!.cutFrame, ...dissolve.hardCuts]);
    expect(result.cuts[0]!.detectors).toEqual(['dissolve']);
  });

  it('reports none without the fade and dissolve detectors', async () => {
    const result = await clipCut(dissolve, { detectors: ['content', 'adaptive'] });
    expect(result.transitions).toEqual([]);
  });
});

const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', parseTagValue: false, isArray: (name) => ['track', 'clipitem', 'transitionitem', 'asset-clip', 'transition'].includes(name) });

describe('transitions in the editor exports', () => {
  it('writes the dissolve as a centred dissolve in FCP7 XML, FCPXML, OTIO and EDL, which read back as the clips', async () => {
    const result = await clipCut(dissolve, { exports: ['json', 'edl', 'fcp7', 'fcpxml', 'otio'] });
    const [t] = result.transitions!;
    const clips = result.clips.map((c) => ({ startFrame: c.startFrame, endFrame: c.endFrame }));
    const text = (path: string | undefined) => readFileSync(path!, 'utf8');
    const half = Math.min(t!.cutFrame! - t!.startFrame, t!.endFrame - t!.cutFrame!);
    expect(half).toBeGreaterThanOrEqual(8);

    const fcp7 = text(result.outputs.fcp7);
    expect(XMLValidator.validate(fcp7)).toBe(true);
    expect(parseFcp7Xml(fcp7)).toEqual(clips);
    const track = xml.parse(fcp7).xmeml.sequence.media.video.track[0];
    expect(track.transitionitem).toHaveLength(1);
    expect(track.transitionitem[0]).toMatchObject({ start: String(t!.cutFrame! - half), end: String(t!.cutFrame! + half), alignment: 'center', effect: { effectid: 'Cross Dissolve', effecttype: 'transition' } });
    expect(track.clipitem[0]).toMatchObject({ end: '-1', out: String(t!.cutFrame! + half) });
    expect(track.clipitem[1]).toMatchObject({ start: '-1', in: String(t!.cutFrame! - half) });

    const fcpxml = text(result.outputs.fcpxml);
    expect(XMLValidator.validate(fcpxml)).toBe(true);
    expect(parseFcpXml(fcpxml)).toEqual(clips);
    const doc = xml.parse(fcpxml).fcpxml;
    expect(doc.resources.effect).toMatchObject({ '@_name': 'Cross Dissolve', '@_uid': 'FxPlug:4731E73A-8DAC-4113-9A30-AE85B1761265' });
    const [transition] = doc.library.event.project.sequence.spine.transition;
    const frameSeconds = 1001 / 30000;
    const seconds = (value: string) => { const [n, d] = value.slice(0, -1).split('/').map(Number); return n! / (d ?? 1); };
    expect(seconds(transition['@_offset']) / frameSeconds).toBeCloseTo(t!.cutFrame! - half, 6);
    expect(seconds(transition['@_duration']) / frameSeconds).toBeCloseTo(2 * half, 6);
    expect(transition['filter-video']['@_ref']).toBe(doc.resources.effect['@_id']);

    const otio = text(result.outputs.otio);
    expect(parseOtio(otio)).toEqual(clips);
    const children = JSON.parse(otio).tracks.children[0].children as Array<Record<string, unknown>>;
    expect(children.map((c) => c.OTIO_SCHEMA)).toEqual(['Clip.2', 'Transition.1', 'Clip.2', 'Clip.2']);
    expect(children[1]).toMatchObject({ transition_type: 'SMPTE_Dissolve', in_offset: { value: half }, out_offset: { value: half } });

    const edl = text(result.outputs.edl);
    expect(parseEdl(edl, { num: 30000, den: 1001 }, result.dropFrame)).toEqual(clips);
    expect(edl).toMatch(new RegExp(`^002  AX {7}V {5}D {4}${String(2 * half).padStart(3, '0')} `, 'm'));
  });
});

describe('cut lists with dissolves', () => {
  const list: CutList = {
    name: 'dissolves',
    mediaPath: '/tmp/source.mp4',
    fps: { num: 25, den: 1 },
    dropFrame: false,
    width: 320,
    height: 180,
    frameCount: 300,
    hasAudio: true,
    clips: [{ startFrame: 0, endFrame: 100 }, { startFrame: 100, endFrame: 180 }, { startFrame: 180, endFrame: 300 }],
    transitions: [{ clip: 1, frames: 10 }, { clip: 2, frames: 25 }],
  };

  it('round-trips through every format, transitions and all', () => {
    expect(parseFcp7Xml(renderFcp7Xml(list))).toEqual(list.clips);
    expect(parseFcpXml(renderFcpXml(list))).toEqual(list.clips);
    expect(parseOtio(renderOtio(list))).toEqual(list.clips);
    expect(parseEdl(renderEdl(list), list.fps, false)).toEqual(list.clips);
    const edl = renderEdl(list);
    // Each dissolve starts at its edit (CMX cannot centre one), as long as its two sides together.
    expect(edl).toContain('001  AX       AA/V  C        00:00:00:00 00:00:04:00 00:00:00:00 00:00:04:00');
    expect(edl).toContain('002  AX       AA/V  C        00:00:04:00 00:00:04:00 00:00:04:00 00:00:04:00');
    expect(edl).toContain('002  AX       AA/V  D    020 00:00:04:00 00:00:07:05 00:00:04:00 00:00:07:05');
    expect(edl).toContain('003  AX       AA/V  D    050 00:00:07:05 00:00:12:00 00:00:07:05 00:00:12:00');
    // The audio of FCP7 XML is cut: only the video track has transitions.
    const audio = xml.parse(renderFcp7Xml(list)).xmeml.sequence.media.audio.track[0];
    expect(audio.transitionitem).toBeUndefined();
    expect(audio.clipitem.map((c: { in: string }) => c.in)).toEqual(['0', '100', '180']);
  });

  it('refuses dissolves that have no media, no room or no edit', () => {
    const refused = (transitions: CutList['transitions'], clips = list.clips) => {
      const attempt = () => renderOtio({ ...list, clips, transitions });
      expect(attempt).toThrow(FramewrightError);
      try {
        attempt();
      } catch (error) {
        expect((error as FramewrightError).code).toBe('INVALID_PARAMS');
        return (error as Error).message;
      }
      return '';
    };
    expect(refused([{ clip: 0, frames: 5 }])).toMatch(/transitions\[0\]\.clip must be the index of a clip after the first/);
    expect(refused([{ clip: 1, frames: 0 }])).toMatch(/positive integer/);
    expect(refused([{ clip: 2, frames: 121 }])).toMatch(/frames of media are not there/);
    expect(refused([{ clip: 1, frames: 45 }, { clip: 2, frames: 40 }])).toMatch(/clips\[1\] is 80 frames, shorter than its transitions \(85 frames\)/);
    expect(refused([{ clip: 1, frames: 5 }, { clip: 1, frames: 6 }])).toMatch(/has a transition already/);
    expect(refused([{ clip: 1, frames: 5 }], [{ startFrame: 0, endFrame: 100 }, { startFrame: 3, endFrame: 50 }])).toMatch(/not there/);
  });
});
