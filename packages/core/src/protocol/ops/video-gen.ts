import { Type, type Static } from '@sinclair/typebox';
import { closed, PathString, progressFields } from '../common.js';

/** Modes of video-gen. */
export const VIDEO_GEN_MODES = ['interpolate', 'image-to-video', 'text-to-video'] as const;
/** Camera moves of image-to-video over a still. */
export const VIDEO_GEN_MOTIONS = ['zoom-in', 'zoom-out', 'pan-left', 'pan-right', 'pan-up', 'pan-down', 'ken-burns'] as const;
/** One of {@link VIDEO_GEN_MOTIONS}. */
export type CameraMotion = (typeof VIDEO_GEN_MOTIONS)[number];

const Audio = Type.Union([
  closed({ kind: Type.Literal('file'), path: PathString }),
  closed({ kind: Type.Literal('tone'), frequency: Type.Optional(Type.Number({ minimum: 20, maximum: 20000 })) }),
  closed({ kind: Type.Literal('silence') }),
  closed({
    kind: Type.Literal('narration'),
    voice: Type.Optional(Type.String({ maxLength: 100 })),
    timing: Type.Optional(Type.Union([Type.Literal('continuous'), Type.Literal('cues')], { description: 'continuous (default): the subtitles (or prompt) spoken in one go from the start; cues: each subtitle cue spoken at its start, sped up when it would run into the next cue or past the end' })),
  }),
]);

const Cue = closed({ startSeconds: Type.Number({ minimum: 0 }), endSeconds: Type.Number({ minimum: 0 }), text: Type.String({ minLength: 1 }) });

/** Parameters of video-gen. */
export const VideoGenParamsSchema = closed(
  {
    mode: Type.Union(VIDEO_GEN_MODES.map((m) => Type.Literal(m))),
    prompt: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })),
    prompts: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 2000 }), {
        minItems: 1,
        maxItems: 100,
        description: 'text-to-video with a text-to-image model: one prompt per keyframe (keyframe i drawn with seed + i), spread evenly over the frames; without it the prompt is drawn at one keyframe per 16 frames',
      }),
    ),
    keyframes: Type.Optional(
      Type.Array(PathString, {
        minItems: 2,
        maxItems: 1000,
        description: "Pictures (PNG, JPEG) or clips: a clip first in the list gives its last frame, a clip later gives its first",
      }),
    ),
    image: Type.Optional(PathString),
    frames: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 10000,
        description: 'Frames of the video, in every mode (at most 10000). interpolate: the keyframes are spread evenly, keyframe i at frame round(i·(frames−1)/(keyframes−1)), at least one frame per keyframe; minterpolate (interpolation motion) needs frames−1 to be a multiple of keyframes−1; default (keyframes−1)·8+1. Protocol 1.0 peers keep the 1.0 meaning for interpolate: in-between frames per gap',
      }),
    ),
    fps: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 240 })),
    width: Type.Optional(Type.Integer({ minimum: 16, maximum: 4096, multipleOf: 2 })),
    height: Type.Optional(Type.Integer({ minimum: 16, maximum: 4096, multipleOf: 2 })),
    seed: Type.Optional(Type.Integer({ minimum: 0, maximum: 4294967295 })),
    interpolation: Type.Optional(
      Type.Union([Type.Literal('flow'), Type.Literal('motion'), Type.Literal('blend'), Type.Literal('model')], {
        description: 'interpolate: flow (optical flow both ways, occlusion-aware; the default without a model), motion (ffmpeg minterpolate), blend (cross-fade), model (a frame-interpolation pack; the default with model)',
      }),
    ),
    motion: Type.Optional(Type.Union(VIDEO_GEN_MOTIONS.map((m) => Type.Literal(m)))),
    model: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'interpolate: a frame-interpolation pack; text-to-video: a text-to-image pack that draws the keyframes (then optical flow between them, and motion as a camera move over the video)' })),
    audio: Type.Optional(Audio),
    subtitles: Type.Optional(
      closed({
        text: Type.Optional(Type.String({ minLength: 1, maxLength: 10000 })),
        cues: Type.Optional(Type.Array(Cue)),
        file: Type.Optional(PathString),
        burn: Type.Optional(Type.Boolean()),
        format: Type.Optional(Type.Union([Type.Literal('srt'), Type.Literal('vtt')])),
      }),
    ),
    format: Type.Optional(Type.Union([Type.Literal('mp4'), Type.Literal('prores'), Type.Literal('png-sequence')])),
    outputDir: Type.Optional(PathString),
    overwrite: Type.Optional(Type.Boolean({ description: 'Reuse the name mode.mp4 (mode.mov, mode/), replacing a file of that name when the run succeeds (default false: a free name mode-2.mp4, … is picked)' })),
  },
  { title: 'VideoGenParams' },
);
/** Parameters of video-gen. */
export type VideoGenParams = Static<typeof VideoGenParamsSchema>;

/** Result of video-gen. */
export const VideoGenResultSchema = closed(
  {
    path: PathString,
    frames: Type.Integer({ minimum: 1 }),
    fps: Type.Number({ exclusiveMinimum: 0 }),
    width: Type.Integer({ minimum: 1 }),
    height: Type.Integer({ minimum: 1 }),
    durationSeconds: Type.Number({ minimum: 0 }),
    warnings: Type.Array(Type.String()),
    files: Type.Array(PathString),
  },
  { title: 'VideoGenResult' },
);
/** Result of video-gen. */
export type VideoGenResult = Static<typeof VideoGenResultSchema>;

/** Progress of video-gen. */
export const VideoGenProgressSchema = closed(
  {
    ...progressFields(['load', 'generate', 'interpolate', 'encode', 'tracks', 'write'] as const),
    step: Type.Optional(Type.Integer({ minimum: 0 })),
    steps: Type.Optional(Type.Integer({ minimum: 0 })),
    frame: Type.Optional(Type.Integer({ minimum: 0 })),
    totalFrames: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { title: 'VideoGenProgress' },
);
/** Progress of video-gen. */
export type VideoGenProgress = Static<typeof VideoGenProgressSchema>;
