// Writes what clip-cut exports: clip files and thumbnails (through the media layer), the editor
// cut lists (renderers in ./exports) and the JSON result. Every file goes through the run's output
// ledger: written under a recorded temporary name and put in place when the run succeeds.
import { readdir } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { cutSegment, prepareSegmentSource, writeThumbnail, type FrameTimeline, type MediaInfo, type SegmentMode, type SegmentSource } from '../../media/index.js';
import { FramewrightError, type ClipCutResult } from '../../protocol/index.js';
import { writeFileAtomic } from '../../util/fs.js';
import { fitName, NAME_MAX_BYTES, truncateUtf8, utf8Length } from '../../util/names.js';
import { renderEdl, renderFcp7Xml, renderFcpXml, renderOtio, type CutList } from './exports/index.js';

/** The editor formats, their file extension and renderer. */
const CUT_LIST_FORMATS = {
  edl: { ext: 'edl', render: renderEdl },
  fcp7: { ext: 'xml', render: renderFcp7Xml },
  fcpxml: { ext: 'fcpxml', render: renderFcpXml },
  otio: { ext: 'otio', render: renderOtio },
} as const;

/** One of the editor cut-list formats. */
export type CutListFormat = keyof typeof CUT_LIST_FORMATS;

/** Everything an export step needs. */
export interface ExportContext {
  readonly info: MediaInfo;
  /** When each frame is shown (clip files and thumbnails seek by it; variable-rate video needs it). */
  readonly timeline?: FrameTimeline;
  readonly name: string;
  readonly outputDir: string;
  readonly signal: AbortSignal;
  /** Every file written so far (absolute paths); appended to as files land. */
  readonly written: string[];
  /** Told each work folder a clip file needs beside it, before it is written to (a crash-undo removes it). */
  readonly onWorkDir?: (dir: string) => Promise<void>;
  /** The source's packets, read once for the clip files and thumbnails (see {@link segmentSourceOf}). */
  segmentSource?: Promise<SegmentSource>;
}

/** The source prepared for clip files and thumbnails: its packets are read on first use, once. */
export function segmentSourceOf(ctx: ExportContext): Promise<SegmentSource> {
  ctx.segmentSource ??= prepareSegmentSource(ctx.info.path, { ...(ctx.timeline === undefined ? {} : { timeline: ctx.timeline }), signal: ctx.signal });
  return ctx.segmentSource;
}

/**
 * Most bytes (UTF-8) of the base name of a run's files: the 255-byte name limit of file systems
 * less the longest suffix clip-cut adds, `-clip-99999.mp4`. 80 CJK characters (240 bytes) fit.
 */
export const CLIP_CUT_NAME_MAX_BYTES = NAME_MAX_BYTES - utf8Length('-clip-99999.mp4');

/**
 * Refuses a `name` param whose files could not be written, before any work.
 * @throws FramewrightError `INVALID_PARAMS` at `/name`, saying the limit in bytes
 */
export function checkExportName(name: string | undefined): void {
  if (name === undefined) return;
  const bytes = utf8Length(name.normalize('NFC'));
  if (bytes <= CLIP_CUT_NAME_MAX_BYTES) return;
  throw new FramewrightError(
    'INVALID_PARAMS',
    `name is ${bytes} bytes in UTF-8 (${[...name].length} characters); the limit is ${CLIP_CUT_NAME_MAX_BYTES} bytes, so that "<name>-clip-001.mp4" fits a file name (255 bytes)`,
    { pointer: '/name' },
  );
}

/**
 * A file name made safe for every file system: no separators, controls or reserved characters,
 * and at most {@link CLIP_CUT_NAME_MAX_BYTES} bytes (cut on a character boundary).
 */
export function sanitiseName(raw: string): string {
  const cleaned = raw
    .normalize('NFC')
    .replace(/[\u0000-\u001f\u007f<>:"/\\|?*]/g, '_')
    .replace(/^[.\s-]+/, '');
  const cut = truncateUtf8(cleaned, CLIP_CUT_NAME_MAX_BYTES).replace(/[.\s]+$/, '');
  return cut.length > 0 ? cut : 'video';
}

/** Base name of a run's files: `params.name`, else the input's file name, made safe. */
export function exportName(name: string | undefined, input: string): string {
  return sanitiseName(name ?? basename(input, extname(input)));
}

/**
 * The files of `name` in `dir` a run writing `kinds` would replace: its cut lists and JSON, and
 * clip files and thumbnails of that name (how many clips there will be is not known yet).
 */
export async function namesInTheWay(dir: string, name: string, kinds: ReadonlySet<string>): Promise<string[]> {
  const fixed = [
    ...(kinds.has('json') ? [`${name}.json`] : []),
    ...Object.entries(CUT_LIST_FORMATS).filter(([format]) => kinds.has(format)).map(([, f]) => `${name}.${f.ext}`),
    ...(kinds.has('render') ? [fitName(name, '-edited.mp4')] : []),
  ];
  const media = [...(kinds.has('clips') ? ['mp4', 'jpg'] : kinds.has('thumbnails') ? ['jpg'] : [])];
  const clip = new RegExp(`^-clip-\\d{3,}\\.(${media.join('|')})$`);
  const present = media.length === 0 ? [] : await readdir(dir).catch(() => [] as string[]);
  const clips = present.filter((n) => n.startsWith(name) && clip.test(n.slice(name.length)));
  return [...fixed, ...clips].map((n) => join(dir, n));
}

/** The cut list the editor renderers take. */
export function toCutList(result: ClipCutResult, info: MediaInfo, name: string): CutList {
  return {
    name,
    mediaPath: info.path,
    fps: { num: info.fps.num, den: info.fps.den },
    dropFrame: result.dropFrame,
    width: info.width,
    height: info.height,
    frameCount: result.frameCount,
    hasAudio: info.audio !== undefined,
    ...(info.audio !== undefined && info.audio.sampleRate > 0 ? { audioSampleRate: info.audio.sampleRate } : {}),
    ...(info.audio !== undefined && info.audio.channels > 0 ? { audioChannels: info.audio.channels } : {}),
    clips: result.clips.map((c) => ({ startFrame: c.startFrame, endFrame: c.endFrame })),
  };
}

/** Writes one editor cut list and returns its path. */
export async function writeCutList(format: CutListFormat, list: CutList, ctx: ExportContext): Promise<string> {
  const { ext, render } = CUT_LIST_FORMATS[format];
  const path = join(ctx.outputDir, `${ctx.name}.${ext}`);
  await writeFileAtomic(path, render(list));
  ctx.written.push(path);
  return path;
}

const clipNumber = (index: number) => String(index + 1).padStart(3, '0');

/**
 * Writes one file per clip (`<name>-clip-001.mp4`, …) and returns the paths in clip order. Each
 * clip gets its `fileFrames` (which frames the file holds and how it was made); a clip mode the
 * source does not allow adds a warning to the result (once) and the files are re-encoded whole.
 * `onClip` is told after each clip.
 */
export async function writeClipFiles(
  result: ClipCutResult,
  mode: SegmentMode,
  ctx: ExportContext,
  onClip: (done: number) => void,
): Promise<string[]> {
  const paths: string[] = [];
  const timeline = ctx.timeline === undefined ? {} : { timeline: ctx.timeline };
  // The packets are read once for all the clips (accurate mode seeks by them too).
  const source: SegmentSource | undefined = result.clips.length === 0 ? undefined : await segmentSourceOf(ctx);
  const fallbacks = new Set<string>();
  for (const clip of result.clips) {
    const path = join(ctx.outputDir, fitName(ctx.name, `-clip-${clipNumber(clip.index)}.mp4`));
    const made = await cutSegment(ctx.info.path, path, {
      startFrame: clip.startFrame,
      endFrame: clip.endFrame,
      fps: ctx.info.fps,
      ...timeline,
      mode,
      ...(source === undefined ? {} : { source }),
      ...(ctx.onWorkDir === undefined ? {} : { onWorkDir: ctx.onWorkDir }),
      signal: ctx.signal,
    });
    clip.fileFrames = { startFrame: made.startFrame, endFrame: made.endFrame, reencodedFrames: made.reencodedFrames, mode: made.mode };
    if (made.fallback !== undefined && !fallbacks.has(made.fallback)) {
      fallbacks.add(made.fallback);
      const warning = `clipMode ${mode} could not be used for clip ${clip.index + 1} (nor any later clip for the same reason): ${made.fallback}; those clip files were re-encoded whole (clipMode accurate)`;
      result.warnings = [...(result.warnings ?? []), warning];
    }
    ctx.written.push(path);
    paths.push(path);
    onClip(paths.length);
  }
  return paths;
}

/** Writes a JPEG of each clip's middle frame, or its first where the middle does not decode (`<name>-clip-001.jpg`, …). */
export async function writeThumbnails(result: ClipCutResult, ctx: ExportContext, onClip: (done: number) => void): Promise<string[]> {
  const paths: string[] = [];
  for (const clip of result.clips) {
    const path = join(ctx.outputDir, fitName(ctx.name, `-clip-${clipNumber(clip.index)}.jpg`));
    const middle = Math.floor((clip.startFrame + clip.endFrame - 1) / 2);
    await writeThumbnail(ctx.info.path, path, {
      frame: middle, orFrame: clip.startFrame, fps: ctx.info.fps, ...(ctx.timeline === undefined ? {} : { timeline: ctx.timeline }), source: await segmentSourceOf(ctx), signal: ctx.signal,
    });
    ctx.written.push(path);
    paths.push(path);
    onClip(paths.length);
  }
  return paths;
}

/** Path of the JSON result. */
export function jsonPath(ctx: Pick<ExportContext, 'outputDir' | 'name'>): string {
  return join(ctx.outputDir, `${ctx.name}.json`);
}
