type Listener = () => void;

/**
 * The AbortController the panel cancels jobs with: the platform's where it exists, else a small
 * stand-in with the part of the AbortSignal API the SDK client uses (older UXP builds lack it).
 */
export function makeAbortController(): { signal: AbortSignal; abort(): void } {
  if (typeof globalThis.AbortController === 'function') return new globalThis.AbortController();
  const listeners = new Set<Listener>();
  const signal = {
    aborted: false,
    reason: undefined as unknown,
    onabort: null as Listener | null,
    addEventListener: (_type: 'abort', listener: Listener) => listeners.add(listener),
    removeEventListener: (_type: 'abort', listener: Listener) => listeners.delete(listener),
    throwIfAborted() {
      if (signal.aborted) throw new Error('aborted');
    },
  };
  return {
    signal: signal as unknown as AbortSignal,
    abort() {
      if (signal.aborted) return;
      signal.aborted = true;
      signal.reason = new Error('aborted');
      signal.onabort?.();
      for (const listener of [...listeners]) listener();
    },
  };
}
