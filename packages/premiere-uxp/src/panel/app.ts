import { FramewrightClient, WebSocketTransport, type WebSocketConstructor } from '@framewright/core/client';
import {
  isFramewrightError,
  VIDEO_GEN_MOTIONS,
  type ClipCutParams,
  type ImageGenParams,
  type OperationCapability,
  type OperationName,
  type OperationParams,
  type OperationResult,
  type VideoGenParams,
} from '@framewright/core/protocol';
import type { PremiereHost } from '../host/premiere-host.js';
import { SERVER_PORTS } from '../manifest.js';
import { makeAbortController } from './abort.js';
import { describeError } from './messages.js';
import type { SettingsStore } from './settings.js';
import { button, checkbox, field, isDisabled, picker, setDisabled, setPickerItems, sp, textfield, valueOf, type SpElement } from './spectrum.js';
import { appendAll, el } from './view.js';

/** What the panel needs from its surroundings; tests pass fakes. */
export interface PanelOptions {
  /** The panel's document. */
  document: Document;
  /** The element the panel renders into. */
  root: HTMLElement;
  /** Premiere Pro actions. */
  host: PremiereHost;
  /** Where the engine address and token are kept. */
  settings: SettingsStore;
  /** WebSocket implementation (default: the global one). */
  WebSocket?: WebSocketConstructor;
  /** Version reported to the server in `hello`. */
  version?: string;
}

/** The panel's views: one per task, and the engine settings. */
export const PANEL_VIEWS = ['detect', 'silences', 'image', 'video', 'settings'] as const;
/** One of {@link PANEL_VIEWS}. */
export type PanelViewName = (typeof PANEL_VIEWS)[number];

const VIEW_TITLES: Record<PanelViewName, string> = { detect: 'Detect scenes', silences: 'Remove silences', image: 'Generate image', video: 'Generate video', settings: 'Engine' };
const VIEW_OPS: Record<PanelViewName, OperationName | undefined> = { detect: 'clip-cut', silences: 'clip-cut', image: 'image-gen', video: 'video-gen', settings: undefined };

/** Detect scenes: how readily a change of picture counts as a cut (clip-cut's content threshold). */
const SENSITIVITY: Record<string, Partial<ClipCutParams>> = { normal: {}, fewer: { thresholds: { content: 40 } }, more: { thresholds: { content: 18 } } };
/** Remove silences: how much is kept around what is heard (clip-cut's margins, auto-editor's 0.2 s by default). */
const MARGINS: Record<string, number> = { normal: 0.2, tight: 0.1, loose: 0.4 };
const IMAGE_SIZES: readonly (readonly [string, string])[] = [
  ['512x512', 'Square, 512 × 512'],
  ['768x432', 'Wide 16:9, 768 × 432'],
  ['432x768', 'Tall 9:16, 432 × 768'],
  ['256x256', 'Small square, 256 × 256'],
];
const MOTION_LABELS: Record<(typeof VIDEO_GEN_MOTIONS)[number], string> = {
  'zoom-in': 'Zoom in',
  'zoom-out': 'Zoom out',
  'pan-left': 'Pan left',
  'pan-right': 'Pan right',
  'pan-up': 'Pan up',
  'pan-down': 'Pan down',
  'ken-burns': 'Ken Burns (zoom and pan)',
};
/** Frames per second of generated videos. */
const VIDEO_FPS = 24;

type Status = 'disconnected' | 'connecting' | 'connected' | 'error';

interface Widgets {
  status: SpElement;
  tabs: Map<PanelViewName, SpElement>;
  views: Map<PanelViewName, HTMLElement>;
  notes: Map<PanelViewName, SpElement>;
  runs: Map<PanelViewName, SpElement>;
  host: SpElement;
  port: SpElement;
  token: SpElement;
  connect: SpElement;
  detectSensitivity: SpElement;
  detectOutput: SpElement;
  silencesRemove: SpElement;
  silencesMargin: SpElement;
  imagePrompt: SpElement;
  imageSize: SpElement;
  imageSeed: SpElement;
  imageModel: SpElement;
  imagePlace: SpElement;
  videoLength: SpElement;
  videoMotion: SpElement;
  videoPlace: SpElement;
  progress: SpElement;
  progressText: SpElement;
  cancel: SpElement;
  message: SpElement;
  results: HTMLElement;
}

/**
 * The Framewright panel for Premiere Pro, built from UXP's Spectrum widgets: one view per task
 * (detect scenes on the selected clip, remove its silences, generate an image, generate a video
 * from selected stills) and the engine settings; every job shows progress and can be cancelled, and results
 * go into the project through {@link PremiereHost}.
 */
export class FramewrightPanel {
  private readonly w: Widgets;
  private client: FramewrightClient | undefined;
  private capabilities: OperationCapability[] | undefined;
  /** The protocol version the engine chose (video-gen's `frames` means in-betweens per gap in 1.0). */
  private protocol: string | undefined;
  private view: PanelViewName = 'detect';
  private running: { abort(): void } | undefined;

  private constructor(private readonly options: PanelOptions) {
    this.w = this.build();
    for (const [name, tab] of this.w.tabs) tab.addEventListener('click', () => this.select(name));
    this.w.connect.addEventListener('click', () => void this.connect());
    this.w.runs.get('detect')?.addEventListener('click', () => void this.job('detect'));
    this.w.runs.get('silences')?.addEventListener('click', () => void this.job('silences'));
    this.w.runs.get('image')?.addEventListener('click', () => void this.job('image'));
    this.w.runs.get('video')?.addEventListener('click', () => void this.job('video'));
    this.w.cancel.addEventListener('click', () => this.cancel());
    this.select('detect');
  }

  /** Renders the panel and fills in the saved engine address and token. */
  static async mount(options: PanelOptions): Promise<FramewrightPanel> {
    const panel = new FramewrightPanel(options);
    const saved = await options.settings.load();
    const match = /^wss?:\/\/([^/:]+):(\d+)/.exec(saved.url);
    panel.w.host.value = match?.[1] ?? '127.0.0.1';
    panel.w.port.value = match?.[2] ?? String(SERVER_PORTS[0]);
    panel.w.token.value = saved.token;
    return panel;
  }

  private build(): Widgets {
    const doc = this.options.document;
    const tabs = new Map<PanelViewName, SpElement>();
    const views = new Map<PanelViewName, HTMLElement>();
    const notes = new Map<PanelViewName, SpElement>();
    const runs = new Map<PanelViewName, SpElement>();
    const tabBar = el(doc, 'div', { class: 'fw-tabs', role: 'tablist' });
    for (const name of PANEL_VIEWS) {
      const tab = sp(doc, 'sp-action-button', { id: `fw-tab-${name}`, quiet: '', role: 'tab' }, VIEW_TITLES[name]);
      tabs.set(name, tab);
      tabBar.appendChild(tab);
    }
    const section = (name: PanelViewName, description: string, ...children: HTMLElement[]): void => {
      const note = sp(doc, 'sp-body', { id: `fw-${name}-note`, class: 'fw-unavailable', size: 'S' });
      notes.set(name, note);
      const view = el(doc, 'section', { id: `fw-view-${name}`, class: 'fw-view' }, sp(doc, 'sp-heading', { size: 'XS' }, VIEW_TITLES[name]), sp(doc, 'sp-body', { size: 'S', class: 'fw-description' }, description), ...children, note);
      views.set(name, view);
    };
    const run = (name: PanelViewName, text: string): SpElement => {
      const b = button(doc, `fw-${name}-run`, text, 'cta');
      runs.set(name, b);
      return b;
    };

    const detectSensitivity = picker(doc, 'fw-detect-sensitivity', 'Sensitivity', [['normal', 'Normal'], ['fewer', 'Fewer cuts (only clear changes)'], ['more', 'More cuts (subtle changes too)']]);
    const detectOutput = picker(doc, 'fw-detect-output', 'Put the cuts', [['markers', 'As markers on the sequence'], ['sequence', 'In a new sequence, cut at every scene']]);
    section('detect', 'Finds the scene changes in the clip selected in the timeline.',
      field(doc, 'fw-detect-sensitivity', 'Sensitivity', detectSensitivity),
      field(doc, 'fw-detect-output', 'Put the cuts', detectOutput),
      el(doc, 'div', { class: 'fw-actions' }, run('detect', 'Detect scenes')));

    const silencesRemove = picker(doc, 'fw-silences-remove', 'Take out', [['silence', 'The quiet parts'], ['non-speech', 'Everything where nobody speaks (music, noise too)']]);
    const silencesMargin = picker(doc, 'fw-silences-margin', 'Keep around speech', [['normal', '0.2 s (normal)'], ['tight', '0.1 s (tight)'], ['loose', '0.4 s (loose)']]);
    section('silences', 'Takes the dead air out of the clip selected in the timeline and opens a new sequence of what is kept, video and audio together.',
      field(doc, 'fw-silences-remove', 'Take out', silencesRemove),
      field(doc, 'fw-silences-margin', 'Keep around speech', silencesMargin),
      el(doc, 'div', { class: 'fw-actions' }, run('silences', 'Remove silences')));

    const imagePrompt = textfield(doc, 'fw-image-prompt', { placeholder: 'a red circle on a blue background' }, true);
    const imageSize = picker(doc, 'fw-image-size', 'Size', IMAGE_SIZES);
    const imageSeed = textfield(doc, 'fw-image-seed', { type: 'number', placeholder: 'random' });
    const imageModel = picker(doc, 'fw-image-model', 'Model', [['', 'Default model']]);
    const imagePlace = checkbox(doc, 'fw-image-place', 'Also place it in the sequence at the playhead', false);
    section('image', 'Draws a picture from a description and imports it into the Framewright bin.',
      field(doc, 'fw-image-prompt', 'Describe the picture', imagePrompt),
      el(doc, 'div', { class: 'fw-row' }, field(doc, 'fw-image-size', 'Size', imageSize), field(doc, 'fw-image-seed', 'Seed', imageSeed)),
      field(doc, 'fw-image-model', 'Model', imageModel),
      imagePlace,
      el(doc, 'div', { class: 'fw-actions' }, run('image', 'Generate image')));

    const videoLength = picker(doc, 'fw-video-length', 'Length', [['2', '2 seconds'], ['4', '4 seconds'], ['8', '8 seconds']]);
    const videoMotion = picker(doc, 'fw-video-motion', 'Camera motion', VIDEO_GEN_MOTIONS.map((m) => [m, MOTION_LABELS[m]] as const));
    const videoPlace = picker(doc, 'fw-video-place', 'Then', [['insert', 'Insert it at the playhead'], ['overwrite', 'Overwrite at the playhead'], ['bin', 'Only import it into the bin']]);
    section('video', 'Makes a video from the stills selected in the timeline: one still gets a camera motion, several are joined by smooth in-between frames.',
      field(doc, 'fw-video-length', 'Length (per still when several)', videoLength),
      field(doc, 'fw-video-motion', 'Camera motion (one still)', videoMotion),
      field(doc, 'fw-video-place', 'Then', videoPlace),
      el(doc, 'div', { class: 'fw-actions' }, run('video', 'Generate video')));

    const host = textfield(doc, 'fw-host', { placeholder: '127.0.0.1' });
    const port = textfield(doc, 'fw-port', { type: 'number' });
    const token = textfield(doc, 'fw-token', { type: 'password', placeholder: 'from the engine\'s token file' });
    const connect = button(doc, 'fw-connect', 'Connect', 'cta');
    section('settings', `The engine is \`framewright serve\` on this computer. Premiere Pro lets the panel reach ports ${SERVER_PORTS.join(', ')}; \`framewright doctor\` shows where the token file is.`,
      el(doc, 'div', { class: 'fw-row' }, field(doc, 'fw-host', 'Address', host), field(doc, 'fw-port', 'Port', port)),
      field(doc, 'fw-token', 'Token', token),
      el(doc, 'div', { class: 'fw-actions' }, connect));

    const status = sp(doc, 'sp-detail', { id: 'fw-status', 'data-state': 'disconnected' }, 'Not connected');
    const progress = sp(doc, 'sp-progressbar', { id: 'fw-progress', max: '100', value: '0', label: 'Progress', 'data-fraction': '0' });
    const progressText = sp(doc, 'sp-detail', { id: 'fw-progress-text' });
    const cancel = button(doc, 'fw-cancel', 'Cancel', 'secondary');
    setDisabled(cancel, true);
    const message = sp(doc, 'sp-body', { id: 'fw-message', 'data-kind': 'info', size: 'S' });
    const results = el(doc, 'ul', { id: 'fw-results' });
    appendAll(
      this.options.root,
      el(doc, 'header', { class: 'fw-header' }, sp(doc, 'sp-heading', { size: 'S' }, 'Framewright'), status),
      tabBar,
      ...views.values(),
      el(doc, 'section', { id: 'fw-job', class: 'fw-job' }, progress, el(doc, 'div', { class: 'fw-row' }, progressText, cancel), message),
      sp(doc, 'sp-divider', { size: 'S' }),
      sp(doc, 'sp-detail', {}, 'RESULTS'),
      results,
    );
    return {
      status, tabs, views, notes, runs, host, port, token, connect, detectSensitivity, detectOutput, silencesRemove, silencesMargin, imagePrompt, imageSize, imageSeed, imageModel, imagePlace,
      videoLength, videoMotion, videoPlace, progress, progressText, cancel, message, results,
    };
  }

  /** Shows a view. */
  select(name: PanelViewName): void {
    this.view = name;
    for (const [view, node] of this.w.views) node.style.display = view === name ? '' : 'none';
    for (const [view, tab] of this.w.tabs) {
      if (view === name) tab.setAttribute('selected', '');
      else tab.removeAttribute('selected');
    }
    this.updateButtons();
  }

  /** Connects (or reconnects) to the engine at the address in the settings. */
  async connect(): Promise<void> {
    const host = valueOf(this.w.host).trim() || '127.0.0.1';
    const portText = valueOf(this.w.port).trim();
    const port = Number(portText);
    const token = valueOf(this.w.token).trim();
    if (!/^[\w.-]+$/.test(host)) return this.fail(`The address must be a host name such as 127.0.0.1, not "${host}".`);
    if (!/^\d+$/.test(portText) || port < 1 || port > 65535) return this.fail(`The port must be a number such as ${SERVER_PORTS[0]}, not "${portText}".`);
    if (token === '') return this.fail('Paste the engine token first: `framewright doctor` shows where the token file is.');
    const url = `ws://${host}:${port}/v1/ws`;
    const previous = this.client;
    this.client = undefined;
    this.capabilities = undefined;
    await previous?.close();
    this.setStatus('connecting', `Connecting to ${host}:${port}…`);
    const WebSocket = this.options.WebSocket;
    const client = new FramewrightClient(() => new WebSocketTransport(url, { token, connectTimeoutMs: 5_000, ...(WebSocket === undefined ? {} : { WebSocket }) }), {
      clientInfo: { name: 'framewright-premiere-uxp', version: this.options.version ?? '0.0.0' },
      reconnect: { maxAttempts: 4 },
    });
    try {
      const hello = await client.connect();
      this.client = client;
      this.capabilities = hello.capabilities.operations;
      this.protocol = hello.version;
      client.onclose = () => {
        if (this.client !== client) return;
        this.client = undefined;
        this.capabilities = undefined;
        this.setStatus('disconnected', 'Disconnected: the engine closed the connection');
        this.updateButtons();
      };
      this.setStatus('connected', `Connected to ${hello.server.name} ${hello.server.version} (protocol ${hello.version})`);
      this.say('info', SERVER_PORTS.includes(port) ? '' : `Port ${port} is not one Premiere Pro lets the panel reach (${SERVER_PORTS.join(', ')}): start the engine with \`framewright serve --port ${SERVER_PORTS[0]}\`.`);
      const models = this.capabilities.find((c) => c.op === 'image-gen')?.models ?? [];
      setPickerItems(this.options.document, this.w.imageModel, [['', 'Default model'], ...models.map((m) => [m, m] as const)]);
      await this.options.settings.save({ url, token });
    } catch (error) {
      await client.close();
      const text = describeError(error, { port, ports: SERVER_PORTS });
      this.setStatus('error', text);
      this.say('error', text);
    }
    this.updateButtons();
  }

  private updateButtons(): void {
    for (const [view, run] of this.w.runs) {
      const op = VIEW_OPS[view];
      const cap = this.capabilities?.find((c) => c.op === op);
      setDisabled(run, this.running !== undefined || this.client === undefined || cap?.available !== true);
      const note = this.w.notes.get(view);
      if (note === undefined) continue;
      note.textContent =
        this.client === undefined ? 'Not connected: open Engine and connect to `framewright serve`.' : cap?.available === false ? `${VIEW_TITLES[view]} is not available on this engine: ${cap.reason ?? 'no reason given'}` : '';
    }
    setDisabled(this.w.cancel, this.running === undefined);
  }

  /** Runs the task of a view: checks the project, runs the job, puts the result in the project. */
  async job(view: Exclude<PanelViewName, 'settings'>): Promise<void> {
    const client = this.client;
    const run = this.w.runs.get(view);
    if (client === undefined || run === undefined || isDisabled(run)) return;
    let task: { op: OperationName; params: OperationParams<OperationName>; place: (result: OperationResult<OperationName>) => Promise<string> };
    try {
      // The project is checked before the job runs, so a refusal costs nothing and changes nothing.
      task = await this.prepare(view);
    } catch (error) {
      return this.fail(describeError(error));
    }
    const controller = makeAbortController();
    this.running = controller;
    this.updateButtons();
    this.showProgress({ stage: 'Queued', fraction: 0 });
    this.say('info', `${VIEW_TITLES[view]}…`);
    try {
      const result = await client.run(task.op, task.params, { signal: controller.signal, onProgress: (p) => this.showProgress(p) });
      this.showProgress({ stage: 'Finished', fraction: 1 });
      this.w.progressText.textContent = 'Finished';
      const summary = await task.place(result);
      this.addResult(view, summary, (result as { files: string[] }).files);
      this.say('ok', summary);
    } catch (error) {
      const cancelled = isFramewrightError(error) && error.code === 'CANCELLED';
      this.w.progressText.textContent = cancelled ? 'Cancelled' : 'Failed';
      this.say(cancelled ? 'info' : 'error', describeError(error));
    } finally {
      this.running = undefined;
      this.updateButtons();
    }
  }

  private async prepare(view: Exclude<PanelViewName, 'settings'>): Promise<{ op: OperationName; params: OperationParams<OperationName>; place: (result: OperationResult<OperationName>) => Promise<string> }> {
    const host = this.options.host;
    if (view === 'detect') {
      const clip = await host.selectedClip();
      const asSequence = valueOf(this.w.detectOutput) === 'sequence';
      const params: ClipCutParams = { input: clip.mediaPath, exports: asSequence ? ['json', 'fcp7'] : ['json'], ...SENSITIVITY[valueOf(this.w.detectSensitivity)] };
      return {
        op: 'clip-cut',
        params,
        place: async (result) => {
          const r = result as OperationResult<'clip-cut'>;
          const found = `${r.cuts.length} scene change${r.cuts.length === 1 ? '' : 's'} in ${clip.name}`;
          if (asSequence && r.outputs.fcp7 !== undefined) {
            await host.importCutList(r.outputs.fcp7);
            return `Found ${found}; imported a new sequence of ${r.clips.length} clips`;
          }
          const placed = await host.addCutMarkers(clip, r.cuts.map((c) => ({ seconds: c.seconds, timecode: c.timecode, score: c.score })));
          return placed.length === 0 ? `Found ${found}; none inside the clip's in and out points, so no marker was added` : `Found ${found}; added ${placed.length} marker${placed.length === 1 ? '' : 's'} to ${clip.sequence.name}`;
        },
      };
    }
    if (view === 'silences') {
      const clip = await host.selectedClip();
      const margin = MARGINS[valueOf(this.w.silencesMargin)] ?? 0.2;
      const params: ClipCutParams = {
        input: clip.mediaPath,
        remove: [valueOf(this.w.silencesRemove) === 'non-speech' ? 'non-speech' : 'silence'],
        removeOptions: { marginBeforeSeconds: margin, marginAfterSeconds: margin },
        exports: ['json', 'fcp7'],
      };
      return {
        op: 'clip-cut',
        params,
        place: async (result) => {
          const r = result as OperationResult<'clip-cut'>;
          if (r.outputs.fcp7 === undefined) throw new Error('The engine wrote no edited timeline: update framewright serve.');
          const sequence = await host.importEditedTimeline(r.outputs.fcp7);
          const kept = r.keptSeconds ?? r.durationSeconds;
          return `Opened "${sequence.name}": ${kept.toFixed(1)} s kept of ${r.durationSeconds.toFixed(1)} s of ${clip.name} (${(r.durationSeconds - kept).toFixed(1)} s taken out)`;
        },
      };
    }
    if (view === 'image') {
      const prompt = valueOf(this.w.imagePrompt).trim();
      if (prompt === '') throw new Error('Describe the picture first (for example "a red circle on a blue background").');
      const seedText = valueOf(this.w.imageSeed).trim();
      if (seedText !== '' && !/^\d+$/.test(seedText)) throw new Error(`The seed must be a whole number (or empty for a random one), not "${seedText}".`);
      const [width, height] = valueOf(this.w.imageSize).split('x').map(Number) as [number, number];
      const model = valueOf(this.w.imageModel);
      const place = this.w.imagePlace.checked === true;
      if (place) await host.activeSequence();
      else await host.project();
      const params: ImageGenParams = { prompt, width, height, ...(seedText === '' ? {} : { seed: Number(seedText) }), ...(model === '' ? {} : { model }) };
      return {
        op: 'image-gen',
        params,
        place: async (result) => {
          const r = result as OperationResult<'image-gen'>;
          const first = r.images[0];
          if (place && first !== undefined) {
            const { atSeconds } = await host.insertAtPlayhead(first.path, 'insert');
            await host.importFiles(r.images.slice(1).map((i) => i.path));
            return `Imported ${r.images.length} image${r.images.length === 1 ? '' : 's'} into the Framewright bin; placed at ${atSeconds.toFixed(2)} s${warnings(r.warnings)}`;
          }
          await host.importFiles(r.images.map((i) => i.path));
          return `Imported ${r.images.length} image${r.images.length === 1 ? '' : 's'} into the Framewright bin${warnings(r.warnings)}`;
        },
      };
    }
    const stills = await host.selectedMedia();
    const placement = valueOf(this.w.videoPlace);
    if (placement !== 'bin') await host.activeSequence();
    const seconds = Number(valueOf(this.w.videoLength)) || 2;
    const params: VideoGenParams =
      stills.length === 1
        ? { mode: 'image-to-video', image: stills[0] as string, motion: valueOf(this.w.videoMotion) as VideoGenParams['motion'], frames: seconds * VIDEO_FPS, fps: VIDEO_FPS }
        // `seconds` from one still to the next: the video's frame count (1.1), in-betweens per gap (1.0).
        : { mode: 'interpolate', keyframes: stills, frames: this.protocol === '1.0' ? seconds * VIDEO_FPS - 1 : (stills.length - 1) * seconds * VIDEO_FPS + 1, fps: VIDEO_FPS };
    return {
      op: 'video-gen',
      params,
      place: async (result) => {
        const r = result as OperationResult<'video-gen'>;
        const made = `Made a ${r.durationSeconds.toFixed(1)} s video from ${stills.length} still${stills.length === 1 ? '' : 's'}`;
        if (placement === 'insert' || placement === 'overwrite') {
          const { atSeconds } = await host.insertAtPlayhead(r.path, placement);
          return `${made}; ${placement === 'insert' ? 'inserted' : 'overwritten'} at ${atSeconds.toFixed(2)} s${warnings(r.warnings)}`;
        }
        await host.importFiles([r.path]);
        return `${made}; imported into the Framewright bin${warnings(r.warnings)}`;
      },
    };
  }

  /** Cancels the running job; it then ends with a "Cancelled" message. */
  cancel(): void {
    if (this.running === undefined) return;
    this.say('info', 'Cancelling…');
    this.running.abort();
  }

  private showProgress(p: { stage: string; fraction: number; etaSeconds?: number }): void {
    const pct = Math.round(Math.min(1, Math.max(0, p.fraction)) * 100);
    this.w.progress.setAttribute('value', String(pct));
    this.w.progress.setAttribute('data-fraction', String(p.fraction));
    this.w.progressText.textContent = `${p.stage} · ${pct}%${p.etaSeconds === undefined ? '' : ` · ${Math.ceil(p.etaSeconds)} s left`}`;
  }

  private addResult(view: PanelViewName, summary: string, files: readonly string[]): void {
    const doc = this.options.document;
    const list = el(doc, 'ul', { class: 'fw-files' }, ...files.map((file) => el(doc, 'li', { title: file }, file.split(/[\\/]/).pop() ?? file)));
    this.w.results.insertBefore(el(doc, 'li', { 'data-view': view }, sp(doc, 'sp-body', { size: 'S', class: 'fw-summary' }, summary), list), this.w.results.firstChild);
  }

  private setStatus(state: Status, text: string): void {
    this.w.status.setAttribute('data-state', state);
    this.w.status.textContent = text;
  }

  private say(kind: 'info' | 'ok' | 'error', text: string): void {
    this.w.message.setAttribute('data-kind', kind);
    this.w.message.textContent = text;
  }

  private fail(text: string): void {
    this.say('error', text);
  }
}

/** ` (note: …)` for an operation's warnings, or nothing. */
function warnings(list: readonly string[]): string {
  return list.length === 0 ? '' : ` (note: ${list.join('; ')})`;
}

