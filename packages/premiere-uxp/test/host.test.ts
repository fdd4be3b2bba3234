import { describe, expect, it } from 'vitest';
import { FRAMEWRIGHT_BIN, PremiereHost } from '../src/host/premiere-host.js';
import { CodedError } from '@framewright/core/protocol';
import { HostError } from '../src/host/errors.js';
import { createFakePremiere, type FakeScenario, type FakeState } from './fake-premiere.js';
// The engine's own FCP7 writer, so the fake builds its sequence from what clip-cut writes.
import { renderFcp7Xml } from '../../core/src/ops/clip-cut/exports/index.js';

const clip = { mediaPath: '/media/talk.mp4', name: 'talk.mp4', startSeconds: 10, inSeconds: 2, outSeconds: 12 };

function setup(scenario: FakeScenario = {}) {
  const fake = createFakePremiere(scenario);
  return { host: new PremiereHost(fake.module), state: fake.state };
}

function unchanged(state: FakeState): void {
  expect(state.bins).toEqual([]);
  expect(state.imports).toEqual([]);
  expect(state.transactions).toEqual([]);
  expect(state.markers).toEqual([]);
  expect(state.timeline).toEqual([]);
}

async function expectHostError(promise: Promise<unknown>, code: string, text: RegExp): Promise<void> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(HostError);
  expect(error).toBeInstanceOf(CodedError);
  expect((error as HostError).code).toBe(code);
  expect((error as HostError).message).toMatch(text);
}

describe('PremiereHost', () => {
  it('imports files into a Framewright bin it creates once, in one transaction', async () => {
    const { host, state } = setup();
    const items = await host.importFiles(['/out/a.png', '/out/b.png']);
    expect(items.map((i) => i.name)).toEqual(['a.png', 'b.png']);
    await host.importFiles(['/out/c.png']);
    expect(state.bins).toEqual([FRAMEWRIGHT_BIN]);
    expect(state.items.map((i) => [i.name, i.bin])).toEqual([['a.png', 'Framewright'], ['b.png', 'Framewright'], ['c.png', 'Framewright']]);
    expect(state.transactions).toEqual([{ label: 'Framewright: create Framewright bin', actions: ['create bin Framewright'] }]);
  });

  it('inserts a generated clip at the playhead as one undo step', async () => {
    const { host, state } = setup({ playerSeconds: 4.5 });
    const placed = await host.insertAtPlayhead('/out/gen.mp4', 'insert');
    expect(placed.atSeconds).toBe(4.5);
    expect(state.timeline).toEqual([{ mode: 'insert', name: 'gen.mp4', atSeconds: 4.5, videoTrack: 0, audioTrack: 0 }]);
    expect(state.transactions.at(-1)).toEqual({ label: 'Framewright: insert gen.mp4', actions: ['insert gen.mp4'] });
    await host.insertAtPlayhead('/out/gen2.mp4', 'overwrite', 1, 1);
    expect(state.timeline.at(-1)).toMatchObject({ mode: 'overwrite', videoTrack: 1, audioTrack: 1 });
  });

  it('maps cuts in media time to sequence markers inside the clip range, in one transaction', async () => {
    const { host, state } = setup({ selection: [clip, { ...clip }] });
    const selected = await host.selectedClip();
    expect(selected).toMatchObject({ mediaPath: '/media/talk.mp4', startSeconds: 10, inSeconds: 2, outSeconds: 12 });
    const placed = await host.addCutMarkers(selected, [
      { seconds: 1, timecode: '00:00:01:00' },
      { seconds: 4, timecode: '00:00:04:00', score: 31.25 },
      { seconds: 8 },
      { seconds: 13 },
    ]);
    expect(placed).toEqual([
      { name: 'Cut 1', sequenceSeconds: 12, mediaSeconds: 4 },
      { name: 'Cut 2', sequenceSeconds: 16, mediaSeconds: 8 },
    ]);
    expect(state.markers.map((m) => [m.name, m.type, m.startSeconds, m.durationSeconds])).toEqual([
      ['Cut 1', 'Comment', 12, 0],
      ['Cut 2', 'Comment', 16, 0],
    ]);
    expect(state.markers[0]!.comments).toBe('Framewright clip-cut on talk.mp4 at 00:00:04:00 (score 31.25)');
    expect(state.transactions).toEqual([{ label: 'Framewright: 2 cut markers', actions: ['add marker Cut 1', 'add marker Cut 2'] }]);
  });

  it('adds no marker and no transaction when no cut lies inside the clip', async () => {
    const { host, state } = setup({ selection: [clip] });
    expect(await host.addCutMarkers(await host.selectedClip(), [{ seconds: 0.5 }, { seconds: 20 }])).toEqual([]);
    unchanged(state);
  });

  it('imports the FCP7 cut list into the Framewright bin', async () => {
    const { host, state } = setup();
    await host.importCutList('/out/talk.fcp7.xml');
    expect(state.items).toEqual([{ name: 'talk.fcp7.xml', path: '/out/talk.fcp7.xml', bin: 'Framewright' }]);
  });

  it('Remove silences: imports the edited timeline and opens the new sequence Premiere builds from it', async () => {
    const xml = renderFcp7Xml({
      name: 'talk edited', mediaPath: '/media/talk.mp4', fps: { num: 25, den: 1 }, dropFrame: false, width: 1280, height: 720, frameCount: 500,
      hasAudio: true, audioSampleRate: 48000, audioChannels: 2, clips: [{ startFrame: 0, endFrame: 80 }, { startFrame: 130, endFrame: 260 }, { startFrame: 300, endFrame: 480 }],
    });
    const { host, state } = setup({ xmlFiles: { '/out/talk.xml': xml } });
    const sequence = await host.importEditedTimeline('/out/talk.xml');
    expect(sequence.name).toBe('talk edited');
    expect(state.sequences).toEqual([{ name: 'talk edited', videoClips: 3, from: '/out/talk.xml' }]);
    expect(state.opened).toBe('talk edited');
    expect(state.items).toEqual([{ name: 'talk.xml', path: '/out/talk.xml', bin: 'Framewright' }]);
  });

  it('Remove silences says so when the import builds no sequence, or is refused', async () => {
    await expectHostError(setup().host.importEditedTimeline('/out/talk.edl'), 'IMPORT_FAILED', /imported \/out\/talk\.edl but built no sequence/);
    await expectHostError(setup({ refuseImport: true }).host.importEditedTimeline('/out/talk.xml'), 'IMPORT_FAILED', /refused to import the cut list/);
  });

  it('refuses without a project, a sequence or a selection, changing nothing', async () => {
    let s = setup({ project: false });
    await expectHostError(s.host.insertAtPlayhead('/out/x.mp4'), 'NO_PROJECT', /no project is open/);
    await expectHostError(s.host.importFiles(['/out/x.mp4']), 'NO_PROJECT', /no project/);
    unchanged(s.state);
    s = setup({ sequence: false });
    await expectHostError(s.host.insertAtPlayhead('/out/x.mp4'), 'NO_SEQUENCE', /no active sequence/);
    await expectHostError(s.host.selectedClip(), 'NO_SEQUENCE', /open a sequence/);
    unchanged(s.state);
    s = setup({ selection: [] });
    await expectHostError(s.host.selectedClip(), 'NO_SELECTION', /no clip is selected in sequence "Sequence 01"/);
    unchanged(s.state);
    s = setup({ selection: [clip, { ...clip, mediaPath: '/media/other.mp4' }] });
    await expectHostError(s.host.selectedClip(), 'AMBIGUOUS_SELECTION', /2 different media files/);
    s = setup({ selection: [{ ...clip, mediaPath: '' }] });
    await expectHostError(s.host.selectedClip(), 'NOT_A_MEDIA_CLIP', /has no media file/);
  });

  it('surfaces host refusals as clear errors and leaves the timeline unchanged', async () => {
    let s = setup({ refuseImport: true });
    await expectHostError(s.host.importFiles(['/out/x.mp4']), 'IMPORT_FAILED', /refused to import \/out\/x.mp4/);
    expect(s.state.timeline).toEqual([]);
    s = setup({ refuseTransactions: true, selection: [clip] });
    await expectHostError(s.host.addCutMarkers(await s.host.selectedClip(), [{ seconds: 5 }]), 'EDIT_FAILED', /refused "Framewright: 1 cut marker"; the project is unchanged/);
    expect(s.state.markers).toEqual([]);
  });
});
