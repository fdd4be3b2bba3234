// Pictures in memory: PNG encode/decode with text chunks, and resizing.
export { decodePng, encodePng, type DecodedPng, type RgbImage } from './png.js';
export { resizeRgb, RgbResizer } from './resize.js';
