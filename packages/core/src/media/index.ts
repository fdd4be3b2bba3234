/**
 * The media layer: the only code that runs ffmpeg/ffprobe (through fluent-ffmpeg, which is
 * archived upstream and so stays behind this boundary).
 * @packageDocumentation
 */
export { resolveTools, resetTools, type ToolInfo, type ResolvedTool, type ToolSource } from './tools.js';
export { probe, probeVideoCodec, countDecodedFrames, checkInputFile, type MediaInfo, type AudioInfo, type Rational, type VideoCodecInfo } from './probe.js';
export { readFrames, analysisSize, type FrameStream, type FrameReaderOptions, type AnalysisPixelFormat } from './frames.js';
export { FrameTimeline, type FrameTimestamps, type FrameRounding } from './timeline.js';
export { readAudioLevels, readAudioSamples, findSilences, type AudioLevels, type AudioLevelOptions, type AudioSampleOptions, type Silence } from './audio.js';
export { readChunkLoudness, readAllStreamsLoudness, probeAudioStreams, ChunkBoundaries, type ChunkLoudness, type ChunkLoudnessOptions } from './loudness.js';
export { parseSubtitles, checkCues, formatSrt, formatVtt, type Cue } from './subtitles.js';
export {
  cutSegment, writeThumbnail, decodeNull,
  type SegmentMode, type SegmentOptions, type SegmentResult, type ThumbnailOptions, type DecodeTiming,
} from './segments.js';
export { prepareSegmentSource, matchingEncoder, type SegmentSource, type CopiedSegment } from './smart-cut.js';
export { CutLayout, type SmartPlan } from './cut-layout.js';
export { readVideoPackets, type VideoPackets } from './packets.js';
export { generateSampleVideo, type SampleVideo, type SampleVideoOptions } from './sample.js';
export { decodeImage, imageSize, type DecodeImageOptions, type RawRgbImage } from './raw-image.js';
export {
  encodeVideo, PNG_SEQUENCE_PATTERN,
  type EncodeVideoOptions, type EncodedVideo, type VideoContainer, type AudioTrackSource, type SubtitleTrack,
} from './encode-video.js';
export { probeAudio, synthesizeSpeech, placeSpeech, espeakPath, espeakVersion, type AudioFileInfo, type PlacedSpeech, type SpeechOptions } from './tracks.js';
export { motionInterpolationFilter, type MotionInterpolation } from './interpolate.js';
export { renderKeptRanges, sampleRanges, type FrameRange, type RenderKeptOptions } from './render-kept.js';
export { streamPcm, type PcmOptions } from './pcm.js';
