// The one owner of what this process keeps loaded: ONNX sessions and the models built on them.
// Every cache is a ModelCache, and each registers here when made, so one reset empties them all
// at once: a model cache can never hand out a model whose session was released.

const caches = new Set<ModelCache<unknown>>();

/**
 * Values loaded once per key and kept for reuse (ONNX sessions, models built on them). A load
 * that fails is not kept, so the next call tries again. {@link releaseModelCaches} empties every
 * cache and releases what they held.
 * @internal
 */
export class ModelCache<V> {
  readonly #entries = new Map<string, Promise<V>>();

  /**
   * @param release - frees a value that leaves the cache (a session's native memory); values
   *   that only hold something another cache owns need none
   */
  constructor(private readonly release?: (value: V) => Promise<void>) {
    caches.add(this as ModelCache<unknown>);
  }

  /** The value for `key`, loaded by `load` on first use (concurrent callers share one load). */
  get(key: string, load: () => Promise<V>): Promise<V> {
    let value = this.#entries.get(key);
    if (value === undefined) {
      const loading = load();
      value = loading;
      this.#entries.set(key, loading);
      loading.catch(() => {
        if (this.#entries.get(key) === loading) this.#entries.delete(key);
      });
    }
    return value;
  }

  /** Keys held now, loaded or loading. */
  keys(): string[] {
    return [...this.#entries.keys()];
  }

  /** Number of values held, loaded or loading. */
  get size(): number {
    return this.#entries.size;
  }

  /** Removes `key` and releases its value once loaded (in the background: nothing can get it any more). */
  evict(key: string): void {
    const value = this.#entries.get(key);
    if (value === undefined) return;
    this.#entries.delete(key);
    void this.#released([value]);
  }

  /** Empties the cache at once; the returned promise settles when every value is released. */
  drain(): Promise<void> {
    const values = [...this.#entries.values()];
    this.#entries.clear();
    return this.#released(values);
  }

  async #released(values: readonly Promise<V>[]): Promise<void> {
    const { release } = this;
    if (release === undefined) return;
    for (const loaded of await Promise.allSettled(values)) if (loaded.status === 'fulfilled') await release(loaded.value);
  }
}

/**
 * Empties every model and session cache of this process and releases what they held; the next
 * use loads again. Every cache is emptied before anything is released, so no cache hands out a
 * model whose session is gone. Call it when no run is using a model.
 */
export async function releaseModelCaches(): Promise<void> {
  await Promise.all([...caches].map((cache) => cache.drain()));
}
