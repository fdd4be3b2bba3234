import { describe, expect, it } from 'vitest';
import { endpointFromLocation, finishedText, operationChoices, paramsFor, progressText, remember, resultEntry } from '../src/dock/view-model.js';

describe('dock view model', () => {
  it('shows the warnings a result carries, such as words the built-in model does not know', () => {
    const result = { images: [{ path: '/o/a.png', width: 64, height: 64, seed: 1 }], warnings: ['the built-in model does not know "neon"; ignored'] };
    const entry = resultEntry('image-gen', result, new Date(0));
    expect(entry.warnings).toEqual(['the built-in model does not know "neon"; ignored']);
    expect(finishedText('image-gen', entry.warnings ?? [])).toBe('image-gen finished with a warning: the built-in model does not know "neon"; ignored');
    expect(resultEntry('image-gen', { images: [], warnings: [] }, new Date(0)).warnings).toBeUndefined();
    expect(finishedText('clip-cut', [])).toBe('clip-cut finished');
  });

  it('connects to the server that served the page, with the token from the fragment', () => {
    expect(endpointFromLocation('http://127.0.0.1:7878/dock/#token=a%2Bb')).toEqual({ wsUrl: 'ws://127.0.0.1:7878/v1/ws', token: 'a+b' });
    expect(() => endpointFromLocation('http://127.0.0.1:7878/dock/')).toThrow(/no #token=/);
  });

  it('offers every operation and says why one is unavailable', () => {
    const choices = operationChoices({
      operations: [
        { op: 'clip-cut', available: true },
        { op: 'image-gen', available: false, reason: 'the built-in model has not shipped' },
      ],
    });
    expect(choices).toEqual([
      { op: 'image-gen', available: false, reason: 'the built-in model has not shipped' },
      { op: 'video-gen', available: false, reason: 'this server does not offer it' },
      { op: 'clip-cut', available: true },
    ]);
  });

  it('builds params from the form and names what is missing', () => {
    expect(paramsFor('image-gen', { prompt: ' a fox ', input: '' })).toEqual({ prompt: 'a fox' });
    expect(paramsFor('video-gen', { prompt: 'waves', input: '' })).toEqual({ mode: 'text-to-video', prompt: 'waves' });
    expect(paramsFor('video-gen', { prompt: '', input: '/s.png' })).toEqual({ mode: 'image-to-video', image: '/s.png' });
    expect(paramsFor('clip-cut', { prompt: '', input: '/r.mkv' })).toEqual({ input: '/r.mkv', exports: ['clips', 'edl', 'otio'], clipMode: 'smart' });
    expect(() => paramsFor('image-gen', { prompt: '  ', input: '' })).toThrow('write a prompt first');
    expect(() => paramsFor('clip-cut', { prompt: 'x', input: '' })).toThrow('give the path of the video to cut');
  });

  it('reads progress and results in one line each, newest result first, ten kept', () => {
    expect(progressText({ stage: 'analyse', fraction: 0.424, etaSeconds: 2.2 })).toBe('analyse 42% · 3 s left');
    const entry = resultEntry('clip-cut', { clips: [{}, {}], outputs: { clips: ['/a.mp4', '/b.mp4'], edl: '/x.edl' } }, new Date('2026-11-24T17:00:00Z'));
    expect(entry).toEqual({ op: 'clip-cut', summary: '2 clips', files: ['/a.mp4', '/b.mp4', '/x.edl'], at: '2026-11-24T17:00:00.000Z' });
    expect(resultEntry('image-gen', { images: [{ path: '/i.png' }] }, new Date(0)).summary).toBe('1 image');
    let list = [entry];
    for (let i = 0; i < 12; i++) list = remember(list, { ...entry, summary: `run ${i}` });
    expect(list).toHaveLength(10);
    expect(list[0]?.summary).toBe('run 11');
  });
});
