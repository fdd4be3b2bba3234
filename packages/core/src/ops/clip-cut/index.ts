// clip-cut: probe, analyse every frame once (plus the audio when silences are wanted), detect
// cuts, then write the exports. Nothing half-written survives a failure or a cancel.
import { findSilences, probe, readAudioLevels, type FrameTimeline, type MediaInfo } from '../../media/index.js';
import {
  cancelled,
  FramewrightError,
  isFramewrightError,
  oneLine,
  type ClipCutParams,
  type ClipCutProgress,
  type ClipCutResult,
} from '../../protocol/index.js';
import { writeFileAtomic } from '../../util/fs.js';
import { ledgerOf, runInLedger } from '../output-ledger.js';
import type { Operation, OperationContext } from '../types.js';
import { analyseFrames } from './analyse.js';
import { findShotModelPack, openShotModel } from './shot-model.js';
import { detectShots, type DetectSettings } from './detect.js';
import { modelCandidates, modelTransitions } from './shot-model-cuts.js';
import { checkExportName, exportName, jsonPath, namesInTheWay, toCutList, writeClipFiles, writeCutList, writeThumbnails, type ExportContext } from './outputs.js';
import { buildResult, cutListFor } from './result.js';
import { removalResult, startRemoval } from './remove-step.js';
import { editedListFor } from './exports/edited-timeline.js';
import { checkRender, writeRender } from './render.js';
import { availableWithPacks, ffmpegUnavailable } from '../availability.js';

/** The defaults clip-cut uses for every param left out; chosen on the test corpus and real footage. */
export const CLIP_CUT_DEFAULTS = Object.freeze({
  detectors: ['content', 'adaptive', 'fade', 'dissolve'] as const,
  thresholds: Object.freeze({ content: 27, adaptive: 3, histogram: 0.5, hash: 0.4, fade: 16, silenceDb: -50, model: 0.5 }),
  minClipSeconds: 0.5,
  silenceMinSeconds: 0.5,
  flashSuppression: true,
  analysisWidth: 96,
  exports: ['json'] as const,
  clipMode: 'smart' as const,
});

type Progress = (p: ClipCutProgress) => void;

/** Emits progress at most a few times a second; stage changes always go through. */
function throttled(emit: Progress, intervalMs = 250): Progress {
  let last = 0;
  let lastStage = '';
  return (p) => {
    const now = performance.now();
    if (p.stage === lastStage && now - last < intervalMs && p.fraction < 1) return;
    last = now;
    lastStage = p.stage;
    emit(p);
  };
}

function settingsOf(params: ClipCutParams, fps: number): DetectSettings {
  const t = { ...CLIP_CUT_DEFAULTS.thresholds, ...params.thresholds };
  const minClipSeconds = params.minClipSeconds ?? CLIP_CUT_DEFAULTS.minClipSeconds;
  return {
    detectors: params.detectors ?? CLIP_CUT_DEFAULTS.detectors,
    content: t.content,
    adaptive: t.adaptive,
    histogram: t.histogram,
    hash: t.hash,
    fade: t.fade,
    minClipFrames: Math.round(minClipSeconds * fps),
    minClipSeconds,
    flashSuppression: params.flashSuppression ?? CLIP_CUT_DEFAULTS.flashSuppression,
    model: t.model,
  };
}

const round = (v: number) => Math.round(v * 1000) / 1000;

async function run(params: ClipCutParams, context: OperationContext<'clip-cut'>): Promise<ClipCutResult> {
  checkExportName(params.name);
  checkRender(params);
  const { signal, outputDir } = context;
  const emit = throttled(context.onProgress);
  const exportKinds = new Set(params.exports ?? CLIP_CUT_DEFAULTS.exports);
  const writesMedia = exportKinds.has('clips') || exportKinds.has('thumbnails');
  const analyseShare = writesMedia ? 0.55 : 0.9;
  const detectors = new Set(params.detectors ?? CLIP_CUT_DEFAULTS.detectors);

  emit({ stage: 'probe', fraction: 0 });
  const info = await probe(params.input);
  if (signal.aborted) throw cancelled('clip-cut');
  // Names that are taken are refused now, not after the whole video was analysed.
  await ledgerOf(context, params.overwrite).refuseExisting(await namesInTheWay(outputDir, exportName(params.name, info.path), exportKinds));
  const fps = info.fps.num / info.fps.den;
  const settings = settingsOf(params, fps);
  // A missing or wrong model pack fails now, before the decode.
  const shotModel = detectors.has('model') ? (await openShotModel(params.model)).runner() : undefined;

  // Audio is decoded by its own ffmpeg, alongside the picture.
  const silenceDb = params.thresholds?.silenceDb ?? CLIP_CUT_DEFAULTS.thresholds.silenceDb;
  const silenceMin = params.silenceMinSeconds ?? CLIP_CUT_DEFAULTS.silenceMinSeconds;
  // Its own controller, so a failing picture decode also stops the audio decode.
  const audioAbort = new AbortController();
  const stopAudio = () => audioAbort.abort();
  signal.addEventListener('abort', stopAudio, { once: true });
  const audioLevels = detectors.has('silence') && info.audio !== undefined ? readAudioLevels(info.path, { signal: audioAbort.signal }) : undefined;
  audioLevels?.catch(() => undefined); // awaited below; avoids an unhandled rejection if the picture fails first
  const removal = startRemoval(info, params, audioAbort.signal);

  // The rate is measured from the first decoded frame, so ffmpeg's start-up does not skew the ETA.
  let firstFrameAt = 0;
  const scores = await analyseFrames(info, {
    width: params.analysisWidth ?? CLIP_CUT_DEFAULTS.analysisWidth,
    hash: detectors.has('hash'),
    dissolves: detectors.has('dissolve'),
    signal,
    ...(shotModel === undefined ? {} : { onRgbFrame: (rgb: Uint8Array, width: number, height: number) => shotModel.push(rgb, width, height) }),
    onFrame: (frame) => {
      const now = performance.now();
      if (frame === 1) firstFrameAt = now;
      const elapsed = (now - firstFrameAt) / 1000;
      const rate = frame > 1 && elapsed > 0 ? (frame - 1) / elapsed : 0;
      const total = Math.max(info.frameCount, frame);
      emit({
        stage: 'analyse',
        fraction: 0.02 + (analyseShare - 0.02) * (frame / total),
        frame,
        totalFrames: total,
        framesPerSecond: round(rate),
        ...(frame >= 10 && rate > 0 ? { etaSeconds: round((total - frame) / rate) } : {}),
      });
    },
  }).catch((error: unknown) => {
    stopAudio();
    throw error;
  });
  if (scores.frameCount === 0) throw new FramewrightError('UNSUPPORTED_MEDIA', `no video frames could be decoded from ${info.path}`);
  const silences = audioLevels === undefined ? (detectors.has('silence') ? [] : undefined) : findSilences(await audioLevels, silenceDb, silenceMin);
  const modelScores = await shotModel?.finish();
  const modelThreshold = settings.model ?? CLIP_CUT_DEFAULTS.thresholds.model;
  const extra = modelScores === undefined ? {} : {
    cuts: modelCandidates(modelScores, modelThreshold, scores.frameCount),
    transitions: modelTransitions(modelScores, modelThreshold, scores.frameCount),
  };
  const detection = detectShots(scores, settings, silences ?? [], extra);
  const result = buildResult(info, scores.timeline, detection, silences);
  if (removal !== undefined) Object.assign(result, removalResult(await removal.kept(scores.frameCount), scores.timeline));
  return writeOutputs(result, info, scores.timeline, params, context, exportKinds, analyseShare, emit);
}

async function writeOutputs(
  result: ClipCutResult,
  info: MediaInfo,
  timeline: FrameTimeline,
  params: ClipCutParams,
  context: OperationContext<'clip-cut'>,
  kinds: Set<string>,
  from: number,
  emit: Progress,
): Promise<ClipCutResult> {
  const name = exportName(params.name, info.path);
  // A smart cut's work folder beside a clip is recorded like the clip's temporary name.
  const onWorkDir = (dir: string) => ledgerOf(context, params.overwrite).scratch(dir);
  const ctx: ExportContext = { info, timeline, name, outputDir: context.outputDir, signal: context.signal, written: [], onWorkDir };
  try {
    const clipCount = result.clips.length;
    const mediaSteps = (kinds.has('clips') ? clipCount : 0) + (kinds.has('clips') || kinds.has('thumbnails') ? clipCount : 0);
    let stepsDone = 0;
    const step = () => {
      stepsDone++;
      emit({ stage: 'clips', fraction: from + (0.95 - from) * (stepsDone / Math.max(1, mediaSteps)), message: `${stepsDone}/${mediaSteps} files` });
    };
    if (kinds.has('clips')) {
      const files = await writeClipFiles(result, params.clipMode ?? CLIP_CUT_DEFAULTS.clipMode, ctx, step);
      result.outputs.clips = files;
      result.clips.forEach((clip, i) => (clip.file = files[i]!));
    }
    // 'clips' brings a thumbnail per clip; 'thumbnails' alone writes only those.
    if (kinds.has('clips') || kinds.has('thumbnails')) {
      const files = await writeThumbnails(result, ctx, step);
      result.outputs.thumbnails = files;
      result.clips.forEach((clip, i) => (clip.thumbnail = files[i]!));
    }
    if (kinds.has('render')) result.outputs.render = await writeRender(result, ctx);
    emit({ stage: 'export', fraction: 0.95 });
    const named = context.pathInFiles ?? ((path: string) => path);
    const list = { ...toCutList(result, info, name), mediaPath: named(info.path) };
    for (const format of ['edl', 'fcp7', 'fcpxml', 'otio'] as const) {
      if (!kinds.has(format)) continue;
      // A rate the format cannot count is converted, and the result says how.
      const { list: written, warning } = result.kept === undefined ? cutListFor(format, list, result) : editedListFor(format, list, result);
      if (warning !== undefined) result.warnings = [...(result.warnings ?? []), warning];
      result.outputs[format] = await writeCutList(format, written, ctx);
    }
    if (context.signal.aborted) throw cancelled('clip-cut');
    const json = kinds.has('json') ? jsonPath(ctx) : undefined;
    // The JSON is written last and lists itself, so it names every file of the run.
    result.files = json === undefined ? [...ctx.written] : [...ctx.written, json];
    if (json !== undefined) {
      result.outputs.json = json;
      // Its paths as the job's client names them (every string passes; only paths change).
      await writeFileAtomic(json, `${JSON.stringify(result, (_key, value: unknown) => (typeof value === 'string' ? named(value) : value), 2)}\n`);
    }
    emit({ stage: 'export', fraction: 1 });
    return result;
  } catch (error) {
    // Nothing is in place before the ledger commits, so a failure has nothing of its own to remove.
    if (context.signal.aborted) throw cancelled('clip-cut');
    if (isFramewrightError(error)) throw error;
    throw new FramewrightError('OUTPUT_FAILED', `clip-cut could not write its outputs in ${context.outputDir}: ${oneLine(String((error as Error).message ?? error))}`, { cause: error });
  }
}

/**
 * The clip-cut operation: finds the shots of a video and exports them as clips and cut lists.
 *
 * @example
 * ```ts
 * const result = await clipCutOperation.run(
 *   { input: 'talk.mp4', exports: ['json', 'edl', 'clips'] },
 *   { signal: new AbortController().signal, onProgress: console.log, outputDir: '/tmp/out' },
 * );
 * console.log(result.clips.map((c) => [c.startFrame, c.endFrame]));
 * ```
 */
export const clipCutOperation: Operation<'clip-cut'> = {
  name: 'clip-cut',
  async availability() {
    // The shot-detection packs the model detector can run here.
    return (await ffmpegUnavailable()) ?? availableWithPacks('shot-detection');
  },
  // A name whose files could not be written, or a model pack that is not there, is refused at submit, before the job is queued.
  async check(params) {
    checkExportName(params.name);
    checkRender(params);
    if (params.detectors?.includes('model') === true) await findShotModelPack(params.model);
    return {};
  },
  run(params, context) {
    return runInLedger('clip-cut', context, params.overwrite, (outputs) => run(params, { ...context, outputs }));
  },
};
