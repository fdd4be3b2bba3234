import { Type, type Static } from '@sinclair/typebox';
import { closed, PathString, pathString, progressFields } from '../common.js';

/** Detectors clip-cut can combine. */
export const CLIP_CUT_DETECTORS = ['content', 'adaptive', 'histogram', 'hash', 'fade', 'dissolve', 'silence', 'model'] as const;
/** Kinds of gradual transition clip-cut reports. */
export const CLIP_CUT_TRANSITIONS = ['dissolve', 'fade-out', 'fade-in', 'fade-through-black', 'fade-through-white'] as const;
/** How clip-cut can make clip files (the first is the default). */
export const CLIP_CUT_CLIP_MODES = ['smart', 'copy', 'accurate'] as const;
/** Exports clip-cut can write. */
export const CLIP_CUT_EXPORTS = ['json', 'edl', 'fcp7', 'fcpxml', 'otio', 'clips', 'thumbnails', 'render'] as const;
/** What clip-cut's `remove` can take out of a recording, leaving an edited timeline of the rest. */
export const CLIP_CUT_REMOVALS = ['silence', 'non-speech'] as const;

const Detector = Type.Union(CLIP_CUT_DETECTORS.map((d) => Type.Literal(d)));
const ExportKind = Type.Union(CLIP_CUT_EXPORTS.map((d) => Type.Literal(d)));

/** Parameters of clip-cut. Every field but `input` has a default that works on real footage. */
export const ClipCutParamsSchema = closed(
  {
    input: pathString('Video file to cut'),
    outputDir: Type.Optional(pathString('Folder for exports; on a server it must lie under the output root')),
    overwrite: Type.Optional(Type.Boolean({ description: 'Replace files of the same names in the output folder, once the run has succeeded (default false: a run whose names exist is refused with OUTPUT_EXISTS before it writes anything)' })),
    name: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, pattern: '^[^/\\\\\\u0000]+$', description: 'Base name of exported files (default: the input file name)' }),
    ),
    detectors: Type.Optional(Type.Array(Detector, { minItems: 1, uniqueItems: true, description: 'Detectors to combine (default content, adaptive, fade, dissolve); with adaptive on, the other difference detectors only count local peaks; fade and dissolve report gradual transitions and cut once in each; model runs a shot-detection model pack (see model)' })),
    model: Type.Optional(Type.String({ minLength: 1, maxLength: 500, description: 'The shot-detection model pack the model detector runs: an installed pack id or a pack folder (default: the first installed shot-detection pack)' })),
    thresholds: Type.Optional(
      closed({
        content: Type.Optional(Type.Number({ minimum: 0, maximum: 255, description: 'Mean per-pixel HSV difference to the previous frame for a content cut (default 27)' })),
        adaptive: Type.Optional(Type.Number({ minimum: 1, maximum: 100, description: 'How many times the mean difference of the two frames on each side a frame must differ for an adaptive cut (default 3)' })),
        histogram: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'HSV histogram distance for a histogram cut, 0 same to 1 disjoint (default 0.5)' })),
        hash: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'Fraction of perceptual-hash bits that differ for a hash cut (default 0.4)' })),
        fade: Type.Optional(Type.Number({ minimum: 0, maximum: 255, description: 'Mean luma at or below which a solid frame (one without texture) counts as black, and at or above 255 minus it as white (default 16)' })),
        silenceDb: Type.Optional(Type.Number({ minimum: -120, maximum: 0, description: 'Audio level (dBFS) below which audio is silent (default -50)' })),
        model: Type.Optional(Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1, description: "Cut probability above which the model detector's frames are a transition (default 0.5, TransNetV2's)" })),
      }),
    ),
    minClipSeconds: Type.Optional(Type.Number({ minimum: 0, maximum: 3600, description: 'Shortest clip; weaker cuts closer than this are dropped (default 0.5)' })),
    silenceMinSeconds: Type.Optional(Type.Number({ minimum: 0.05, maximum: 600, description: 'Shortest silence reported (default 0.5)' })),
    flashSuppression: Type.Optional(Type.Boolean({ description: 'Ignore 1-3 frame flashes after which the picture comes back (default true)' })),
    analysisWidth: Type.Optional(Type.Integer({ minimum: 16, maximum: 1920, description: 'Width frames are downscaled to for analysis (default 96)' })),
    exports: Type.Optional(Type.Array(ExportKind, { uniqueItems: true, description: 'What to write (default json): json, edl, fcp7 (.xml), fcpxml, otio, clips (a file and a thumbnail per clip), thumbnails (only the thumbnails), render (with remove: <name>-edited.mp4, the kept ranges end to end, H.264 and AAC)' })),
    remove: Type.Optional(Type.Array(Type.Union(CLIP_CUT_REMOVALS.map((r) => Type.Literal(r))), { minItems: 1, uniqueItems: true, description: "Turns clip-cut into a jump-cut editor: silence drops the quiet parts (auto-editor's default edit: per frame-long chunk of audio, the largest absolute sample over all channels against removeOptions.silenceThreshold), non-speech drops where nobody talks (Silero VAD v5); with both, only what is loud and speech is kept. The result gains kept[], keptSeconds and removedSeconds, and the edl, fcp7, fcpxml and otio exports describe the edited timeline (the kept ranges end to end, video and audio linked) instead of the shot list" })),
    removeOptions: Type.Optional(
      closed(
        {
          silenceThreshold: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'Loudness (largest absolute sample of a chunk, 1 = full scale) at or above which a chunk is loud (default 0.04, auto-editor\'s); the CLI also takes dB, -28dB = 0.0398' })),
          speechThreshold: Type.Optional(Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1, description: 'Speech probability at or above which a 32 ms VAD window is speech (default 0.5)' })),
          marginBeforeSeconds: Type.Optional(Type.Number({ minimum: -60, maximum: 60, description: 'Kept before each loud or spoken stretch (default 0.2); negative trims into it' })),
          marginAfterSeconds: Type.Optional(Type.Number({ minimum: -60, maximum: 60, description: 'Kept after each loud or spoken stretch (default 0.2); negative trims into it' })),
          minSilenceSeconds: Type.Optional(Type.Number({ minimum: 0, maximum: 3600, description: 'Removed stretches shorter than this are kept after the margins (default 0.2, auto-editor\'s mincut)' })),
          minKeptSeconds: Type.Optional(Type.Number({ minimum: 0, maximum: 3600, description: 'Kept stretches shorter than this are removed after the margins (default 0.1, auto-editor\'s minclip)' })),
        },
        { description: 'How remove decides (every field has auto-editor\'s default)' },
      ),
    ),
    clipMode: Type.Optional(Type.Union(CLIP_CUT_CLIP_MODES.map((m) => Type.Literal(m)), { description: 'How clip files are made. smart (default): frame-exact, re-encodes only the frames between a cut and the nearest keyframe (H.264 with the source\'s parameters) and stream-copies the rest; copy: stream copy of whole keyframe intervals, fastest, starts on the keyframe at or before the clip and may run past its end (clips[].fileFrames says which frames each file holds); accurate: everything re-encoded, frame-exact. Audio is re-encoded from each file\'s first frame in every mode' })),
  },
  { title: 'ClipCutParams' },
);
/** Parameters of clip-cut. */
export type ClipCutParams = Static<typeof ClipCutParamsSchema>;

const Clip = closed({
  index: Type.Integer({ minimum: 0 }),
  startFrame: Type.Integer({ minimum: 0, description: 'First frame, 0-based decode order' }),
  endFrame: Type.Integer({ minimum: 0, description: 'Exclusive end frame' }),
  frames: Type.Integer({ minimum: 0 }),
  startSeconds: Type.Number({ minimum: 0 }),
  endSeconds: Type.Number({ minimum: 0 }),
  startTimecode: Type.String(),
  endTimecode: Type.String(),
  score: Type.Number({ description: 'Score of the cut that starts this clip (0 for the first clip)' }),
  file: Type.Optional(PathString),
  fileFrames: Type.Optional(
    closed(
      {
        startFrame: Type.Integer({ minimum: 0, description: 'First source frame in the clip file' }),
        endFrame: Type.Integer({ minimum: 0, description: 'Exclusive end frame of the source in the clip file' }),
        reencodedFrames: Type.Integer({ minimum: 0, description: 'Frames of the file that were re-encoded; the others are the source\'s own, stream-copied' }),
        mode: Type.Union(CLIP_CUT_CLIP_MODES.map((m) => Type.Literal(m)), { description: 'How the file was made: the clipMode asked for, or accurate where that could not be used (a warning says why)' }),
      },
      { description: 'The source frames the clip file holds: exactly the clip\'s (smart, accurate), or in copy mode whole keyframe intervals from the keyframe at or before the clip' },
    ),
  ),
  thumbnail: Type.Optional(PathString),
});

const Cut = closed({
  frame: Type.Integer({ minimum: 0 }),
  seconds: Type.Number({ minimum: 0 }),
  timecode: Type.String(),
  score: Type.Number(),
  detectors: Type.Array(Detector),
});

const Transition = closed(
  {
    kind: Type.Union(CLIP_CUT_TRANSITIONS.map((k) => Type.Literal(k)), { description: 'dissolve: a cross-fade between two shots; fade-out / fade-in: to or from solid black or white next to a hard cut or the start or end of the video; fade-through-black / -white: a fade-out and a fade-in around the colour, one transition' }),
    startFrame: Type.Integer({ minimum: 0, description: 'First frame that is no longer the outgoing picture alone' }),
    endFrame: Type.Integer({ minimum: 0, description: 'First frame that is the incoming picture alone (exclusive end)' }),
    startSeconds: Type.Number({ minimum: 0 }),
    endSeconds: Type.Number({ minimum: 0 }),
    cutFrame: Type.Optional(Type.Integer({ minimum: 0, description: 'The cut this transition makes: the middle of a dissolve, the middle of the colour of a fade-through (absent for a fade-out or fade-in, whose cut is the hard cut next to them, if any)' })),
    score: Type.Number({ description: 'Confidence relative to the detector\'s limit (1 = at the limit)' }),
  },
  { description: 'A gradual transition, found once with its first and last frame' },
);

/** Result of clip-cut. */
export const ClipCutResultSchema = closed(
  {
    input: PathString,
    width: Type.Integer({ minimum: 1 }),
    height: Type.Integer({ minimum: 1 }),
    fps: Type.Number({ exclusiveMinimum: 0, description: 'Frame rate timecodes count at: the video\'s own, or for variable-rate video the rate of its most common frame length' }),
    fpsRational: closed({ num: Type.Integer({ minimum: 1 }), den: Type.Integer({ minimum: 1 }) }),
    dropFrame: Type.Boolean({ description: 'Timecodes are drop-frame (29.97, 59.94)' }),
    variableFrameRate: Type.Optional(
      closed(
        {
          averageFps: Type.Number({ exclusiveMinimum: 0, description: 'Frames divided by duration' }),
          minFps: Type.Number({ exclusiveMinimum: 0, description: 'Rate of the longest frame' }),
          maxFps: Type.Number({ exclusiveMinimum: 0, description: 'Rate of the shortest frame' }),
        },
        { description: 'Present when frames last different times: seconds then come from each frame\'s timestamp, and timecodes round them to fps' },
      ),
    ),
    frameCount: Type.Integer({ minimum: 0, description: 'Frames decoded (every frame once, in decode order)' }),
    durationSeconds: Type.Number({ minimum: 0 }),
    cuts: Type.Array(Cut),
    clips: Type.Array(Clip),
    transitions: Type.Optional(Type.Array(Transition, { description: 'Dissolves and fades, in order (with the fade and dissolve detectors)' })),
    silences: Type.Optional(Type.Array(closed({ startSeconds: Type.Number(), endSeconds: Type.Number() }))),
    kept: Type.Optional(
      Type.Array(
        closed({
          startFrame: Type.Integer({ minimum: 0, description: 'First kept frame' }),
          endFrame: Type.Integer({ minimum: 0, description: 'Exclusive end frame' }),
          startSeconds: Type.Number({ minimum: 0 }),
          endSeconds: Type.Number({ minimum: 0 }),
        }),
        { description: 'With remove: the ranges kept, in order; the edited timeline is these end to end' },
      ),
    ),
    keptSeconds: Type.Optional(Type.Number({ minimum: 0, description: 'With remove: length of the edited timeline' })),
    removedSeconds: Type.Optional(Type.Number({ minimum: 0, description: 'With remove: what was taken out' })),
    outputs: closed({
      json: Type.Optional(PathString),
      edl: Type.Optional(PathString),
      fcp7: Type.Optional(PathString),
      fcpxml: Type.Optional(PathString),
      otio: Type.Optional(PathString),
      clips: Type.Optional(Type.Array(PathString)),
      thumbnails: Type.Optional(Type.Array(PathString)),
      render: Type.Optional(PathString),
    }),
    files: Type.Array(PathString, { description: 'Every file written' }),
    warnings: Type.Optional(
      Type.Array(Type.String(), { description: 'What the run had to approximate, one line each (e.g. a variable frame rate written as EDL timecode)' }),
    ),
  },
  { title: 'ClipCutResult' },
);
/** Result of clip-cut. */
export type ClipCutResult = Static<typeof ClipCutResultSchema>;

/** Progress of clip-cut. */
export const ClipCutProgressSchema = closed(
  {
    ...progressFields(['probe', 'analyse', 'export', 'clips'] as const),
    frame: Type.Optional(Type.Integer({ minimum: 0 })),
    totalFrames: Type.Optional(Type.Integer({ minimum: 0 })),
    framesPerSecond: Type.Optional(Type.Number({ minimum: 0 })),
  },
  { title: 'ClipCutProgress' },
);
/** Progress of clip-cut. */
export type ClipCutProgress = Static<typeof ClipCutProgressSchema>;
