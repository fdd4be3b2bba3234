/**
 * Cut-list exports for editors: CMX3600 EDL, Final Cut Pro 7 XML (Premiere, Resolve), FCPXML
 * (Final Cut Pro) and OpenTimelineIO JSON, and readers that bring each back to source frames.
 * Pure functions of a {@link CutList}: no ffmpeg, no file system.
 */
export type { CutList, CutRange } from './cut-list.js';
export { renderEdl, parseEdl } from './edl.js';
export { renderFcp7Xml, parseFcp7Xml } from './fcp7.js';
export { renderFcpXml, parseFcpXml } from './fcpxml.js';
export { renderOtio, parseOtio } from './otio.js';
