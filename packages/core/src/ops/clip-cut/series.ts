/** A growable Float32Array (amortised doubling): per-frame values of a video of unknown length. */
export class Series {
  private data = new Float32Array(4096);
  length = 0;

  push(value: number): void {
    if (this.length === this.data.length) {
      const grown = new Float32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = value;
  }

  /** The first `count` values (all of them by default) as a fixed array. */
  done(count = this.length): Float32Array {
    return this.data.slice(0, Math.min(count, this.length));
  }
}
