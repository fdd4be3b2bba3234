// Pictures in memory: PNG encode/decode with text chunks, and resizing.
export { crc32, decodePng, encodePng, type DecodedPng, type RgbImage } from './png.js';
export { resizeRgb } from './resize.js';
