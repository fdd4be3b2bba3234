import type { TSchema } from '@sinclair/typebox';
import { FramewrightError } from './errors.js';
import { PROTOCOL_VERSIONS, type ProtocolVersion } from './versions.js';
import { ClipCutParamsSchema, ClipCutProgressSchema, ClipCutResultSchema, type ClipCutParams, type ClipCutProgress, type ClipCutResult } from './ops/clip-cut.js';
import { ModelsPullParamsSchema, ModelsPullProgressSchema, ModelsPullResultSchema, type ModelsPullParams, type ModelsPullProgress, type ModelsPullResult } from './ops/models-pull.js';
import { ImageGenParamsSchema, ImageGenProgressSchema, ImageGenResultSchema, type ImageGenParams, type ImageGenProgress, type ImageGenResult } from './ops/image-gen.js';
import { SubtitlesParamsSchema, SubtitlesProgressSchema, SubtitlesResultSchema, type SubtitlesParams, type SubtitlesProgress, type SubtitlesResult } from './ops/subtitles.js';
import { VideoGenParamsSchema, VideoGenProgressSchema, VideoGenResultSchema, type VideoGenParams, type VideoGenProgress, type VideoGenResult } from './ops/video-gen.js';

/** Names of the operations the protocol declares. */
export const OPERATION_NAMES = ['image-gen', 'clip-cut', 'video-gen', 'subtitles', 'models-pull'] as const;

/** One of {@link OPERATION_NAMES}. */
export type OperationName = (typeof OPERATION_NAMES)[number];

/** Static types of each operation's params, result and progress, keyed by operation name. */
export interface OperationTypes {
  'image-gen': { params: ImageGenParams; result: ImageGenResult; progress: ImageGenProgress };
  'clip-cut': { params: ClipCutParams; result: ClipCutResult; progress: ClipCutProgress };
  'video-gen': { params: VideoGenParams; result: VideoGenResult; progress: VideoGenProgress };
  subtitles: { params: SubtitlesParams; result: SubtitlesResult; progress: SubtitlesProgress };
  'models-pull': { params: ModelsPullParams; result: ModelsPullResult; progress: ModelsPullProgress };
}

/** Params of operation `O`. */
export type OperationParams<O extends OperationName> = OperationTypes[O]['params'];
/** Result of operation `O`. */
export type OperationResult<O extends OperationName> = OperationTypes[O]['result'];
/** Progress event of operation `O`. */
export type OperationProgress<O extends OperationName> = OperationTypes[O]['progress'];

/** The schemas of one operation. */
export interface OperationSchemas {
  /** Human summary of the operation. */
  readonly summary: string;
  /** Schema of the params object. */
  readonly params: TSchema;
  /** Schema of the result object. */
  readonly result: TSchema;
  /** Schema of a progress event. */
  readonly progress: TSchema;
}

/** Frozen table of every declared operation and its schemas. */
export const OPERATIONS: Readonly<Record<OperationName, OperationSchemas>> = Object.freeze({
  'image-gen': { summary: 'Prompt to images', params: ImageGenParamsSchema, result: ImageGenResultSchema, progress: ImageGenProgressSchema },
  'clip-cut': {
    summary: 'Cut a video into clips: shot and silence detection, cut lists for editors, clip files',
    params: ClipCutParamsSchema,
    result: ClipCutResultSchema,
    progress: ClipCutProgressSchema,
  },
  'video-gen': {
    summary: 'Interpolation, image-to-video and text-to-video with audio and subtitle tracks',
    params: VideoGenParamsSchema,
    result: VideoGenResultSchema,
    progress: VideoGenProgressSchema,
  },
  subtitles: {
    summary: 'Speech to text: captions (SRT, WebVTT, JSON with word times) from what is said, with a Whisper model pack',
    params: SubtitlesParamsSchema,
    result: SubtitlesResultSchema,
    progress: SubtitlesProgressSchema,
  },
  'models-pull': {
    summary: "Pull a model from the Hugging Face Hub (the server's HF_ENDPOINT and HF_TOKEN) into the server's model folder, verified file by file (protocol 1.2)",
    params: ModelsPullParamsSchema,
    result: ModelsPullResultSchema,
    progress: ModelsPullProgressSchema,
  },
});

/** The protocol version that introduced each operation added after 1.0. */
const OPERATION_SINCE: Readonly<Partial<Record<OperationName, ProtocolVersion>>> = Object.freeze({ 'models-pull': '1.2' });

/**
 * True when a peer that negotiated `version` knows operation `op`: the server lists, reports and
 * accepts only those (a 1.1 client's schemas have no `models-pull`, so it must never see one).
 *
 * @example
 * ```ts
 * operationInVersion('models-pull', '1.1'); // false
 * ```
 */
export function operationInVersion(op: OperationName, version: ProtocolVersion): boolean {
  const since = OPERATION_SINCE[op];
  return since === undefined || PROTOCOL_VERSIONS.indexOf(version) <= PROTOCOL_VERSIONS.indexOf(since);
}

/**
 * The refusal of an operation the peer's protocol version does not have.
 * @throws FramewrightError `UNKNOWN_OPERATION` naming the version that has it
 */
export function assertOperationInVersion(op: OperationName, version: ProtocolVersion): void {
  if (!operationInVersion(op, version)) {
    throw new FramewrightError('UNKNOWN_OPERATION', `${op} needs protocol ${OPERATION_SINCE[op]}; this connection speaks ${version} (offer ${OPERATION_SINCE[op]} in hello, or send the Framewright-Protocol header over HTTP)`, { pointer: '/op' });
  }
}

/** True when `name` is a declared operation. */
export function isOperationName(name: unknown): name is OperationName {
  return typeof name === 'string' && (OPERATION_NAMES as readonly string[]).includes(name);
}

/** Most frames a video-gen video may have (the schema's bound on `frames`). */
const MAX_FRAMES = 10000;

/**
 * Params of operation `op` sent by a peer that negotiated `version`, in the meaning of the newest
 * version (what the engine runs); still to be validated, so anything unexpected passes unchanged. The one difference so far: a 1.0 video-gen interpolate's
 * `frames` counts in-between frames per gap, so K keyframes with `frames: n` become
 * `(K − 1)·(n + 1) + 1` frames of video.
 *
 * @example
 * ```ts
 * paramsInLatestMeaning('video-gen', { mode: 'interpolate', keyframes: ['a.png', 'b.png'], frames: 7 }, '1.0'); // frames: 9
 * ```
 * @throws FramewrightError `INVALID_PARAMS` when the 1.0 count makes more frames than a video may have.
 */
export function paramsInLatestMeaning(op: OperationName, params: unknown, version: ProtocolVersion): unknown {
  if (version !== '1.0' || op !== 'video-gen' || typeof params !== 'object' || params === null) return params;
  const p = params as Partial<VideoGenParams>;
  if (p.mode !== 'interpolate' || !Number.isInteger(p.frames) || p.frames! < 1 || !Array.isArray(p.keyframes) || p.keyframes.length < 2) return params;
  const frames = (p.keyframes.length - 1) * (p.frames! + 1) + 1;
  if (frames > MAX_FRAMES) {
    throw new FramewrightError('INVALID_PARAMS', `${p.keyframes.length} keyframes with ${p.frames} in-between frames per gap makes ${frames} frames; a video may have at most ${MAX_FRAMES}`, { pointer: '/frames' });
  }
  return { ...p, frames };
}
