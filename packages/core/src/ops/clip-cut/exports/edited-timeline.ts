// The edited timeline of a removal: the kept ranges end to end, each a clip with its video and
// audio linked, written by the same editor renderers as a shot list (FCP7 XML, FCPXML, OTIO, EDL).
import type { ClipCutResult } from '../../../protocol/index.js';
import type { CutListFormat } from '../outputs.js';
import { cutListFor } from '../result.js';
import type { CutList } from './cut-list.js';

/** The kept ranges of `result` as clips of a result, so the shot list's rate conversions apply to them unchanged. */
function keptAsClips(result: ClipCutResult): ClipCutResult['clips'] {
  return (result.kept ?? []).map((k, index) => ({
    index,
    startFrame: k.startFrame,
    endFrame: k.endFrame,
    frames: k.endFrame - k.startFrame,
    startSeconds: k.startSeconds,
    endSeconds: k.endSeconds,
    startTimecode: '',
    endTimecode: '',
    score: 0,
  }));
}

/**
 * The cut list `format` is written from for a run with `remove`: `list` (the source, from
 * `toCutList`) with the kept ranges as its clips, no transitions, named `<name> edited`;
 * re-timed like a shot list where the format needs it, with the warning that says so.
 *
 * @example
 * ```ts
 * const { list: edited } = editedListFor('fcp7', toCutList(result, info, 'talk'), result);
 * writeFileSync('talk.xml', renderFcp7Xml(edited));
 * ```
 */
export function editedListFor(format: CutListFormat, list: CutList, result: ClipCutResult): { list: CutList; warning?: string } {
  const clips = keptAsClips(result);
  const edited: CutList = { ...list, name: `${list.name} edited`, clips: clips.map(({ startFrame, endFrame }) => ({ startFrame, endFrame })) };
  delete edited.transitions;
  return cutListFor(format, edited, { ...result, clips, transitions: [] });
}
