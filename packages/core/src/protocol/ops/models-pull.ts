import { Type, type Static } from '@sinclair/typebox';
import { closed, PathString, progressFields } from '../common.js';

/**
 * Parameters of models-pull (protocol 1.2): a Hugging Face Hub repository pulled into the
 * server's model folder, where its operations find it. The Hub and its token are the server's
 * (`HF_ENDPOINT`, `HF_TOKEN` in its environment); a client never sends or sees them.
 */
export const ModelsPullParamsSchema = closed(
  {
    repo: Type.String({ minLength: 3, maxLength: 300, pattern: '^[A-Za-z0-9][\\w.-]*/[A-Za-z0-9][\\w.-]*(@[^\\s@]+)?$', description: 'owner/name, optionally @revision (a branch, tag or commit; default main)' }),
    acceptLicence: Type.Optional(Type.Boolean({ description: 'Accept a non-commercial, unknown or gated licence (default false: such a pull fails with INVALID_PARAMS naming the licence and where to read it)' })),
    id: Type.Optional(Type.String({ pattern: '^[a-z0-9][a-z0-9._-]{0,99}$', description: "The pack's id (default: the repository's name, lowercased)" })),
    family: Type.Optional(Type.Union(['sd-turbo', 'sdxl-turbo', 'shot-detection', 'frame-interpolation', 'speech-to-text'].map((f) => Type.Literal(f)), { description: 'The family, for a single .onnx file whose name says nothing of it (shot-detection, frame-interpolation)' })),
    include: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 300 }), { minItems: 1, maxItems: 50, description: "Globs of the files to fetch instead of the family's (fnmatch, * crossing folders)" })),
  },
  { title: 'ModelsPullParams' },
);
/** Parameters of models-pull. */
export type ModelsPullParams = Static<typeof ModelsPullParamsSchema>;

/** Result of models-pull: the installed pack. */
export const ModelsPullResultSchema = closed(
  {
    id: Type.String({ description: 'What the model param of an operation names' }),
    family: Type.String(),
    dir: PathString,
    repo: Type.String({ description: 'owner/name as the Hub names it' }),
    commit: Type.String({ description: 'The commit the files are from' }),
    licence: closed({ name: Type.String(), url: Type.String(), needsAcceptance: Type.Optional(Type.String({ description: 'Why it needed acceptLicence' })) }),
    files: Type.Integer({ minimum: 1, description: 'Files fetched from the Hub' }),
    bytes: Type.Integer({ minimum: 0 }),
    resumedBytes: Type.Integer({ minimum: 0, description: 'Bytes an earlier, interrupted pull had staged' }),
    upToDate: Type.Boolean({ description: 'The pack was already there at this commit: nothing was fetched' }),
  },
  { title: 'ModelsPullResult' },
);
/** Result of models-pull. */
export type ModelsPullResult = Static<typeof ModelsPullResultSchema>;

/** Progress of models-pull: `licence` once it is known, `download` as bytes arrive, `install` at the end. */
export const ModelsPullProgressSchema = closed(
  {
    ...progressFields(['licence', 'download', 'install'] as const),
    bytesDone: Type.Optional(Type.Integer({ minimum: 0 })),
    bytesTotal: Type.Optional(Type.Integer({ minimum: 0 })),
    bytesPerSecond: Type.Optional(Type.Number({ minimum: 0 })),
    filesDone: Type.Optional(Type.Integer({ minimum: 0 })),
    filesTotal: Type.Optional(Type.Integer({ minimum: 0 })),
    licence: Type.Optional(Type.String({ description: 'The licence name (licence stage)' })),
  },
  { title: 'ModelsPullProgress' },
);
/** Progress of models-pull. */
export type ModelsPullProgress = Static<typeof ModelsPullProgressSchema>;
