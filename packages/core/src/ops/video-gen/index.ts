// video-gen: keyframe interpolation (motion-compensated, blend, or a frame-interpolation model
// pack), camera moves over a still, and text-to-video through a pluggable generator; optional
// audio and subtitle tracks; MP4, ProRes MOV or a PNG sequence. Every input is checked before the
// first frame is encoded, and nothing half-written survives a failure or a cancel.
import { stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import {
  decodeImage, encodeVideo, imageSize, motionInterpolationFilter,
  type Rational, type VideoContainer,
} from '../../media/index.js';
import type { RgbImage } from '../../image/index.js';
import { cancelled, FramewrightError, type CameraMotion, type VideoGenParams, type VideoGenProgress, type VideoGenResult } from '../../protocol/index.js';
import { writeFileAtomic } from '../../util/fs.js';
import { ledgerOf, runInLedger } from '../output-ledger.js';
import type { Operation, OperationContext } from '../types.js';
import { blendFrames, cameraFrames, interpolatedFrameCount, interpolatedFrames, keyframePositions, CAMERA_ZOOM } from './frames.js';
import { textToVideoAvailability, textToVideoUnavailable, type VideoGenerator } from './generator.js';
import { flowFrame, flowPair, type FlowPair } from './flow-interpolate.js';
import { openFrameInterpolator } from './interpolation-model.js';
import { videoGenMemory } from './memory.js';
import { outputSize } from './size.js';
import { planKeyframeVideo, type KeyframePainterLoader } from './keyframe-video.js';
import { builtinTextToVideo } from './text-to-video.js';
import { formatSrt, formatVtt } from '../../media/subtitles.js';
import { prepareTracks, type PreparedTracks } from './tracks.js';
import { ffmpegUnavailable } from '../availability.js';

export type { GeneratedVideo, GeneratorAvailability, VideoGenerator, VideoGenerationRequest } from './generator.js';
export type { KeyframePainter, KeyframePainterLoader } from './keyframe-video.js';
export { TEXT_TO_VIDEO_UNAVAILABLE } from './generator.js';
export type { CameraMotion } from '../../protocol/index.js';

/** The defaults video-gen uses for params left out. */
export const VIDEO_GEN_DEFAULTS = Object.freeze({
  /** Frames per second. */
  fps: 24,
  /** interpolate without `frames`: in-between frames per gap (the video has (keyframes − 1) × 8 + 1 frames). */
  inBetween: 7,
  /** image-to-video and text-to-video: frames of the video. */
  frames: 48,
  /** image-to-video: the camera move. */
  motion: 'ken-burns' as CameraMotion,
  /** interpolate without a model: optical flow. */
  interpolation: 'flow' as const,
  /** Output: H.264 MP4. */
  format: 'mp4' as VideoContainer,
  /** text-to-video seed. */
  seed: 0,
  /** text-to-video without width or height: the video's width (the model's square frames scaled up). */
  textToVideoWidth: 256,
});

/** Most frames a video may have. */
export const MAX_VIDEO_FRAMES = 10_000;

const EXTENSION: Record<VideoContainer, string> = { mp4: '.mp4', prores: '.mov', 'png-sequence': '' };

/** What a mode produced before encoding: frames (or keyframes and a filter) and the notes. */
interface FramePlan {
  /** Size of the fed frames. */
  readonly width: number;
  readonly height: number;
  /** Size of the video (differs when `filter` scales). */
  readonly outputWidth?: number;
  readonly outputHeight?: number;
  readonly frames: number;
  readonly source: AsyncIterable<Uint8Array>;
  readonly inputRate?: Rational;
  readonly filter?: string;
  readonly warnings: string[];
}

/** An fps number as an exact fraction: NTSC rates (23.976, 29.97, 59.94) become n×1000/1001. */
export function fpsRational(fps: number): Rational {
  if (Number.isInteger(fps)) return { num: fps, den: 1 };
  const ntsc = Math.round((fps * 1001) / 1000);
  if (Math.abs((ntsc * 1000) / 1001 - fps) < 0.005) return { num: ntsc * 1000, den: 1001 };
  return { num: Math.round(fps * 1000), den: 1000 };
}

async function planInterpolation(params: VideoGenParams, signal: AbortSignal): Promise<FramePlan> {
  const paths = params.keyframes;
  if (paths === undefined || paths.length < 2) {
    throw new FramewrightError('INVALID_PARAMS', `interpolate needs at least two keyframes, got ${paths?.length ?? 0}`, { pointer: '/keyframes' });
  }
  if (params.image !== undefined) throw new FramewrightError('INVALID_PARAMS', 'interpolate takes keyframes, not image', { pointer: '/image' });
  const frames = params.frames ?? interpolatedFrameCount(paths.length, VIDEO_GEN_DEFAULTS.inBetween);
  // The schema caps frames at MAX_VIDEO_FRAMES, and the default of its 1000 keyframes stays under it.
  if (frames < paths.length) {
    throw new FramewrightError('INVALID_PARAMS', `interpolate with ${paths.length} keyframes needs at least ${paths.length} frames (one per keyframe), got ${frames}`, { pointer: '/frames' });
  }
  const interpolation = params.interpolation ?? (params.model === undefined ? VIDEO_GEN_DEFAULTS.interpolation : 'model');
  const gaps = paths.length - 1;
  if (interpolation === 'motion' && (frames - 1) % gaps !== 0) {
    const lower = Math.floor((frames - 1) / gaps) * gaps + 1;
    throw new FramewrightError('INVALID_PARAMS', `interpolation "motion" (minterpolate) needs equal gaps: frames − 1 must be a multiple of ${gaps} with ${paths.length} keyframes (e.g. ${lower} or ${lower + gaps}, not ${frames}); flow, blend and model take any count`, { pointer: '/frames' });
  }
  const positions = keyframePositions(paths.length, frames);
  if (interpolation === 'model' && params.model === undefined) {
    throw new FramewrightError('INVALID_PARAMS', 'interpolation "model" needs a frame-interpolation model pack: set model', { pointer: '/model' });
  }
  if (interpolation !== 'model' && params.model !== undefined) {
    throw new FramewrightError('INVALID_PARAMS', `model is only used with interpolation "model", not "${interpolation}"`, { pointer: '/model' });
  }
  const warnings: string[] = [];
  // Every keyframe is checked (exists, is a picture) before any is decoded.
  const sizes = [];
  for (const path of paths) sizes.push(await imageSize(path));
  const first = sizes[0]!;
  const { width, height } = outputSize(params, first);
  if (params.width === undefined && params.height === undefined && (width !== first.width || height !== first.height)) {
    warnings.push(`keyframe 1 (${basename(first.path)}) is ${first.width}x${first.height}: the video is ${width}x${height} (even sizes for H.264)`);
  }
  sizes.forEach((s, i) => {
    if (i > 0 && (s.width !== first.width || s.height !== first.height)) {
      warnings.push(`keyframe ${i + 1} (${basename(s.path)}) is ${s.width}x${s.height}, not ${first.width}x${first.height} like the first: resized to ${width}x${height}`);
    }
  });
  // A clip as a keyframe: the sequence leaves the first one from its last frame and enters
  // every later one at its first frame, so [a.mp4, b.mp4] bridges the two clips.
  const keyframes: RgbImage[] = [];
  for (const [i, s] of sizes.entries()) {
    const frame = i === 0 ? 'last' : 'first';
    if (s.frames > 1) warnings.push(`keyframe ${i + 1} (${basename(s.path)}) is a video: its ${frame} frame is used`);
    keyframes.push(await decodeImage(s.path, { width, height, frame, signal }));
  }

  if (interpolation === 'motion') {
    const motion = motionInterpolationFilter(keyframes.length, (frames - 1) / gaps - 1);
    return { width, height, frames, source: keyframeFeed(keyframes), inputRate: motion.inputRate, filter: motion.filter, warnings };
  }
  if (interpolation === 'flow') return { width, height, frames, source: interpolatedFrames(keyframes, positions, flowInBetween()), warnings };
  if (interpolation === 'blend') return { width, height, frames, source: interpolatedFrames(keyframes, positions, (a, b, t) => blendFrames(a.rgb, b.rgb, t)), warnings };
  const model = await openFrameInterpolator(params.model!, { width, height });
  warnings.push(...model.warnings);
  return { width, height, frames, source: interpolatedFrames(keyframes, positions, (a, b, t) => model.between(a, b, t, signal)), warnings };
}

/** In-betweens by optical flow; each pair's flows are computed once, for all its in-betweens. */
function flowInBetween(): (a: RgbImage, b: RgbImage, t: number) => Uint8Array {
  let last: { a: RgbImage; b: RgbImage; pair: FlowPair } | undefined;
  return (a, b, t) => {
    if (last === undefined || last.a !== a || last.b !== b) last = { a, b, pair: flowPair(a, b) };
    return flowFrame(a, b, last.pair, t);
  };
}

async function* keyframeFeed(keyframes: readonly RgbImage[]): AsyncGenerator<Uint8Array> {
  for (const k of keyframes) yield k.rgb;
}

async function planCameraMove(params: VideoGenParams, signal: AbortSignal): Promise<FramePlan> {
  if (params.image === undefined) throw new FramewrightError('INVALID_PARAMS', 'image-to-video needs an image', { pointer: '/image' });
  if (params.keyframes !== undefined) throw new FramewrightError('INVALID_PARAMS', 'image-to-video takes one image, not keyframes (use interpolate)', { pointer: '/keyframes' });
  if (params.model !== undefined || params.interpolation !== undefined) {
    throw new FramewrightError('INVALID_PARAMS', 'image-to-video takes no interpolation or model', { pointer: params.model !== undefined ? '/model' : '/interpolation' });
  }
  const frames = params.frames ?? VIDEO_GEN_DEFAULTS.frames;
  const source = await imageSize(params.image);
  const { width, height } = outputSize(params, source, 1920);
  // Decode at a size where the zoomed-in window is about the output size: bilinear sampling
  // then never shrinks by more than the zoom, so nothing aliases.
  const fullWidth = Math.min(source.width, (source.height * width) / height);
  const scale = Math.min(1, (width * CAMERA_ZOOM) / fullWidth);
  const still = await decodeImage(source.path, { width: Math.max(2, Math.round(source.width * scale)), height: Math.max(2, Math.round(source.height * scale)), signal });
  return { width, height, frames, source: cameraFrames(still, params.motion ?? VIDEO_GEN_DEFAULTS.motion, frames, width, height), warnings: [] };
}

async function planTextToVideo(params: VideoGenParams, generator: VideoGenerator | undefined, painter: KeyframePainterLoader | undefined, context: OperationContext<'video-gen'>): Promise<FramePlan> {
  if (params.model !== undefined) return planPaintedVideo(params, params.model, painter, context);
  if (params.prompts !== undefined) throw new FramewrightError('INVALID_PARAMS', 'prompts (one per keyframe) needs model: a text-to-image pack that draws the keyframes', { pointer: '/prompts' });
  if (params.motion !== undefined) throw new FramewrightError('INVALID_PARAMS', 'a camera motion in text-to-video needs model: a text-to-image pack that draws the keyframes', { pointer: '/motion' });
  if (params.prompt === undefined) throw new FramewrightError('INVALID_PARAMS', 'text-to-video needs a prompt', { pointer: '/prompt' });
  const availability = await textToVideoAvailability(generator);
  if (generator === undefined || !availability.available) throw textToVideoUnavailable(availability.reason);
  const frames = params.frames ?? VIDEO_GEN_DEFAULTS.frames;
  const { frames: clip, warnings } = await generator.generate({
    prompt: params.prompt,
    frames,
    seed: params.seed ?? VIDEO_GEN_DEFAULTS.seed,
    signal: context.signal,
    onStep: (step, steps) => context.onProgress({ stage: 'generate', fraction: 0.05 + 0.45 * (step / steps), step, steps }),
  });
  const native = clip[0];
  if (native === undefined || clip.length !== frames) throw new FramewrightError('INTERNAL', `${generator.name} made ${clip.length} frames, ${frames} were asked for`);
  // The model draws 32-px frames; a video without a size asked for is made 256 wide, not 32.
  const { width, height } = params.width === undefined && params.height === undefined
    ? outputSize({ ...params, width: VIDEO_GEN_DEFAULTS.textToVideoWidth }, native)
    : outputSize(params, native);
  const resize = native.width === width && native.height === height ? undefined : `scale=${width}:${height}:flags=lanczos`;
  async function* feed(): AsyncGenerator<Uint8Array> {
    for (const f of clip) yield f.rgb;
  }
  return {
    width: native.width, height: native.height, outputWidth: width, outputHeight: height, frames, source: feed(),
    ...(resize === undefined ? {} : { filter: resize }), warnings,
  };
}

/** text-to-video through a text-to-image pack: keyframes drawn by it, flow between them. */
async function planPaintedVideo(params: VideoGenParams, model: string, loader: KeyframePainterLoader | undefined, context: OperationContext<'video-gen'>): Promise<FramePlan> {
  if (params.prompt === undefined && params.prompts === undefined) throw new FramewrightError('INVALID_PARAMS', 'text-to-video needs a prompt (or prompts, one per keyframe)', { pointer: '/prompt' });
  if (params.interpolation !== undefined) throw new FramewrightError('INVALID_PARAMS', 'text-to-video interpolates its keyframes by optical flow; interpolation is for interpolate', { pointer: '/interpolation' });
  if (loader === undefined) throw new FramewrightError('OPERATION_UNAVAILABLE', 'text-to-video from a text-to-image model is not in this build');
  const painter = await loader(model);
  const width = params.width ?? params.height ?? 512;
  const height = params.height ?? params.width ?? 512;
  for (const [side, pointer] of [[width, '/width'], [height, '/height']] as const) {
    if (side % 8 !== 0) throw new FramewrightError('INVALID_PARAMS', `a text-to-image model draws sides that are multiples of 8: ${pointer.slice(1)} ${side} is not`, { pointer });
  }
  const frames = params.frames ?? VIDEO_GEN_DEFAULTS.frames;
  const { source, warnings } = await planKeyframeVideo(painter, {
    prompt: params.prompt, prompts: params.prompts, frames, width, height, seed: params.seed ?? VIDEO_GEN_DEFAULTS.seed, motion: params.motion, signal: context.signal,
    onKeyframe: (step, steps) => context.onProgress({ stage: 'generate', fraction: 0.05 + 0.45 * (step / steps), step, steps }),
  });
  return { width, height, frames, source, warnings };
}

/** The first name `base`, `base-2`, … with `ext` that is free in `dir`. */
async function freeName(dir: string, base: string, ext: string, sidecar: string | undefined): Promise<string> {
  const taken = (p: string) => stat(p).then(() => true, () => false);
  for (let n = 1; ; n++) {
    const stem = join(dir, n === 1 ? base : `${base}-${n}`);
    if (!(await taken(stem + ext)) && (sidecar === undefined || !(await taken(stem + sidecar)))) return stem;
  }
}

async function run(params: VideoGenParams, context: OperationContext<'video-gen'>, generator: VideoGenerator | undefined, options: VideoGenOptions): Promise<VideoGenResult> {
  const { signal } = context;
  const emit = (p: VideoGenProgress) => context.onProgress(p);
  emit({ stage: 'load', fraction: 0 });
  const plan = params.mode === 'interpolate'
    ? await planInterpolation(params, signal)
    : params.mode === 'image-to-video'
      ? await planCameraMove(params, signal)
      : await planTextToVideo(params, generator, options.keyframePainter, context);
  if (signal.aborted) throw cancelled('video-gen');
  const fps = fpsRational(params.fps ?? VIDEO_GEN_DEFAULTS.fps);
  const durationSeconds = (plan.frames * fps.den) / fps.num;
  const outWidth = plan.outputWidth ?? plan.width;
  const outHeight = plan.outputHeight ?? plan.height;

  emit({ stage: 'tracks', fraction: 0.05 });
  const tracks: PreparedTracks = await prepareTracks(params, durationSeconds, signal, (dir) => ledgerOf(context, params.overwrite).scratch(dir));
  try {
    const format = params.format ?? VIDEO_GEN_DEFAULTS.format;
    const soft = tracks.subtitles !== undefined && !tracks.subtitles.burn ? tracks.subtitles : undefined;
    // With overwrite the name is always the mode's own, replaced once the run succeeds.
    const stem = params.overwrite === true
      ? join(context.outputDir, params.mode)
      : await freeName(context.outputDir, params.mode, EXTENSION[format], soft === undefined ? undefined : `.${soft.sidecar}`);
    const from = params.mode === 'text-to-video' ? 0.5 : 0.06;
    const encoded = await encodeVideo(plan.source, {
      path: stem + EXTENSION[format],
      format,
      width: plan.width,
      height: plan.height,
      inputRate: plan.inputRate ?? fps,
      fps,
      frames: plan.frames,
      ...(plan.filter === undefined ? {} : { filter: plan.filter }),
      ...(tracks.audio === undefined ? {} : { audio: tracks.audio }),
      ...(tracks.subtitles === undefined ? {} : { subtitles: { srtPath: tracks.subtitles.srtPath, burn: tracks.subtitles.burn } }),
      signal,
      onFrame: (frame) => emit({ stage: 'encode', fraction: from + (0.98 - from) * Math.min(1, frame / plan.frames), frame: Math.min(frame, plan.frames), totalFrames: plan.frames }),
    });
    const files = [...encoded.files];
    if (soft !== undefined) {
      // The sidecar is for editors that import captions separately (and for PNG sequences).
      const sidecar = `${stem}.${soft.sidecar}`;
      await writeFileAtomic(sidecar, soft.sidecar === 'srt' ? formatSrt(soft.cues) : formatVtt(soft.cues));
      files.push(sidecar);
    }
    emit({ stage: 'write', fraction: 1, frame: plan.frames, totalFrames: plan.frames });
    return {
      path: encoded.path, frames: plan.frames, fps: fps.num / fps.den, width: outWidth, height: outHeight,
      durationSeconds, warnings: [...plan.warnings, ...tracks.warnings], files,
    };
  } finally {
    await tracks.dispose();
  }
}

/** Options of {@link createVideoGenOperation}. */
export interface VideoGenOptions {
  /** The text-to-video model; without one, text-to-video fails with `OPERATION_UNAVAILABLE`. */
  readonly textToVideo?: VideoGenerator;
  /** Opens the text-to-image packs that draw text-to-video's keyframes when `model` is set. */
  readonly keyframePainter?: KeyframePainterLoader;
}

/**
 * Makes the video-gen operation, with `options.textToVideo` as its text-to-video model.
 *
 * @example
 * ```ts
 * const op = createVideoGenOperation();
 * const result = await op.run(
 *   { mode: 'interpolate', keyframes: ['a.png', 'b.png'], frames: 13, fps: 24 },
 *   { signal: new AbortController().signal, onProgress: () => {}, outputDir: '/tmp/out' },
 * );
 * console.log(result.path, result.frames); // /tmp/out/interpolate.mp4 13
 * ```
 */
export function createVideoGenOperation(options: VideoGenOptions = {}): Operation<'video-gen'> {
  const generator = options.textToVideo;
  return {
    name: 'video-gen',
    async availability() {
      const noFfmpeg = await ffmpegUnavailable();
      if (noFfmpeg !== undefined) return noFfmpeg;
      const textToVideo = await textToVideoAvailability(generator);
      return {
        available: true,
        modes: [
          { mode: 'interpolate', available: true },
          { mode: 'image-to-video', available: true },
          textToVideo.available || textToVideo.reason === undefined
            ? { mode: 'text-to-video', available: textToVideo.available }
            : { mode: 'text-to-video', available: false, reason: textToVideo.reason },
        ],
      };
    },
    async check(params) {
      const memory = await videoGenMemory(params, VIDEO_GEN_DEFAULTS);
      return memory === undefined ? {} : { memory };
    },
    run(params, context) {
      return runInLedger('video-gen', context, params.overwrite, (outputs) => run(params, { ...context, outputs }, generator, options));
    },
  };
}

export { builtinTextToVideo } from './text-to-video.js';

/**
 * video-gen with interpolation, image-to-video, and text-to-video on the built-in model
 * (`framewright-motion-32`) while its files are present (checked when asked). The operations
 * registry's video-gen adds image-gen's models as text-to-video's keyframe painters.
 */
export const videoGenOperation: Operation<'video-gen'> = createVideoGenOperation({ textToVideo: builtinTextToVideo() });
