import { FramewrightClient, WebSocketTransport, type WebSocketConstructor } from '@framewright/core/client';
import {
  findSchemaProblem,
  isFramewrightError,
  OPERATION_NAMES,
  OPERATIONS,
  type OperationCapability,
  type OperationName,
  type OperationParams,
  type OperationResult,
} from '@framewright/core/protocol';
import type { PremiereHost, SelectedClip } from '../host/premiere-host.js';
import { makeAbortController } from './abort.js';
import { renderForm, type RenderedForm } from './forms.js';
import { describeError } from './messages.js';
import type { SettingsStore } from './settings.js';
import { appendAll, buildView, checkbox, clear, el, picker, type PanelView } from './view.js';

/** What the panel needs from its surroundings; tests pass fakes. */
export interface PanelOptions {
  /** The panel's document. */
  document: Document;
  /** The element the panel renders into. */
  root: HTMLElement;
  /** Premiere Pro actions. */
  host: PremiereHost;
  /** Where the URL and token are kept. */
  settings: SettingsStore;
  /** WebSocket implementation (default: the global one). */
  WebSocket?: WebSocketConstructor;
  /** Version reported to the server in `hello`. */
  version?: string;
}

interface OpForm {
  container: HTMLElement;
  form: RenderedForm;
  options: HTMLElement;
  read(): { useSelection: boolean; addMarkers: boolean; importXml: boolean; removeSilences: boolean; placement: string };
}

type Status = 'disconnected' | 'connecting' | 'connected' | 'error';

/**
 * The Framewright panel: connects to `framewright serve`, shows what the server can do, runs
 * operations from forms generated from their param schemas with progress and cancel, and puts
 * results into the Premiere Pro project through {@link PremiereHost}.
 */
export class FramewrightPanel {
  private readonly view: PanelView;
  private readonly forms = new Map<OperationName, OpForm>();
  private client: FramewrightClient | undefined;
  private capabilities: OperationCapability[] | undefined;
  private op: OperationName = 'clip-cut';
  private running: { abort(): void } | undefined;

  private constructor(private readonly options: PanelOptions) {
    this.view = buildView(options.document, options.root);
    for (const op of OPERATION_NAMES) this.forms.set(op, this.buildForm(op));
    this.view.connect.addEventListener('click', () => void this.connect());
    this.view.run.addEventListener('click', () => void this.run());
    this.view.cancel.addEventListener('click', () => this.cancel());
    this.renderTabs();
    this.select(this.op);
  }

  /** Renders the panel and fills in the saved URL and token. */
  static async mount(options: PanelOptions): Promise<FramewrightPanel> {
    const panel = new FramewrightPanel(options);
    const saved = await options.settings.load();
    panel.view.url.value = saved.url;
    panel.view.token.value = saved.token;
    return panel;
  }

  /** Connects (or reconnects) to the server named in the form and negotiates the protocol. */
  async connect(): Promise<void> {
    const url = this.view.url.value.trim();
    const token = this.view.token.value.trim();
    if (!/^wss?:\/\/[^/]+/.test(url)) return this.fail(`Server URL must be a ws:// address such as ws://127.0.0.1:7878/v1/ws, not "${url}"`);
    if (token === '') return this.fail('Paste the server token first (framewright serve prints where its token file is).');
    const previous = this.client;
    this.client = undefined;
    this.capabilities = undefined;
    await previous?.close();
    this.setStatus('connecting', `Connecting to ${url}…`);
    const WebSocket = this.options.WebSocket;
    const client = new FramewrightClient(() => new WebSocketTransport(url, { token, connectTimeoutMs: 5_000, ...(WebSocket === undefined ? {} : { WebSocket }) }), {
      clientInfo: { name: 'framewright-premiere-uxp', version: this.options.version ?? '0.0.0' },
      reconnect: { maxAttempts: 4 },
    });
    try {
      const hello = await client.connect();
      this.client = client;
      this.capabilities = hello.capabilities.operations;
      client.onclose = () => {
        if (this.client !== client) return;
        this.client = undefined;
        this.capabilities = undefined;
        this.setStatus('disconnected', 'Disconnected: the server closed the connection');
        this.renderTabs();
        this.select(this.op);
      };
      this.setStatus('connected', `Connected to ${hello.server.name} ${hello.server.version} (protocol ${hello.version})`);
      this.say('info', '');
      await this.options.settings.save({ url, token });
    } catch (error) {
      await client.close();
      this.setStatus('error', describeError(error));
      this.say('error', describeError(error));
    }
    this.renderTabs();
    this.select(this.op);
  }

  private buildForm(op: OperationName): OpForm {
    const doc = this.options.document;
    const container = el(doc, 'div', { id: `fw-form-${op}`, class: 'fw-op-form' });
    container.appendChild(el(doc, 'p', { class: 'fw-note' }, OPERATIONS[op].summary));
    const form = renderForm(doc, container, OPERATIONS[op].params, `fw-${op}`);
    const options = el(doc, 'div', { class: 'fw-host' });
    const useSelection = checkbox(doc, 'fw-use-selection', 'Cut the clip selected in the timeline', true);
    const addMarkers = checkbox(doc, 'fw-add-markers', 'Add sequence markers at the cuts', true);
    const importXml = checkbox(doc, 'fw-import-xml', 'Import the cut list (FCP7 XML) as a new sequence', false);
    const removeSilences = checkbox(doc, 'fw-remove-silences', 'Remove silences: open a new sequence of what is kept', false);
    const importResults = checkbox(doc, `fw-import-${op}`, 'Import results into the Framewright bin', true);
    const placement = picker(doc, 'fw-placement', 'Place the video', [
      ['insert', 'Insert at the playhead'],
      ['overwrite', 'Overwrite at the playhead'],
      ['import', 'Import into the bin only'],
    ]);
    if (op === 'clip-cut') appendAll(options, useSelection.row, addMarkers.row, importXml.row, removeSilences.row);
    else if (op === 'video-gen') options.appendChild(placement.row);
    else options.appendChild(importResults.row);
    container.appendChild(options);
    this.view.form.appendChild(container);
    return {
      container,
      form,
      options,
      read: () => ({
        useSelection: useSelection.box.checked,
        addMarkers: addMarkers.box.checked,
        importXml: importXml.box.checked,
        removeSilences: removeSilences.box.checked,
        placement: op === 'video-gen' ? placement.select.value : importResults.box.checked ? 'import' : 'none',
      }),
    };
  }

  private renderTabs(): void {
    const doc = this.options.document;
    clear(this.view.tabs);
    appendAll(
      this.view.tabs,
      ...OPERATION_NAMES.map((op) => {
        const cap = this.capabilities?.find((c) => c.op === op);
        const tab = el(doc, 'button', { type: 'button', id: `fw-tab-${op}`, 'data-available': cap === undefined ? 'unknown' : String(cap.available) }, cap?.available === false ? `${op} (unavailable)` : op);
        tab.addEventListener('click', () => this.select(op));
        return tab;
      }),
    );
  }

  private select(op: OperationName): void {
    this.op = op;
    for (const [name, form] of this.forms) form.container.style.display = name === op ? '' : 'none';
    for (const tab of Array.from(this.view.tabs.childNodes) as HTMLElement[]) tab.setAttribute('class', tab.id === `fw-tab-${op}` ? 'fw-selected' : '');
    const cap = this.capabilities?.find((c) => c.op === op);
    const note = this.client === undefined ? 'Connect to a server to run operations.' : cap?.available === false ? `${op} is not available on this server: ${cap.reason ?? 'no reason given'}` : '';
    this.view.unavailable.textContent = note;
    this.view.unavailable.style.display = note === '' ? 'none' : '';
    this.updateButtons();
  }

  private updateButtons(): void {
    const cap = this.capabilities?.find((c) => c.op === this.op);
    this.view.run.disabled = this.running !== undefined || this.client === undefined || cap?.available !== true;
    this.view.cancel.disabled = this.running === undefined;
  }

  /** Runs the selected operation and places its result in the project. */
  async run(): Promise<void> {
    const client = this.client;
    const op = this.op;
    if (client === undefined) return this.fail('Not connected: connect to a server first.');
    const form = this.forms.get(op)!;
    const choices = form.read();
    let params: Record<string, unknown>;
    let clip: SelectedClip | undefined;
    try {
      params = form.form.read();
      // Check the project before the job runs, so a refusal costs nothing and changes nothing.
      if (op === 'clip-cut' && choices.useSelection) {
        // The markers go on the selected clip, so the job must cut that clip's media.
        clip = await this.options.host.selectedClip();
        params['input'] = clip.mediaPath;
        form.form.set('input', clip.mediaPath);
      }
      // Remove silences: clip-cut's remove (silence unless the form chose), its edited timeline as FCP7 XML.
      if (op === 'clip-cut' && choices.removeSilences) params['remove'] ??= ['silence'];
      if (op === 'clip-cut' && (choices.importXml || choices.removeSilences)) params['exports'] = [...new Set([...((params['exports'] as string[] | undefined) ?? ['json']), 'fcp7'])];
      if (op === 'video-gen' && choices.placement !== 'import') await this.options.host.activeSequence();
      else if (op !== 'clip-cut' && choices.placement !== 'none') await this.options.host.project();
    } catch (error) {
      return this.fail(describeError(error));
    }
    const problem = findSchemaProblem(OPERATIONS[op].params, params);
    if (problem !== undefined) return this.fail(`Invalid ${op} params: ${problem.pointer === '' ? '' : `${problem.pointer} `}${problem.message}`);

    const controller = makeAbortController();
    this.running = controller;
    this.updateButtons();
    this.showProgress({ stage: 'queued', fraction: 0 });
    this.say('info', `Running ${op}…`);
    try {
      const result = await this.runOp(client, op, params as OperationParams<typeof op>, controller.signal);
      this.view.progressFill.style.width = '100%';
      this.view.progressText.textContent = 'Finished';
      const summary = await this.place(op, result, clip, choices);
      this.addResult(op, summary, (result as { files: string[] }).files);
      this.say('ok', summary);
    } catch (error) {
      const cancelled = isFramewrightError(error) && error.code === 'CANCELLED';
      this.view.progressText.textContent = cancelled ? 'Cancelled' : 'Failed';
      this.say(cancelled ? 'info' : 'error', describeError(error));
    } finally {
      this.running = undefined;
      this.updateButtons();
    }
  }

  /** Cancels the running job; the run then ends with a "Cancelled" message. */
  cancel(): void {
    if (this.running === undefined) return;
    this.say('info', 'Cancelling…');
    this.running.abort();
  }

  private runOp<O extends OperationName>(client: FramewrightClient, op: O, params: OperationParams<O>, signal: AbortSignal): Promise<OperationResult<O>> {
    return client.run(op, params, { signal, onProgress: (p) => this.showProgress(p) });
  }

  private showProgress(p: { stage: string; fraction: number; etaSeconds?: number }): void {
    const pct = Math.round(p.fraction * 100);
    this.view.progressFill.style.width = `${pct}%`;
    this.view.progress.setAttribute('data-fraction', String(p.fraction));
    this.view.progressText.textContent = `${p.stage} · ${pct}%${p.etaSeconds === undefined ? '' : ` · ${Math.ceil(p.etaSeconds)} s left`}`;
  }

  /** Puts a finished job's output into the project as the form asked; returns a summary line. */
  private async place(op: OperationName, result: OperationResult<OperationName>, clip: SelectedClip | undefined, choices: ReturnType<OpForm['read']>): Promise<string> {
    const host = this.options.host;
    if (op === 'clip-cut') {
      const r = result as OperationResult<'clip-cut'>;
      const parts = [`clip-cut finished: ${r.clips.length} clips, ${r.cuts.length} cuts`];
      if (clip !== undefined && choices.addMarkers) {
        const placed = await host.addCutMarkers(clip, r.cuts.map((c) => ({ seconds: c.seconds, timecode: c.timecode, score: c.score })));
        parts.push(placed.length === 0 ? 'no cut inside the clip, no marker added' : `${placed.length} markers added to ${clip.sequence.name}`);
      }
      if (choices.removeSilences && r.outputs.fcp7 !== undefined) {
        const sequence = await host.importEditedTimeline(r.outputs.fcp7);
        parts.push(`new sequence "${sequence.name}": ${(r.keptSeconds ?? 0).toFixed(1)} s kept of ${r.durationSeconds.toFixed(1)} s`);
      } else if (choices.importXml && r.outputs.fcp7 !== undefined) {
        await host.importCutList(r.outputs.fcp7);
        parts.push('cut list imported');
      }
      return parts.join('; ');
    }
    if (op === 'image-gen') {
      const r = result as OperationResult<'image-gen'>;
      if (choices.placement === 'import') await host.importFiles(r.images.map((i) => i.path));
      return `image-gen finished: ${r.images.length} images${choices.placement === 'import' ? ' imported into the Framewright bin' : ''}`;
    }
    const r = result as OperationResult<'video-gen'>;
    if (choices.placement === 'insert' || choices.placement === 'overwrite') {
      const { atSeconds } = await host.insertAtPlayhead(r.path, choices.placement);
      return `video-gen finished: ${r.frames} frames, ${choices.placement === 'insert' ? 'inserted' : 'overwritten'} at ${atSeconds.toFixed(2)} s`;
    }
    await host.importFiles([r.path]);
    return `video-gen finished: ${r.frames} frames imported into the Framewright bin`;
  }

  private addResult(op: OperationName, summary: string, files: readonly string[]): void {
    const doc = this.options.document;
    const list = el(doc, 'ul', { class: 'fw-files' }, ...files.map((file) => el(doc, 'li', { title: file }, file.split(/[\\/]/).pop() ?? file)));
    this.view.results.insertBefore(el(doc, 'li', { 'data-op': op }, el(doc, 'div', { class: 'fw-summary' }, summary), list), this.view.results.firstChild);
  }

  private setStatus(state: Status, text: string): void {
    this.view.status.setAttribute('data-state', state);
    this.view.status.textContent = text;
  }

  private say(kind: 'info' | 'ok' | 'error', text: string): void {
    this.view.message.setAttribute('data-kind', kind);
    this.view.message.textContent = text;
  }

  private fail(text: string): void {
    this.say('error', text);
  }
}
