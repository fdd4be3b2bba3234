import type { Command } from './types.js';
import { adapterCommand, KNOWN_ADAPTERS } from './adapters.js';

export type { Command } from './types.js';

/** A registered command: its name and summary, and how to load it (lazily, so `--help` is quick). */
export interface CommandEntry {
  /** What the user types. */
  readonly name: string;
  /** One line for `framewright --help`. */
  readonly summary: string;
  /** Loads the command. */
  load(): Promise<Command>;
}

/** Every `framewright` command, in the order `--help` lists them. Add new commands here. */
export const COMMANDS: readonly CommandEntry[] = Object.freeze([
  { name: 'demo', summary: 'make a sample video, cut it and write every export', load: async () => (await import('./demo.js')).demoCommand },
  { name: 'clip-cut', summary: 'cut a video into clips; write EDL, FCP7 XML, FCPXML, OTIO, clip files, thumbnails', load: async () => (await import('./clip-cut.js')).clipCutCommand },
  { name: 'video-gen', summary: 'make a video: keyframe interpolation, camera moves over a still, audio and subtitle tracks', load: async () => (await import('./video-gen.js')).videoGenCommand },
  { name: 'subtitles', summary: 'captions from what is said (speech to text with a Whisper model pack); SRT, WebVTT, JSON', load: async () => (await import('./subtitles.js')).subtitlesCommand },
  { name: 'image-gen', summary: 'draw pictures from a prompt (built-in model or an ONNX model pack); PNG with the parameters inside', load: async () => (await import('./image-gen.js')).imageGenCommand },
  { name: 'models', summary: 'list installed model packs; verify their files, hashes and ONNX signatures', load: async () => (await import('./models.js')).modelsCommand },
  { name: 'serve', summary: 'start the local server for host adapters and SDK clients', load: async () => (await import('./serve.js')).serveCommand },
  { name: 'worker', summary: 'run the jobs of a cluster (serve --queue) from its Redis, as this machine can', load: async () => (await import('./worker.js')).workerCommand },
  { name: 'train', summary: 'train a transformer on a built-in task (checkpoints, exact resume)', load: async () => (await import('./train.js')).trainCommand },
  { name: 'export-onnx', summary: 'export a trained transformer checkpoint to an ONNX model and verify it in ONNX Runtime', load: async () => (await import('./export-onnx.js')).exportOnnxCommand },
  { name: 'doctor', summary: 'check ffmpeg, operations, ML backends, config and output paths', load: async () => (await import('./doctor.js')).doctorCommand },
  ...KNOWN_ADAPTERS.map((known): CommandEntry => ({
    name: known.command,
    summary: `${known.summary} (from ${known.packageName})`,
    load: () => Promise.resolve(adapterCommand(known)),
  })),
]);
