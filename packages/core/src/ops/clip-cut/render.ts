// The `render` export of a removal: the kept ranges end to end as one MP4 beside the cut lists.
import { join } from 'node:path';
import { renderKeptRanges } from '../../media/index.js';
import { FramewrightError, type ClipCutParams, type ClipCutResult } from '../../protocol/index.js';
import { fitName } from '../../util/names.js';
import type { ExportContext } from './outputs.js';

/** File name suffix of the rendered edit. */
export const RENDER_SUFFIX = '-edited.mp4';

/**
 * Refuses `render` without `remove`: there is no edit to render.
 * @throws FramewrightError `INVALID_PARAMS` at `/exports`
 */
export function checkRender(params: ClipCutParams): void {
  if (params.exports?.includes('render') === true && (params.remove === undefined || params.remove.length === 0)) {
    throw new FramewrightError('INVALID_PARAMS', 'the render export is the edit of a removal: add remove (e.g. ["silence"]) or leave render out', { pointer: '/exports' });
  }
}

/** Writes `<name>-edited.mp4`, the kept ranges of `result` end to end, and returns its path. */
export async function writeRender(result: ClipCutResult, ctx: ExportContext): Promise<string> {
  const path = join(ctx.outputDir, fitName(ctx.name, RENDER_SUFFIX));
  const audio = ctx.info.audio !== undefined && ctx.info.audio.sampleRate > 0 && ctx.info.audio.channels > 0 ? { sampleRate: ctx.info.audio.sampleRate, channels: ctx.info.audio.channels } : undefined;
  await renderKeptRanges(ctx.info.path, path, { ranges: result.kept ?? [], fps: ctx.info.fps, ...(audio === undefined ? {} : { audio }), signal: ctx.signal });
  ctx.written.push(path);
  return path;
}
