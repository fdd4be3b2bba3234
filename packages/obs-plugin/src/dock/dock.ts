// The Framewright dock: a page `framewright serve` serves at /dock/ and OBS shows as a Custom
// Browser Dock. It talks to the server through the universal SDK client.
import { FramewrightClient, WebSocketTransport } from '@framewright/core/client';
import { endpointFromLocation, finishedText, operationChoices, paramsFor, progressText, remember, resultEntry, type DockOperation, type ResultEntry } from './view-model.js';
import { ADAPTER_VERSION } from '../version.js';

const HISTORY_KEY = 'framewright.dock.results';

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`dock page lacks #${id}`);
  return found as T;
}

const status = element<HTMLDivElement>('status');
const opSelect = element<HTMLSelectElement>('op');
const prompt = element<HTMLTextAreaElement>('prompt');
const input = element<HTMLInputElement>('input');
const runButton = element<HTMLButtonElement>('run');
const cancelButton = element<HTMLButtonElement>('cancel');
const progressBar = element<HTMLProgressElement>('progress');
const progressLine = element<HTMLDivElement>('progress-text');
const resultsList = element<HTMLOListElement>('results');

function say(text: string, kind: 'info' | 'warning' | 'error' = 'info'): void {
  status.textContent = text;
  status.dataset['kind'] = kind;
}

function loadHistory(): ResultEntry[] {
  try {
    const saved: unknown = JSON.parse(localStorage.getItem(HISTORY_KEY) ?? '[]');
    return Array.isArray(saved) ? (saved as ResultEntry[]) : [];
  } catch {
    return [];
  }
}

function showHistory(entries: readonly ResultEntry[]): void {
  resultsList.replaceChildren(
    ...entries.map((entry) => {
      const item = document.createElement('li');
      item.textContent = `${entry.op}: ${entry.summary}`;
      for (const file of entry.files) {
        const line = document.createElement('small');
        line.textContent = file;
        item.append(line);
      }
      for (const warning of entry.warnings ?? []) {
        const line = document.createElement('small');
        line.className = 'warning';
        line.textContent = `⚠ ${warning}`;
        item.append(line);
      }
      return item;
    }),
  );
}

let history = loadHistory();
showHistory(history);
let running: AbortController | undefined;

async function start(): Promise<void> {
  let endpoint;
  try {
    endpoint = endpointFromLocation(location.href);
  } catch (error) {
    say((error as Error).message, 'error');
    return;
  }
  const client = new FramewrightClient(() => new WebSocketTransport(endpoint.wsUrl, { token: endpoint.token }), {
    clientInfo: { name: 'framewright-obs-dock', version: ADAPTER_VERSION },
  });
  client.onclose = () => say('disconnected from framewright serve: reload the dock once it runs again', 'error');
  try {
    await client.connect();
  } catch (error) {
    say(`cannot reach framewright serve: ${(error as Error).message}`, 'error');
    return;
  }
  const choices = operationChoices(client.capabilities);
  opSelect.replaceChildren(
    ...choices.map((choice) => {
      const option = document.createElement('option');
      option.value = choice.op;
      option.textContent = choice.available ? choice.op : `${choice.op} (unavailable)`;
      option.disabled = !choice.available;
      if (choice.reason) option.title = choice.reason;
      return option;
    }),
  );
  const first = choices.find((c) => c.available);
  if (first) opSelect.value = first.op;
  const unavailable = choices.filter((c) => !c.available).map((c) => `${c.op}: ${c.reason ?? 'unavailable'}`);
  say(`connected to ${client.serverInfo.name} ${client.serverInfo.version}${unavailable.length ? ` · ${unavailable.join(' · ')}` : ''}`);
  runButton.disabled = first === undefined;

  runButton.addEventListener('click', () => {
    const op = opSelect.value as DockOperation;
    let params;
    try {
      params = paramsFor(op, { prompt: prompt.value, input: input.value });
    } catch (error) {
      say((error as Error).message, 'error');
      return;
    }
    running = new AbortController();
    runButton.disabled = true;
    cancelButton.disabled = false;
    progressBar.hidden = false;
    progressBar.value = 0;
    progressLine.textContent = `${op} queued`;
    client
      .run(op, params as never, {
        signal: running.signal,
        onProgress: (p: { stage: string; fraction: number; etaSeconds?: number; message?: string }) => {
          progressBar.value = p.fraction;
          progressLine.textContent = progressText(p);
        },
      })
      .then((result: unknown) => {
        const entry = resultEntry(op, result, new Date());
        history = remember(history, entry);
        localStorage.setItem(HISTORY_KEY, JSON.stringify(history));
        showHistory(history);
        progressLine.textContent = `${op} done`;
        say(finishedText(op, entry.warnings ?? []), entry.warnings ? 'warning' : 'info');
      })
      .catch((error: unknown) => {
        progressLine.textContent = '';
        say(`${op} failed: ${(error as Error).message}`, 'error');
      })
      .finally(() => {
        running = undefined;
        runButton.disabled = false;
        cancelButton.disabled = true;
        progressBar.hidden = true;
      });
  });
  cancelButton.addEventListener('click', () => running?.abort());
}

void start();
