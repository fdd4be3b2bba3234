// The video size video-gen picks, shared by the run and the submit-time memory estimate.
import type { VideoGenParams } from '../../protocol/index.js';

const even = (n: number) => Math.max(2, n - (n % 2));

/**
 * The video size: `width`/`height` as asked; one alone keeps the source's aspect; neither gives
 * the source size, at most `maxWidth` wide. Always even (H.264 4:2:0 needs it).
 */
export function outputSize(params: VideoGenParams, source: { width: number; height: number }, maxWidth = Number.POSITIVE_INFINITY): { width: number; height: number } {
  const aspect = source.width / source.height;
  const width = params.width ?? (params.height === undefined ? even(Math.min(source.width, maxWidth)) : even(Math.round(params.height * aspect)));
  return { width, height: params.height ?? even(Math.round(width / aspect)) };
}
