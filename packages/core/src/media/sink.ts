// The stream ffmpeg's stdout is piped into, read back as an async sequence of chunks.
//
// Why not a PassThrough: fluent-ffmpeg kills ffmpeg 20 ms after its output stream emits 'close',
// and a PassThrough closes as soon as it is read to the end, which under load can be before ffmpeg
// has exited: a finished decode would then be reported as a failure. This sink never emits
// 'close'; its owner stops ffmpeg itself when it stops reading early.
import { Writable } from 'node:stream';

/** A writable end for ffmpeg's stdout whose chunks are consumed with {@link ChunkSink.chunks}. */
export class ChunkSink extends Writable {
  private pending: Buffer | undefined;
  private release: (() => void) | undefined;
  private wake: (() => void) | undefined;
  private finished = false;

  /** @param bufferBytes - how much may wait in the sink before ffmpeg is held back */
  constructor(bufferBytes: number) {
    super({ emitClose: false, autoDestroy: false, highWaterMark: bufferBytes });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.pending = chunk;
    this.release = () => done();
    this.notify();
  }

  override _final(done: (error?: Error | null) => void): void {
    this.finished = true;
    this.notify();
    done();
  }

  /** Ends the sequence early (ffmpeg failed or was stopped): {@link ChunkSink.chunks} returns. */
  abandon(): void {
    this.finished = true;
    this.notify();
  }

  /** The chunks in order, one at a time: the next is accepted only once this one is taken. */
  async *chunks(): AsyncGenerator<Buffer> {
    for (;;) {
      const chunk = this.pending;
      if (chunk !== undefined) {
        const release = this.release;
        this.pending = undefined;
        this.release = undefined;
        // The chunk is a fresh buffer, so the next one may arrive while this one is processed.
        release?.();
        yield chunk;
        continue;
      }
      if (this.finished) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  /**
   * Hands each chunk to `onChunk` while ffmpeg runs, and settles once ffmpeg has exited (`done`)
   * and every chunk has been handed over. When `done` rejects, the sequence is abandoned (ffmpeg
   * may never end its output) and that error is thrown.
   */
  async consume(done: Promise<void>, onChunk: (chunk: Buffer) => void): Promise<void> {
    const reading = (async () => {
      for await (const chunk of this.chunks()) onChunk(chunk);
    })();
    try {
      await done;
    } catch (error) {
      this.abandon();
      await reading.catch(() => undefined);
      throw error;
    }
    await reading;
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
