// The packets of a video stream as the demuxer hands them out, without decoding: timestamps and
// keyframe flags in decode order. ffmpeg stream-copies the stream into its framecrc muxer, which
// prints one line a packet on a pipe; a line is parsed as it arrives, so memory is a few bytes a
// packet whatever the file's size.
import { FramewrightError } from '../protocol/index.js';
import { newCommand, runCommand } from './command.js';
import { checkInputFile, type Rational } from './probe.js';
import { ChunkSink } from './sink.js';

/** The video packets of a file, in decode order. */
export interface VideoPackets {
  /** Seconds per timestamp tick. */
  readonly timeBase: Rational;
  /**
   * Presentation timestamp of each packet in ticks as the demuxer gives it (what `-ss` seeks to
   * with `-seek_timestamp 1`); NaN where the packet had none.
   */
  readonly pts: Float64Array;
  /** Decode timestamp of each packet in ticks; NaN where it had none. */
  readonly dts: Float64Array;
  /** 1 where the packet is a keyframe (a decoder may start on it). */
  readonly key: Uint8Array;
}

// framecrc: "#tb 0: 1/12800" once, then "0,      -1024,          0,      512,     4667, 0xba2a3430"
// per packet (stream, dts, pts, duration, size, checksum), with ", F=0x0" when the flags are not
// just "keyframe" (so a packet without F= is a keyframe) and side data after that.
const TIME_BASE_LINE = /^#tb 0: (\d+)\/(\d+)/;
const PACKET_LINE = /^0,\s*(-?\d+),\s*(-?\d+),\s*-?\d+,\s*\d+,\s*0x[0-9a-f]+(?:,\s*F=0x([0-9A-Fa-f]+))?/;
/** Packet flag bits (libavcodec AV_PKT_FLAG_*). */
const FLAG_KEY = 0x1;
const FLAG_DISCARD = 0x4;
/** Timestamps this far below zero are AV_NOPTS_VALUE. */
const NO_TIMESTAMP = -(2 ** 62);

/** Growable typed columns, doubled as packets arrive. */
class Columns {
  pts = new Float64Array(4096);
  dts = new Float64Array(4096);
  key = new Uint8Array(4096);
  length = 0;

  push(pts: number, dts: number, key: boolean): void {
    if (this.length === this.key.length) {
      const grow = <T extends Float64Array | Uint8Array>(a: T, make: (n: number) => T): T => {
        const b = make(a.length * 2);
        b.set(a);
        return b;
      };
      this.pts = grow(this.pts, (n) => new Float64Array(n));
      this.dts = grow(this.dts, (n) => new Float64Array(n));
      this.key = grow(this.key, (n) => new Uint8Array(n));
    }
    this.pts[this.length] = pts;
    this.dts[this.length] = dts;
    this.key[this.length] = key ? 1 : 0;
    this.length++;
  }
}

const tick = (text: string) => {
  const n = Number(text);
  return n < NO_TIMESTAMP ? Number.NaN : n;
};

/**
 * Lists the packets of the first video stream of `input` (a demux, no decoding: a few
 * milliseconds per second of video). Packets the demuxer marks for discarding (before an edit
 * list's start) are left out, as a decoder drops them.
 *
 * @throws FramewrightError `FFMPEG_FAILED` when ffmpeg cannot read the file, `CANCELLED`
 */
export async function readVideoPackets(input: string, signal?: AbortSignal): Promise<VideoPackets> {
  const path = await checkInputFile(input);
  const sink = new ChunkSink(1 << 16);
  const command = (await newCommand())
    .input(path)
    // -copyts: the demuxer's timestamps, not shifted by the file's start time (which would depend
    // on the streams mapped).
    .outputOptions(['-map', '0:v:0', '-an', '-sn', '-dn', '-c', 'copy', '-copyts', '-f', 'framecrc'])
    .output(sink, { end: true });
  const running = runCommand(command, `listing the video packets of ${path}`, signal);
  const columns = new Columns();
  let timeBase: Rational | undefined;
  const line = (text: string) => {
    const packet = PACKET_LINE.exec(text);
    if (packet !== null) {
      const flags = packet[3] === undefined ? FLAG_KEY : Number.parseInt(packet[3], 16);
      if ((flags & FLAG_DISCARD) === 0) columns.push(tick(packet[2]!), tick(packet[1]!), (flags & FLAG_KEY) !== 0);
      return;
    }
    const base = TIME_BASE_LINE.exec(text);
    if (base !== null && Number(base[1]) > 0 && Number(base[2]) > 0) timeBase = { num: Number(base[1]), den: Number(base[2]) };
  };
  let rest = '';
  await sink.consume(running.done, (chunk) => {
    const lines = (rest + chunk.toString('latin1')).split('\n');
    rest = lines.pop()!;
    for (const l of lines) line(l);
  });
  if (rest !== '') line(rest);
  if (timeBase === undefined) throw new FramewrightError('UNSUPPORTED_MEDIA', `no video packets could be read from ${path}`);
  const n = columns.length;
  return { timeBase, pts: columns.pts.slice(0, n), dts: columns.dts.slice(0, n), key: columns.key.slice(0, n) };
}
