// H.264 parameter sets (SPS and PPS) of MP4 files that join the packets of two encoders: a smart
// cut's clip holds the source's GOPs and libx264's re-encoded frames. An MP4 ('avc1') track keeps
// its parameter sets in the avcC box of its sample description, and players that decode with those
// alone (QuickTime and AVFoundation, hardware decoders) ignore the copies inside the frames: with
// only one encoder's sets in avcC, the other encoder's frames decode to garbage there. So the
// re-encoded frames use parameter set ids the source does not use, and the clip's avcC lists
// every set its frames refer to.
import { open, type FileHandle } from 'node:fs/promises';
import { createReadStream, createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { FramewrightError } from '../protocol/index.js';
import { newCommand, runCommand } from './command.js';
import { ChunkSink } from './sink.js';

/** A sequence (type 7) or picture (type 8) parameter set, and its id. */
export interface ParameterSet {
  readonly type: 7 | 8;
  readonly id: number;
  /** The NAL unit, header byte included, without a start code. */
  readonly bytes: Uint8Array;
}

/** The NAL units of Annex B bytes (start codes removed). */
export function annexBUnits(bytes: Uint8Array): Uint8Array[] {
  const units: Uint8Array[] = [];
  let start = -1;
  let i = 0;
  while (i + 2 < bytes.length) {
    if (bytes[i] === 0 && bytes[i + 1] === 0 && bytes[i + 2] === 1) {
      if (start >= 0) units.push(trimZeros(bytes.subarray(start, i)));
      i += 3;
      start = i;
    } else i++;
  }
  if (start >= 0 && start < bytes.length) units.push(bytes.subarray(start));
  return units.filter((u) => u.length > 0);
}

// A four-byte start code leaves a zero at the end of the unit before it.
function trimZeros(unit: Uint8Array): Uint8Array {
  let end = unit.length;
  while (end > 0 && unit[end - 1] === 0) end--;
  return unit.subarray(0, end);
}

/** Reads Exp-Golomb codes from a NAL unit's payload, skipping emulation-prevention bytes. */
class BitReader {
  private byte = 0;
  private bit = 0;
  private zeros = 0;
  private current = 0;

  constructor(private readonly data: Uint8Array, offset: number) {
    this.byte = offset;
    this.load();
  }

  private load(): void {
    // 0x000003 is an escape: the 03 is not part of the payload.
    if (this.zeros >= 2 && this.data[this.byte] === 3) {
      this.byte++;
      this.zeros = 0;
    }
    const value = this.data[this.byte];
    if (value === undefined) throw new RangeError('parameter set ends early');
    this.current = value;
    this.zeros = value === 0 ? this.zeros + 1 : 0;
  }

  readBit(): number {
    const value = (this.current >> (7 - this.bit)) & 1;
    if (++this.bit === 8) {
      this.bit = 0;
      this.byte++;
      this.load();
    }
    return value;
  }

  /** ue(v): an unsigned Exp-Golomb code. */
  readUe(): number {
    let leading = 0;
    while (this.readBit() === 0) if (++leading > 31) throw new RangeError('Exp-Golomb code too long');
    let value = 0;
    for (let i = 0; i < leading; i++) value = value * 2 + this.readBit();
    return 2 ** leading - 1 + value;
  }
}

/** The parameter set a NAL unit is, or undefined for any other unit (or one too short to read). */
export function parameterSetOf(unit: Uint8Array): ParameterSet | undefined {
  const type = unit[0]! & 0x1f;
  try {
    // An SPS starts with profile, constraint flags and level (3 bytes); a PPS with its own id.
    if (type === 7) return { type, id: new BitReader(unit, 4).readUe(), bytes: unit };
    if (type === 8) return { type, id: new BitReader(unit, 1).readUe(), bytes: unit };
  } catch {
    return undefined;
  }
  return undefined;
}

/**
 * The parameter sets in front of the first frame of `file`'s video stream: ffmpeg writes its first
 * packet as Annex B, with the sets of the file's header (MP4, Matroska) or of the stream (MPEG-TS)
 * before it.
 * @throws FramewrightError `FFMPEG_FAILED` when ffmpeg cannot read the file, `CANCELLED`
 */
export async function firstParameterSets(file: string, signal?: AbortSignal): Promise<ParameterSet[]> {
  const sink = new ChunkSink(1 << 20);
  const command = (await newCommand())
    .input(file)
    .outputOptions(['-map', '0:v:0', '-an', '-sn', '-dn', '-c:v', 'copy', '-frames:v', '1', '-f', 'h264'])
    .output(sink, { end: true });
  const chunks: Buffer[] = [];
  await sink.consume(runCommand(command, `reading the parameter sets of ${file}`, signal).done, (chunk) => void chunks.push(chunk));
  const sets: ParameterSet[] = [];
  for (const unit of annexBUnits(Buffer.concat(chunks))) {
    const set = parameterSetOf(unit);
    if (set !== undefined && !sets.some((s) => s.type === set.type && s.id === set.id)) sets.push(set);
  }
  return sets;
}

/** The lowest id (0-31) that no SPS and no PPS of `sets` uses, for libx264's `sps-id` (it numbers both). */
export function freeParameterSetId(sets: readonly ParameterSet[]): number | undefined {
  for (let id = 0; id < 32; id++) if (!sets.some((s) => s.id === id)) return id;
  return undefined;
}

/**
 * The union of `groups` (each piece's parameter sets, first piece first), each type and id once.
 * @throws FramewrightError `UNSUPPORTED_MEDIA` when two pieces give one id different contents
 */
export function joinParameterSets(groups: ReadonlyArray<readonly ParameterSet[]>): ParameterSet[] {
  const out: ParameterSet[] = [];
  for (const set of groups.flat()) {
    const same = out.find((s) => s.type === set.type && s.id === set.id);
    if (same === undefined) out.push(set);
    else if (Buffer.compare(Buffer.from(same.bytes), Buffer.from(set.bytes)) !== 0) {
      throw new FramewrightError('UNSUPPORTED_MEDIA', `the pieces of the clip define ${set.type === 7 ? 'SPS' : 'PPS'} ${set.id} differently`);
    }
  }
  return out;
}

// ---- MP4 boxes ----

interface BoxHeader {
  readonly type: string;
  /** Offset of the box in its parent's bytes (or the file). */
  readonly start: number;
  readonly size: number;
  readonly headerSize: number;
}

function boxAt(bytes: Uint8Array, start: number, end: number): BoxHeader {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let size = view.getUint32(start);
  const type = String.fromCharCode(...bytes.subarray(start + 4, start + 8));
  let headerSize = 8;
  if (size === 1) {
    size = Number(view.getBigUint64(start + 8));
    headerSize = 16;
  } else if (size === 0) size = end - start;
  if (size < headerSize || start + size > end) throw new FramewrightError('FFMPEG_FAILED', `the MP4 box ${type} at byte ${start} runs past its parent`);
  return { type, start, size, headerSize };
}

function childBoxes(bytes: Uint8Array, from: number, to: number): BoxHeader[] {
  const boxes: BoxHeader[] = [];
  for (let at = from; at + 8 <= to; ) {
    const box = boxAt(bytes, at, to);
    boxes.push(box);
    at += box.size;
  }
  return boxes;
}

function box(type: string, ...parts: Uint8Array[]): Buffer {
  const size = 8 + parts.reduce((sum, p) => sum + p.length, 0);
  const header = Buffer.alloc(8);
  header.writeUInt32BE(size);
  header.write(type, 4, 'latin1');
  return Buffer.concat([header, ...parts]);
}

// Boxes on the way from moov to a track's sample descriptions and chunk offsets.
const CONTAINERS = new Set(['moov', 'trak', 'mdia', 'minf', 'stbl']);
// A visual sample entry's fields before its child boxes (ISO/IEC 14496-12, 12.1.3).
const VISUAL_ENTRY_FIELDS = 78;

/** An avcC payload like `old` (same profile, level and NAL length size, same trailing fields) listing `sets`. */
function avcConfig(old: Uint8Array, sets: readonly ParameterSet[]): Buffer {
  // version, profile, compatibility, level, NAL length size, then the SPS and the PPS lists.
  let at = 5;
  const count = (n: number) => {
    for (let i = 0; i < n; i++) at += 2 + ((old[at]! << 8) | old[at + 1]!);
  };
  count(old[at++]! & 0x1f);
  count(old[at++]!);
  const list = (type: 7 | 8) => {
    const chosen = sets.filter((s) => s.type === type);
    return [Buffer.from([type === 7 ? 0xe0 | chosen.length : chosen.length]), ...chosen.flatMap((s) => [Buffer.from([s.bytes.length >> 8, s.bytes.length & 0xff]), Buffer.from(s.bytes)])];
  };
  if (sets.filter((s) => s.type === 7).length > 31) throw new FramewrightError('UNSUPPORTED_MEDIA', 'a clip cannot list more than 31 SPS');
  return Buffer.concat([old.subarray(0, 5), ...list(7), ...list(8), old.subarray(at)]);
}

/** Rebuilds `bytes[header]` with its avcC boxes listing `sets` and its chunk offsets moved by `shift`. */
function rebuild(bytes: Uint8Array, header: BoxHeader, sets: readonly ParameterSet[], shift: number): Buffer {
  const { type, start, size, headerSize } = header;
  const payloadStart = start + headerSize;
  const end = start + size;
  if (CONTAINERS.has(type)) return box(type, ...childBoxes(bytes, payloadStart, end).map((c) => rebuild(bytes, c, sets, shift)));
  if (type === 'stsd') {
    // Full box (version, flags), entry count, then the sample entries.
    const entries = childBoxes(bytes, payloadStart + 8, end).map((entry) => {
      if (entry.type !== 'avc1' && entry.type !== 'avc3') return bytes.subarray(entry.start, entry.start + entry.size);
      const fieldsEnd = entry.start + entry.headerSize + VISUAL_ENTRY_FIELDS;
      const children = childBoxes(bytes, fieldsEnd, entry.start + entry.size).map((c) =>
        c.type === 'avcC' ? box('avcC', avcConfig(bytes.subarray(c.start + c.headerSize, c.start + c.size), sets)) : bytes.subarray(c.start, c.start + c.size));
      return box(entry.type, bytes.subarray(entry.start + entry.headerSize, fieldsEnd), ...children);
    });
    return box('stsd', bytes.subarray(payloadStart, payloadStart + 8), ...entries);
  }
  if ((type === 'stco' || type === 'co64') && shift !== 0) {
    const out = Buffer.from(bytes.subarray(start, end));
    const count = out.readUInt32BE(headerSize + 4);
    for (let i = 0; i < count; i++) {
      const at = headerSize + 8 + i * (type === 'stco' ? 4 : 8);
      if (type === 'co64') out.writeBigUInt64BE(out.readBigUInt64BE(at) + BigInt(shift), at);
      else {
        const moved = out.readUInt32BE(at) + shift;
        if (moved > 0xffffffff) throw new FramewrightError('UNSUPPORTED_MEDIA', 'the clip is too large to list its parameter sets (32-bit chunk offsets)');
        out.writeUInt32BE(moved, at);
      }
    }
    return out;
  }
  return Buffer.from(bytes.subarray(start, end));
}

async function readAt(file: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await file.read(buffer, 0, length, position);
  return buffer.subarray(0, bytesRead);
}

/**
 * Copies the MP4 `input` to `output` with the avcC box of its H.264 track listing `sets` (and
 * nothing else changed: where the movie box comes before the media, the chunk offsets move by what
 * it grew).
 * @throws FramewrightError `FFMPEG_FAILED` when `input` is not an MP4 file with a movie box
 */
export async function writeAvcConfig(input: string, output: string, sets: readonly ParameterSet[]): Promise<void> {
  const file = await open(input, 'r');
  let boxes: BoxHeader[];
  let moov: Buffer | undefined;
  let moovIndex = -1;
  try {
    const { size } = await file.stat();
    boxes = [];
    for (let at = 0; at + 8 <= size; ) {
      const head = await readAt(file, at, 16);
      let boxSize = head.readUInt32BE(0);
      let headerSize = 8;
      if (boxSize === 1 && head.length === 16) {
        boxSize = Number(head.readBigUInt64BE(8));
        headerSize = 16;
      } else if (boxSize === 0) boxSize = size - at;
      const type = head.toString('latin1', 4, 8);
      if (boxSize < headerSize || at + boxSize > size) throw new FramewrightError('FFMPEG_FAILED', `${input} ends inside its ${type} box`);
      boxes.push({ type, start: at, size: boxSize, headerSize });
      if (type === 'moov') {
        moov = await readAt(file, at, boxSize);
        moovIndex = boxes.length - 1;
      }
      at += boxSize;
    }
  } finally {
    await file.close();
  }
  if (moov === undefined) throw new FramewrightError('FFMPEG_FAILED', `${input} has no movie box`);
  const header = { ...boxes[moovIndex]!, start: 0 };
  const grown = rebuild(moov, header, sets, 0).length - moov.length;
  const mediaAfter = boxes.slice(moovIndex + 1).some((b) => b.type === 'mdat');
  const rebuilt = rebuild(moov, header, sets, mediaAfter ? grown : 0);
  const out = createWriteStream(output);
  try {
    for (const [i, b] of boxes.entries()) {
      if (i === moovIndex) {
        if (!out.write(rebuilt)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
        continue;
      }
      await pipeline(createReadStream(input, { start: b.start, end: b.start + b.size - 1 }), out, { end: false });
    }
  } finally {
    await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
  }
}
