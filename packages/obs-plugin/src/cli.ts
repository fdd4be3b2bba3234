import { resolve } from 'node:path';
import { CLIP_CUT_REMOVALS, DEFAULT_PORT, VIDEO_GEN_MODES, type ClipCutParams, type ImageGenParams, type VideoGenParams } from '@framewright/core/protocol';
import { integerFlag, OBS_EXIT, parseCommand, processIo, reportFailure, stringFlag, suggestion, type ObsCliIo, type Parsed } from './cli-io.js';
import { runSetup } from './cli-setup.js';
import { OBS_PASSWORD_ENV, OBS_URL_ENV, resolveObsSettings } from './config.js';
import { DEFAULT_OBS_URL, ObsConnection } from './connection.js';
import type { Engine } from './engine.js';
import { connectEngine, ENGINE_TOKEN_ENV, ENGINE_URL_ENV } from './engine-connect.js';
import { FRAMEWRIGHT_CLI_ENV } from './engine-process.js';
import { ObsAdapterError } from './errors.js';
import { generateIntoObs, type GenerateRequest } from './generate.js';
import { RecordingWatcher, type WatchSubtitleSettings } from './watch.js';

const CONNECTION_HELP = `  --url URL          obs-websocket URL (default ${DEFAULT_OBS_URL}; env ${OBS_URL_ENV})
  --password PW      obs-websocket password (env ${OBS_PASSWORD_ENV}; or saved by \`framewright obs setup --apply\`)`;

const ENGINE_HELP = `Jobs run on the \`framewright serve\` at ${ENGINE_URL_ENV} (default http://127.0.0.1:${DEFAULT_PORT}), with the
token from ${ENGINE_TOKEN_ENV} or Framewright's config folder. When none runs there, or the output
folder lies outside its output root, the command starts an engine of its own (\`framewright serve\`
on a free port; ${FRAMEWRIGHT_CLI_ENV} names the command to start) and stops it when done.`;

const HELP = `Usage: framewright obs <command> [flags]

Commands:
  watch      auto-clip every finished recording and saved replay into a "Framewright: <name>" scene
  generate   generate an image or a video and put it into an OBS scene
  setup      show (or with --apply, write) what OBS needs: websocket server and the Framewright dock

\`framewright obs <command> --help\` shows a command's flags.
${ENGINE_HELP}

Exit codes: 0 ok, 1 internal, 2 usage, 3 input not found, 5 output, 7 not available here (or no
engine), 8 OBS not running / refused the password / too old, 9 no such OBS scene, 130 cancelled
(Ctrl+C during generate).`;

const WATCH_HELP = `Usage: framewright obs watch [flags]

Listens to OBS; when a recording stops or the replay buffer is saved, cuts the file into clips
(frame-accurate) and creates a scene "Framewright: <file name>" with one media source per clip.
Files are processed one at a time, in order. Runs until Ctrl+C; reconnects when OBS restarts.

${CONNECTION_HELP}
  --out DIR          put each recording's clip folder under DIR (default: beside the recording)
  --export-edl       also write a CMX3600 EDL of the cut list
  --export-otio      also write an OpenTimelineIO file of the cut list
  --remove LIST      also write the tightened recording, NAME-edited.mp4 in the clip folder:
                     silence (auto-editor's default edit), non-speech (Silero VAD) or both
  --subtitles        also write <recording>.srt beside each recording (speech to text; needs a
                     speech-to-text model pack on the engine, see docs/subtitles.md)
  --subtitles-model PACK  the speech-to-text pack (default: the first installed)
  --subtitles-language xx  language of the speech (default: detected)
  --json             print one JSON line per processed recording on stdout`;

const GENERATE_HELP = `Usage: framewright obs generate image|video --prompt TEXT [flags]

Runs image-gen (image) or video-gen (video) on the Framewright engine and adds the result to OBS:
an image source, or a looping media source, fitted to the canvas. The scene is looked up first: a
scene OBS does not have fails before anything is generated (exit 9), naming the scenes it has.

${CONNECTION_HELP}
  --prompt TEXT      what to generate
  --mode MODE        video only: ${VIDEO_GEN_MODES.join(', ')} (default text-to-video)
  --image FILE       video only: the still for image-to-video
  --width N --height N --seed N   (a video defaults to the canvas size)
  --scene NAME       scene to add to (default: the current program scene)
  --name NAME        name of the new source
  --out DIR          folder for the generated files (default: the working folder)
  --json             print the placed sources as JSON on stdout`;

const CONNECTION_FLAGS = { url: { type: 'string' }, password: { type: 'string' }, help: { type: 'boolean' } } as const;

/** Options for embedding or testing {@link runCli}. */
export interface RunCliOptions {
  /** Streams, environment and signals (default: this process's). */
  readonly io?: ObsCliIo;
  /** The engine (default: {@link connectEngine}: a running `framewright serve`, else one started for the command). */
  readonly engine?: Engine;
}

/**
 * Entry point of `framewright obs …` (the core CLI hands over the arguments after `obs`).
 * @returns the exit code
 * @example
 * ```ts
 * process.exitCode = await runCli(['watch', '--url', 'ws://127.0.0.1:4455']);
 * ```
 */
export async function runCli(argv: string[], options: RunCliOptions = {}): Promise<number> {
  const io = options.io ?? processIo();
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.stdout.write(`${HELP}\n`);
        return command === undefined ? OBS_EXIT.usage : OBS_EXIT.ok;
      case 'watch':
        return await watch(rest, io, options.engine);
      case 'generate':
        return await generate(rest, io, options.engine);
      case 'setup':
        return await runSetup(rest, io);
      default:
        throw new ObsAdapterError('BAD_ARGUMENTS', `unknown command ${JSON.stringify(command)}: ${suggestion(command, ['watch', 'generate', 'setup'])}expected watch, generate or setup`);
    }
  } catch (error) {
    return reportFailure(io, error);
  }
}

async function connect(flags: { url?: string | undefined; password?: string | undefined }, io: ObsCliIo): Promise<ObsConnection> {
  const settings = await resolveObsSettings(flags, io.env);
  const connection = new ObsConnection({ url: settings.url, password: settings.password, log: (line) => io.stderr.write(`framewright obs: ${line}\n`) });
  const info = await connection.connect();
  io.stderr.write(`framewright obs: connected to OBS ${info.obsVersion} (obs-websocket ${info.obsWebSocketVersion}) at ${settings.url}\n`);
  return connection;
}

/**
 * Runs `use` with the given engine, or with one from {@link connectEngine} that is closed
 * afterwards (stopping an engine started for the command).
 */
async function withEngine<T>(given: Engine | undefined, io: ObsCliIo, use: (engine: Engine) => Promise<T>): Promise<T> {
  if (given !== undefined) return use(given);
  const engine = await connectEngine({ env: io.env, cwd: io.cwd, log: (line) => io.stderr.write(`framewright obs: ${line}\n`) });
  try {
    return await use(engine);
  } finally {
    await engine.close();
  }
}

async function watch(argv: string[], io: ObsCliIo, given: Engine | undefined): Promise<number> {
  const parsed = parseCommand('watch', argv, {
    ...CONNECTION_FLAGS,
    out: { type: 'string' },
    'export-edl': { type: 'boolean' },
    'export-otio': { type: 'boolean' },
    remove: { type: 'string' },
    subtitles: { type: 'boolean' },
    'subtitles-model': { type: 'string' },
    'subtitles-language': { type: 'string' },
    json: { type: 'boolean' },
  });
  if (parsed.flags['help']) {
    io.stdout.write(`${WATCH_HELP}\n`);
    return OBS_EXIT.ok;
  }
  if (parsed.positionals.length > 0) throw new ObsAdapterError('BAD_ARGUMENTS', `obs watch takes no arguments, got ${JSON.stringify(parsed.positionals[0])}`);
  const remove = removeFlag(parsed);
  const subtitles = subtitlesOf(parsed);
  return withEngine(given, io, (engine) => watchWith(parsed, io, engine, remove, subtitles));
}

/** The `--remove` list of `obs watch`, checked before OBS is contacted. */
function removeFlag(parsed: Parsed): NonNullable<ClipCutParams['remove']> | undefined {
  const raw = stringFlag(parsed, 'remove');
  if (raw === undefined) return undefined;
  const items = [...new Set(raw.split(',').map((s) => s.trim()).filter((s) => s.length > 0))];
  const bad = items.find((i) => !(CLIP_CUT_REMOVALS as readonly string[]).includes(i));
  if (items.length === 0 || bad !== undefined) {
    throw new ObsAdapterError('BAD_ARGUMENTS', `--remove takes ${CLIP_CUT_REMOVALS.join(', ')} (comma-separated), got ${JSON.stringify(bad ?? raw)}`);
  }
  return items as NonNullable<ClipCutParams['remove']>;
}

/** The `--subtitles` settings of `obs watch`, checked before OBS is contacted. */
function subtitlesOf(parsed: Parsed): { subtitles?: WatchSubtitleSettings } {
  const model = stringFlag(parsed, 'subtitles-model');
  const language = stringFlag(parsed, 'subtitles-language');
  if (parsed.flags['subtitles'] !== true) {
    if (model !== undefined || language !== undefined) throw new ObsAdapterError('BAD_ARGUMENTS', 'obs watch: --subtitles-model and --subtitles-language need --subtitles');
    return {};
  }
  return { subtitles: { ...(model === undefined ? {} : { model }), ...(language === undefined ? {} : { language }) } };
}

async function watchWith(parsed: Parsed, io: ObsCliIo, engine: Engine, remove: NonNullable<ClipCutParams['remove']> | undefined, subtitles: { subtitles?: WatchSubtitleSettings }): Promise<number> {
  const out = stringFlag(parsed, 'out');
  const connection = await connect({ url: stringFlag(parsed, 'url'), password: stringFlag(parsed, 'password') }, io);
  const watcher = new RecordingWatcher(connection, {
    engine,
    outDir: out === undefined ? undefined : resolve(io.cwd, out),
    exportEdl: parsed.flags['export-edl'] === true,
    exportOtio: parsed.flags['export-otio'] === true,
    ...(remove === undefined ? {} : { remove }),
    ...subtitles,
    log: (line) => io.stderr.write(`framewright obs: ${line}\n`),
  });
  watcher.onProcessed((p) => {
    if (parsed.flags['json']) {
      const { clips, outputs } = p.result;
      const edited = p.edited === undefined ? {} : { edited: p.edited, kept: p.result.kept, keptSeconds: p.result.keptSeconds };
      const subtitles = p.subtitles === undefined ? {} : { subtitles: p.subtitles };
      io.stdout.write(`${JSON.stringify({ recording: p.recording, origin: p.origin, sceneName: p.sceneName, inputNames: p.inputNames, playlistName: p.playlistName, clips, outputs, ...edited, ...subtitles })}\n`);
    }
  });
  watcher.start();
  io.stderr.write('framewright obs: waiting for recordings (Ctrl+C stops)\n');
  const ended = await new Promise<Error | undefined>((done) => {
    const offInterrupt = io.onInterrupt(() => {
      offInterrupt();
      done(undefined);
    });
    connection.onEnded((reason) => {
      offInterrupt();
      done(reason);
    });
  });
  const unfinished = watcher.pending;
  await watcher.stop();
  await connection.close();
  if (ended) return reportFailure(io, ended);
  if (unfinished > 0) io.stderr.write(`framewright obs: stopped with ${unfinished} recording${unfinished === 1 ? '' : 's'} not clipped\n`);
  return OBS_EXIT.ok;
}

async function generate(argv: string[], io: ObsCliIo, given: Engine | undefined): Promise<number> {
  const parsed = parseCommand('generate', argv, {
    ...CONNECTION_FLAGS,
    prompt: { type: 'string' },
    mode: { type: 'string' },
    image: { type: 'string' },
    width: { type: 'string' },
    height: { type: 'string' },
    seed: { type: 'string' },
    scene: { type: 'string' },
    name: { type: 'string' },
    out: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (parsed.flags['help']) {
    io.stdout.write(`${GENERATE_HELP}\n`);
    return OBS_EXIT.ok;
  }
  const [what, extra] = parsed.positionals;
  if ((what !== 'image' && what !== 'video') || extra !== undefined) {
    throw new ObsAdapterError('BAD_ARGUMENTS', 'obs generate needs exactly one of: image, video (e.g. `framewright obs generate image --prompt "a red fox"`)');
  }
  const outputDir = resolve(io.cwd, stringFlag(parsed, 'out') ?? '.');
  const common = {
    outputDir,
    ...optional('prompt', stringFlag(parsed, 'prompt')),
    ...optional('width', integerFlag(parsed, 'width', 8, 4096)),
    ...optional('height', integerFlag(parsed, 'height', 8, 4096)),
    ...optional('seed', integerFlag(parsed, 'seed', 0, 4294967295)),
  };
  let request: GenerateRequest;
  if (what === 'image') {
    if (common.prompt === undefined) throw new ObsAdapterError('BAD_ARGUMENTS', 'obs generate image needs --prompt TEXT');
    request = { kind: 'image', params: { ...common, prompt: common.prompt } satisfies ImageGenParams };
  } else {
    const mode = stringFlag(parsed, 'mode') ?? 'text-to-video';
    if (!(VIDEO_GEN_MODES as readonly string[]).includes(mode)) throw new ObsAdapterError('BAD_ARGUMENTS', `--mode must be one of ${VIDEO_GEN_MODES.join(', ')}, not ${JSON.stringify(mode)}`);
    const image = stringFlag(parsed, 'image');
    request = { kind: 'video', params: { ...common, mode: mode as VideoGenParams['mode'], ...optional('image', image === undefined ? undefined : resolve(io.cwd, image)) } };
  }
  return withEngine(given, io, (engine) => generateWith(parsed, request, io, engine));
}

async function generateWith(parsed: Parsed, request: GenerateRequest, io: ObsCliIo, engine: Engine): Promise<number> {
  // Ask the engine first: an operation it lacks is reported before OBS is even contacted.
  await engine.check(request.kind === 'image' ? 'image-gen' : 'video-gen', request.params as never);
  const connection = await connect({ url: stringFlag(parsed, 'url'), password: stringFlag(parsed, 'password') }, io);
  const abort = new AbortController();
  const offInterrupt = io.onInterrupt(() => abort.abort());
  try {
    const placed = await generateIntoObs(connection, engine, request, { sceneName: stringFlag(parsed, 'scene'), inputName: stringFlag(parsed, 'name') }, abort.signal);
    for (const p of placed) io.stderr.write(`framewright obs: added ${p.inputKind} ${JSON.stringify(p.inputName)} to scene ${JSON.stringify(p.sceneName)}\n`);
    if (parsed.flags['json']) io.stdout.write(`${JSON.stringify(placed)}\n`);
    return OBS_EXIT.ok;
  } finally {
    offInterrupt();
    await connection.close();
  }
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
