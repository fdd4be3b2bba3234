import { fileURLToPath } from 'node:url';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { renderEdl, renderFcp7Xml, renderFcpXml, renderOtio, type CutList } from '../src/ops/clip-cut/exports/index.js';
import { fileUrl } from '../src/ops/clip-cut/exports/cut-list.js';
import { timecodeToFrames } from '../src/ops/clip-cut/timecode.js';
import { parseEdl, parseFcp7Xml, parseFcpXml, parseOtio } from './helpers/cut-list-readers.js';

interface RateCase {
  label: string;
  fps: { num: number; den: number };
  dropFrame: boolean;
  timebase: number;
  ntsc: boolean;
  frameDuration: string;
}

const RATES: RateCase[] = [
  { label: '25', fps: { num: 25, den: 1 }, dropFrame: false, timebase: 25, ntsc: false, frameDuration: '1/25s' },
  { label: '29.97 DF', fps: { num: 30000, den: 1001 }, dropFrame: true, timebase: 30, ntsc: true, frameDuration: '1001/30000s' },
  { label: '59.94 DF', fps: { num: 60000, den: 1001 }, dropFrame: true, timebase: 60, ntsc: true, frameDuration: '1001/60000s' },
  { label: '23.976', fps: { num: 24000, den: 1001 }, dropFrame: false, timebase: 24, ntsc: true, frameDuration: '1001/24000s' },
  { label: '60', fps: { num: 60, den: 1 }, dropFrame: false, timebase: 60, ntsc: false, frameDuration: '1/60s' },
];

const ODD_PATH = '/media/My Footage & Co/ünïcode 日本 #2 (final)\'s "cut".mp4';

/** Cut lists that exercise minute and ten-minute boundaries, a 1-frame clip and odd paths. */
function cutLists(rate: RateCase): CutList[] {
  // Drop-frame minutes (but every tenth) start at label ;02 (;04 at 59.94).
  const firstLabel = rate.dropFrame ? String(rate.timebase / 15).padStart(2, '0') : '00';
  const minute = (m: number): number => timecodeToFrames(`00:${String(m).padStart(2, '0')}:00:${firstLabel}`, rate.fps, rate.dropFrame);
  const tenMinutes = timecodeToFrames('00:10:00:00', rate.fps, rate.dropFrame);
  const frameCount = tenMinutes * 2 + 17;
  const boundaries = [0, minute(1) - 1, minute(1), minute(1) + 1, minute(2), tenMinutes - 1, tenMinutes, tenMinutes + 1, minute(11), frameCount];
  const contiguous = boundaries.slice(1).map((endFrame, i) => ({ startFrame: boundaries[i] ?? 0, endFrame }));
  const base = { fps: rate.fps, dropFrame: rate.dropFrame, width: 1920, height: 1080 };
  return [
    { ...base, name: `contiguous ${rate.label}`, mediaPath: '/tmp/footage/source.mp4', frameCount, hasAudio: true, clips: contiguous },
    {
      ...base,
      name: 'Odd <names> & "quotes"',
      mediaPath: ODD_PATH,
      frameCount: 500,
      hasAudio: false,
      clips: [
        { startFrame: 400, endFrame: 500 },
        { startFrame: 7, endFrame: 8 },
        { startFrame: 0, endFrame: 7 },
      ],
    },
    { ...base, name: 'one frame', mediaPath: ODD_PATH, frameCount: 1, hasAudio: true, audioChannels: 1, audioSampleRate: 44100, clips: [{ startFrame: 0, endFrame: 1 }] },
  ];
}

const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', parseTagValue: false, isArray: (name) => ['track', 'clipitem', 'asset-clip', 'link'].includes(name) });

function expectWellFormed(text: string): void {
  expect(XMLValidator.validate(text)).toBe(true);
}

/** Every object in an OTIO document, depth first. */
function otioObjects(value: unknown, out: Array<Record<string, unknown>> = []): Array<Record<string, unknown>> {
  if (Array.isArray(value)) for (const item of value) otioObjects(item, out);
  else if (typeof value === 'object' && value !== null) {
    out.push(value as Record<string, unknown>);
    for (const child of Object.values(value)) otioObjects(child, out);
  }
  return out;
}

describe.each(RATES)('exports at $label fps', (rate) => {
  const lists = cutLists(rate);

  it.each(lists.map((list) => [list.name, list] as const))('EDL of %s round-trips to the same cut frames', (_, list) => {
    const edl = renderEdl(list);
    expect(parseEdl(edl, list.fps, list.dropFrame)).toEqual(list.clips);
    expect(edl.split('\n')[1]).toBe(rate.dropFrame ? 'FCM: DROP FRAME' : 'FCM: NON-DROP FRAME');
  });

  it.each(lists.map((list) => [list.name, list] as const))('FCP7 XML of %s is well-formed and round-trips', (_, list) => {
    const text = renderFcp7Xml(list);
    expectWellFormed(text);
    expect(parseFcp7Xml(text)).toEqual(list.clips);
    const sequence = xml.parse(text).xmeml.sequence;
    expect(sequence.rate).toEqual({ timebase: String(rate.timebase), ntsc: rate.ntsc ? 'TRUE' : 'FALSE' });
    expect(sequence.timecode.displayformat).toBe(rate.dropFrame ? 'DF' : 'NDF');
    const file = sequence.media.video.track[0].clipitem[0].file;
    expect(fileURLToPath(file.pathurl)).toBe(list.mediaPath);
    expect(file.duration).toBe(String(list.frameCount));
    expect(sequence.name).toBe(list.name);
  });

  it.each(lists.map((list) => [list.name, list] as const))('FCPXML of %s is well-formed and round-trips', (_, list) => {
    const text = renderFcpXml(list);
    expectWellFormed(text);
    expect(parseFcpXml(text)).toEqual(list.clips);
    const doc = xml.parse(text).fcpxml;
    expect(doc.resources.format['@_frameDuration']).toBe(rate.frameDuration);
    expect(fileURLToPath(doc.resources.asset['media-rep']['@_src'])).toBe(list.mediaPath);
    const clips = doc.library.event.project.sequence.spine['asset-clip'];
    for (const clip of clips) {
      for (const key of ['@_offset', '@_start', '@_duration']) expect(clip[key]).toMatch(/^\d+(\/\d+)?s$/);
    }
  });

  it.each(lists.map((list) => [list.name, list] as const))('OTIO of %s has schema objects, RationalTimes and round-trips', (_, list) => {
    const text = renderOtio(list);
    expect(parseOtio(text)).toEqual(list.clips);
    const doc = JSON.parse(text);
    expect(doc.OTIO_SCHEMA).toBe('Timeline.1');
    expect(doc.tracks.OTIO_SCHEMA).toBe('Stack.1');
    expect(doc.tracks.children.map((t: { kind: string }) => t.kind)).toEqual(list.hasAudio ? ['Video', 'Audio'] : ['Video']);
    const objects = otioObjects(doc);
    const schemas = new Set(objects.map((o) => o.OTIO_SCHEMA).filter((s) => s !== undefined));
    expect([...schemas].sort()).toEqual(['Clip.2', 'ExternalReference.1', 'RationalTime.1', 'Stack.1', 'TimeRange.1', 'Timeline.1', 'Track.1']);
    for (const time of objects.filter((o) => o.OTIO_SCHEMA === 'RationalTime.1')) {
      expect(time.rate).toBe(rate.fps.num / rate.fps.den);
      expect(Number.isInteger(time.value)).toBe(true);
    }
    const clip = doc.tracks.children[0].children[0];
    expect(clip.active_media_reference_key).toBe('DEFAULT_MEDIA');
    expect(fileURLToPath(clip.media_references.DEFAULT_MEDIA.target_url)).toBe(list.mediaPath);
    expect(clip.media_references.DEFAULT_MEDIA.available_range.duration.value).toBe(list.frameCount);
  });
});

describe('EDL layout', () => {
  const list: CutList = {
    name: 'demo',
    mediaPath: '/tmp/source.mp4',
    fps: { num: 25, den: 1 },
    dropFrame: false,
    width: 640,
    height: 360,
    frameCount: 100,
    hasAudio: false,
    clips: [
      { startFrame: 0, endFrame: 50 },
      { startFrame: 60, endFrame: 100 },
    ],
  };

  it('writes CMX3600 cut events with exclusive outs, record times end to end and the clip name', () => {
    expect(renderEdl(list).split('\n')).toEqual([
      'TITLE: demo',
      'FCM: NON-DROP FRAME',
      '',
      '001  AX       V     C        00:00:00:00 00:00:02:00 00:00:00:00 00:00:02:00',
      '* FROM CLIP NAME: source.mp4',
      '* SOURCE FILE: /tmp/source.mp4',
      '',
      '002  AX       V     C        00:00:02:10 00:00:04:00 00:00:02:00 00:00:03:15',
      '* FROM CLIP NAME: source.mp4',
      '* SOURCE FILE: /tmp/source.mp4',
      '',
    ]);
  });

  it('marks events AA/V for multi-channel audio and A/V for mono', () => {
    expect(renderEdl({ ...list, hasAudio: true })).toContain('001  AX       AA/V  C        00:00:00:00');
    expect(renderEdl({ ...list, hasAudio: true, audioChannels: 1 })).toContain('001  AX       A/V   C        00:00:00:00');
  });

  it('writes DROP FRAME with ; timecodes at 29.97 drop-frame and NON-DROP FRAME at 29.97 non-drop', () => {
    const ntsc = { ...list, fps: { num: 30000, den: 1001 }, frameCount: 2000, clips: [{ startFrame: 1790, endFrame: 1800 }] };
    const drop = renderEdl({ ...ntsc, dropFrame: true });
    expect(drop).toContain('FCM: DROP FRAME\n');
    expect(drop).toContain('00:00:59;20 00:01:00;02 00:00:00;00 00:00:00;10');
    const nonDrop = renderEdl({ ...ntsc, dropFrame: false });
    expect(nonDrop).toContain('FCM: NON-DROP FRAME\n');
    expect(nonDrop).toContain('00:00:59:20 00:01:00:00 00:00:00:00 00:00:00:10');
  });

  it('reads EDLs from other tools: CRLF, FCM switches, audio-only repeats, dissolves and black', () => {
    const fps = { num: 30000, den: 1001 };
    const text = [
      'TITLE: from an editor',
      'FCM: NON-DROP FRAME',
      '001  BL       V     C        00:00:00:00 00:00:01:00 00:00:00:00 00:00:01:00',
      '002  TAPE1    V     C        00:00:10:00 00:00:11:00 00:00:01:00 00:00:02:00',
      '002  TAPE1    A     C        00:00:10:00 00:00:11:00 00:00:01:00 00:00:02:00',
      'FCM: DROP FRAME',
      '003  TAPE1    V     C        00:01:00;02 00:01:00;02 00:00:02;00 00:00:02;00',
      '003  TAPE1    V     D    015 00:01:00;02 00:01:01;02 00:00:02;00 00:00:03;00',
      'M2   TAPE1       029.9                00:01:00;02',
      '* FROM CLIP NAME: a.mov',
    ].join('\r\n');
    expect(parseEdl(text, fps, false)).toEqual([
      { startFrame: 300, endFrame: 330 },
      { startFrame: 1800, endFrame: 1830 },
    ]);
  });

  it('names the line of a malformed event or timecode', () => {
    const fps = { num: 25, den: 1 };
    expect(() => parseEdl('TITLE: x\n001  AX  V  C  00:00:00:00 00:00:01:30 00:00:00:00 00:00:01:00', fps, false)).toThrow(/EDL line 2: .*out of range/);
    expect(() => parseEdl('001  AX  V  C  00:00:00:00', fps, false)).toThrow(/EDL line 1: expected/);
    expect(() => parseEdl('FCM: DROP FRAME\n', fps, false)).toThrow(/drop-frame/);
  });
});

describe('FCP7 XML layout', () => {
  const list: CutList = {
    name: 'linked',
    mediaPath: '/tmp/source.mov',
    fps: { num: 24000, den: 1001 },
    dropFrame: false,
    width: 1280,
    height: 720,
    frameCount: 240,
    hasAudio: true,
    audioChannels: 2,
    audioSampleRate: 48000,
    clips: [
      { startFrame: 0, endFrame: 100 },
      { startFrame: 100, endFrame: 240 },
    ],
  };

  it('puts one audio track per channel, links each clip across tracks, and defines the file once', () => {
    const text = renderFcp7Xml(list);
    const media = xml.parse(text).xmeml.sequence.media;
    expect(media.audio.track).toHaveLength(2);
    expect(media.audio.track[1].clipitem[0].sourcetrack.trackindex).toBe('2');
    const video = media.video.track[0].clipitem;
    expect(video.map((c: { start: string; end: string }) => [c.start, c.end])).toEqual([['0', '100'], ['100', '240']]);
    expect(video[1].link.map((l: { linkclipref: string }) => l.linkclipref)).toEqual(['clipitem-v-2', 'clipitem-a1-2', 'clipitem-a2-2']);
    expect(text.match(/<file id="file-1">/g)).toHaveLength(1);
    expect(text.match(/<file id="file-1"\/>/g)).toHaveLength(5);
    expect(media.audio.format.samplecharacteristics.samplerate).toBe('48000');
  });

  it('has no audio section when the source has no audio', () => {
    const text = renderFcp7Xml({ ...list, hasAudio: false });
    expect(xml.parse(text).xmeml.sequence.media.audio).toBeUndefined();
    expect(text).not.toContain('<link>');
  });

  it('reads entities, CDATA, comments and disabled clipitems from other writers', () => {
    const text = `<?xml version="1.0"?><!DOCTYPE xmeml><xmeml version="4"><!-- exported --><sequence><name><![CDATA[a & b]]></name><media><video><track>
      <clipitem id="b"><start>10</start><end>20</end><in>30</in><out>40</out></clipitem>
      <clipitem id="a"><start>0</start><end>10</end><in>5</in><out>15</out></clipitem>
      <clipitem id="c"><enabled>FALSE</enabled><start>20</start><end>30</end><in>0</in><out>10</out></clipitem>
    </track></video></media></sequence></xmeml>`;
    expect(parseFcp7Xml(text)).toEqual([
      { startFrame: 5, endFrame: 15 },
      { startFrame: 30, endFrame: 40 },
    ]);
  });

  it('rejects XML that is not well-formed, naming the line', () => {
    expect(() => parseFcp7Xml('<xmeml>\n<sequence>\n</xmeml>')).toThrow(/FCP7 XML: not well-formed XML at line 3: <\/xmeml> does not close <sequence>/);
    expect(() => parseFcp7Xml('<xmeml a="1 & 2"/>')).toThrow(/bare &/);
    expect(() => parseFcp7Xml('<fcpxml/>')).toThrow(/expected <xmeml>/);
  });
});

describe('FCPXML reading', () => {
  it('counts frames from the asset start at the referenced format rate', () => {
    const text = `<?xml version="1.0" encoding="UTF-8"?>
<fcpxml version="1.10"><resources>
  <format id="f" frameDuration="100/2500s"/>
  <asset id="a" start="3600s" duration="40s"><media-rep kind="original-media" src="file:///x.mov"/></asset>
</resources><library><event><project><sequence format="f"><spine>
  <asset-clip ref="a" offset="0s" start="3601s" duration="12/25s"/>
  <gap offset="12/25s" duration="1s"/>
  <asset-clip ref="a" offset="37/25s" start="3610s" duration="1s"/>
</spine></sequence></project></event></library></fcpxml>`;
    expect(parseFcpXml(text)).toEqual([
      { startFrame: 25, endFrame: 37 },
      { startFrame: 250, endFrame: 275 },
    ]);
  });

  it('rejects a time that is not a rational number of seconds', () => {
    const text = renderFcpXml({
      name: 'x', mediaPath: '/x.mp4', fps: { num: 25, den: 1 }, dropFrame: false, width: 2, height: 2, frameCount: 10, hasAudio: false,
      clips: [{ startFrame: 0, endFrame: 10 }],
    }).replace(/(<asset-clip [^>]*duration=")10\/25s"/, (_, head: string) => `${head}0.4"`);
    expect(() => parseFcpXml(text)).toThrow(/FCPXML: time "0.4" is not a rational number of seconds/);
  });
});

describe('OTIO reading', () => {
  it('skips gaps and reads clips whose duration is at another rate', () => {
    const rt = (value: number, rate: number) => ({ OTIO_SCHEMA: 'RationalTime.1', rate, value });
    const clip = (start: number, duration: number, rate = 24) => ({ OTIO_SCHEMA: 'Clip.1', source_range: { OTIO_SCHEMA: 'TimeRange.1', start_time: rt(start, 24), duration: rt(duration, rate) } });
    const doc = {
      OTIO_SCHEMA: 'Timeline.1',
      tracks: {
        OTIO_SCHEMA: 'Stack.1',
        children: [
          { OTIO_SCHEMA: 'Track.1', kind: 'Audio', children: [clip(0, 5)] },
          { OTIO_SCHEMA: 'Track.1', kind: 'Video', children: [clip(10, 2, 48), { OTIO_SCHEMA: 'Gap.1' }, clip(3, 4)] },
        ],
      },
    };
    expect(parseOtio(JSON.stringify(doc))).toEqual([
      { startFrame: 10, endFrame: 11 },
      { startFrame: 3, endFrame: 7 },
    ]);
  });

  it('rejects text that is not an OTIO timeline', () => {
    expect(() => parseOtio('{nope')).toThrow(/OTIO: not JSON/);
    expect(() => parseOtio('{"OTIO_SCHEMA":"Clip.2"}')).toThrow(/not an OTIO Timeline/);
  });
});

describe('cut list validation', () => {
  const valid: CutList = {
    name: 'v', mediaPath: '/a.mp4', fps: { num: 25, den: 1 }, dropFrame: false, width: 4, height: 4, frameCount: 10, hasAudio: false,
    clips: [{ startFrame: 0, endFrame: 10 }],
  };
  const renderers = [renderEdl, renderFcp7Xml, renderFcpXml, renderOtio];
  const bad: Array<[string, Partial<CutList>, RegExp]> = [
    ['a relative media path', { mediaPath: 'a.mp4' }, /mediaPath must be an absolute path/],
    ['an empty clip', { clips: [{ startFrame: 3, endFrame: 3 }] }, /clips\[0\]\.endFrame must be an integer greater than startFrame 3/],
    ['a clip past the end', { clips: [{ startFrame: 0, endFrame: 11 }] }, /clips\[0\]\.endFrame 11 is past frameCount 10/],
    ['drop-frame at 25 fps', { dropFrame: true }, /dropFrame is only valid at 29.97 and 59.94/],
    ['a zero frame rate', { fps: { num: 0, den: 1 } }, /frame rate must be positive integers/],
    ['a fractional width', { width: 4.5 }, /width must be a positive integer/],
  ];
  it.each(bad)('every format rejects %s with one clear line', (_, change, message) => {
    for (const render of renderers) expect(() => render({ ...valid, ...change })).toThrow(message);
  });

  it('renders an empty cut list as a valid empty timeline', () => {
    const empty = { ...valid, clips: [] };
    expect(parseEdl(renderEdl(empty), empty.fps, false)).toEqual([]);
    expect(parseFcp7Xml(renderFcp7Xml(empty))).toEqual([]);
    expect(parseFcpXml(renderFcpXml(empty))).toEqual([]);
    expect(parseOtio(renderOtio(empty))).toEqual([]);
  });

  it('refuses EDL and FCP7 XML at a rate timecode cannot express, but writes FCPXML and OTIO', () => {
    const odd = { ...valid, fps: { num: 25, den: 2 } };
    expect(() => renderEdl(odd)).toThrow(/EDL cannot describe 25\/2 fps/);
    expect(() => renderFcp7Xml(odd)).toThrow(/FCP7 XML cannot describe 25\/2 fps/);
    expect(renderFcpXml(odd)).toContain('frameDuration="2/25s"');
    expect(parseOtio(renderOtio(odd))).toEqual(odd.clips);
  });

  it('keeps XML well-formed whatever the names contain, and names read back intact', () => {
    const name = 'a & b < c > d "e" \'f\' \u0001g';
    const text = renderFcp7Xml({ ...valid, name });
    expectWellFormed(text);
    expect(xml.parse(text).xmeml.sequence.name).toBe('a & b < c > d "e" \'f\' g');
    expectWellFormed(renderFcpXml({ ...valid, name }));
  });
});

describe('file URLs', () => {
  it('percent-encodes everything outside unreserved characters, for POSIX, Windows and UNC paths', () => {
    expect(fileUrl('/a b/#1 & ü?.mp4')).toBe('file:///a%20b/%231%20%26%20%C3%BC%3F.mp4');
    expect(fileUrl('/x/100%.mp4', { localhost: true })).toBe('file://localhost/x/100%25.mp4');
    expect(fileUrl('C:\\Users\\Me\\My Clip.mp4')).toBe('file:///C:/Users/Me/My%20Clip.mp4');
    expect(fileUrl('\\\\server\\share\\clip 1.mov')).toBe('file://server/share/clip%201.mov');
    expect(fileURLToPath(fileUrl(ODD_PATH))).toBe(ODD_PATH);
  });
});
