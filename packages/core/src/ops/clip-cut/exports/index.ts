/**
 * Cut-list exports for editors: CMX3600 EDL, Final Cut Pro 7 XML (Premiere, Resolve), FCPXML
 * (Final Cut Pro) and OpenTimelineIO JSON. Pure functions of a {@link CutList}: no ffmpeg, no
 * file system.
 */
export type { CutList, CutRange, CutTransition } from './cut-list.js';
export { renderEdl } from './edl.js';
export { renderFcp7Xml } from './fcp7.js';
export { renderFcpXml } from './fcpxml.js';
export { renderOtio } from './otio.js';
