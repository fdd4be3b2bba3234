// The dock's logic without the DOM, so it is tested in Node: where to connect, which params a
// form makes, how progress and results read. Universal code: no Node built-ins.
import type { HelloResult, OperationName, OperationParams } from '@framewright/core/client';

/** Where the dock connects: the server that served it, with the token from the URL fragment. */
export interface DockEndpoint {
  /** WebSocket URL of the server (`ws://host:port/v1/ws`). */
  readonly wsUrl: string;
  /** Bearer token. */
  readonly token: string;
}

/**
 * Reads the endpoint from the dock's own URL: same host and port, `#token=…` in the fragment
 * (browsers never send fragments to servers, so the token does not land in any log).
 * @throws Error naming what is missing, for the dock to show
 */
export function endpointFromLocation(href: string): DockEndpoint {
  const url = new URL(href);
  const token = new URLSearchParams(url.hash.replace(/^#/, '')).get('token');
  if (!token) throw new Error('this dock URL has no #token=…: copy the Dock URL printed by `framewright obs setup`');
  const scheme = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return { wsUrl: `${scheme}//${url.host}/v1/ws`, token };
}

/** The operations the dock offers, in menu order. */
export const DOCK_OPERATIONS = ['image-gen', 'video-gen', 'clip-cut'] as const;
/** One of {@link DOCK_OPERATIONS}. */
export type DockOperation = (typeof DOCK_OPERATIONS)[number];

/** One menu entry: an operation and, when the server cannot run it, why. */
export interface OperationChoice {
  readonly op: DockOperation;
  readonly available: boolean;
  readonly reason?: string;
}

/** The menu from the server's capabilities (an operation the server does not list is unavailable). */
export function operationChoices(capabilities: HelloResult['capabilities']): OperationChoice[] {
  return DOCK_OPERATIONS.map((op) => {
    const cap = capabilities.operations.find((c) => c.op === op);
    if (!cap) return { op, available: false, reason: 'this server does not offer it' };
    return cap.available ? { op, available: true } : { op, available: false, reason: cap.reason ?? 'not available on this server' };
  });
}

/** What the dock's form holds. */
export interface DockForm {
  /** Prompt (image-gen, video-gen). */
  readonly prompt: string;
  /** Input video path (clip-cut) or still image (video-gen image-to-video). */
  readonly input: string;
}

/**
 * The params of a run from the form.
 * @throws Error naming the empty field
 */
export function paramsFor(op: DockOperation, form: DockForm): OperationParams<OperationName> {
  const prompt = form.prompt.trim();
  const input = form.input.trim();
  switch (op) {
    case 'image-gen':
      if (!prompt) throw new Error('write a prompt first');
      return { prompt };
    case 'video-gen':
      if (input) return { mode: 'image-to-video', image: input, ...(prompt ? { prompt } : {}) };
      if (!prompt) throw new Error('write a prompt (or give a still image) first');
      return { mode: 'text-to-video', prompt };
    case 'clip-cut':
      if (!input) throw new Error('give the path of the video to cut');
      return { input, exports: ['clips', 'edl', 'otio'], clipMode: 'smart' };
  }
}

/** One progress line, e.g. `analyse 42% · 3 s left`. */
export function progressText(progress: { stage: string; fraction: number; etaSeconds?: number; message?: string }): string {
  const percent = `${Math.round(Math.min(1, Math.max(0, progress.fraction)) * 100)}%`;
  const eta = progress.etaSeconds === undefined ? '' : ` · ${Math.ceil(progress.etaSeconds)} s left`;
  const message = progress.message ? ` · ${progress.message}` : '';
  return `${progress.stage} ${percent}${eta}${message}`;
}

/** A finished run as the dock lists it. */
export interface ResultEntry {
  readonly op: DockOperation;
  /** One line: what came out. */
  readonly summary: string;
  /** The files to show (paths on the machine running the server). */
  readonly files: readonly string[];
  /** When it finished (ISO time). */
  readonly at: string;
  /** What the operation warned about (e.g. prompt words the built-in model does not know). */
  readonly warnings?: readonly string[];
}

/** The warnings a result carries (`warnings: string[]` in every operation's result). */
export function warningsOf(result: unknown): string[] {
  const warnings = (result as { warnings?: unknown } | null)?.warnings;
  return Array.isArray(warnings) ? warnings.filter((w): w is string => typeof w === 'string') : [];
}

/** The status line for a finished run: `image-gen finished`, with its warnings when there are any. */
export function finishedText(op: DockOperation, warnings: readonly string[]): string {
  return warnings.length === 0 ? `${op} finished` : `${op} finished with ${warnings.length === 1 ? 'a warning' : `${warnings.length} warnings`}: ${warnings.join('; ')}`;
}

/** Summarises a result for the "last results" list. */
export function resultEntry(op: DockOperation, result: unknown, at: Date): ResultEntry {
  const warnings = warningsOf(result);
  return { ...summaryOf(op, result, at), ...(warnings.length > 0 ? { warnings } : {}) };
}

function summaryOf(op: DockOperation, result: unknown, at: Date): ResultEntry {
  const r = result as Record<string, unknown>;
  const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  switch (op) {
    case 'image-gen': {
      const images = Array.isArray(r['images']) ? (r['images'] as { path?: unknown }[]) : [];
      const files = images.map((i) => i.path).filter((p): p is string => typeof p === 'string');
      return { op, summary: `${files.length} image${files.length === 1 ? '' : 's'}`, files, at: at.toISOString() };
    }
    case 'video-gen': {
      const path = typeof r['path'] === 'string' ? r['path'] : undefined;
      return { op, summary: `video, ${Number(r['durationSeconds'] ?? 0).toFixed(1)} s`, files: path ? [path] : [], at: at.toISOString() };
    }
    case 'clip-cut': {
      const clips = Array.isArray(r['clips']) ? r['clips'].length : 0;
      const outputs = (r['outputs'] ?? {}) as Record<string, unknown>;
      return { op, summary: `${clips} clip${clips === 1 ? '' : 's'}`, files: [...strings(outputs['clips']), ...strings([outputs['edl'], outputs['otio']])], at: at.toISOString() };
    }
  }
}

/** Keeps the newest `limit` entries, newest first. */
export function remember(list: readonly ResultEntry[], entry: ResultEntry, limit = 10): ResultEntry[] {
  return [entry, ...list].slice(0, limit);
}
