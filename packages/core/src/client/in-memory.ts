import { SdkError } from './errors.js';
import type { JsonRpcMessage, Transport } from './transport.js';

/**
 * A transport whose peer is another `InMemoryTransport` in the same process: the standard test
 * fake for the client and for scripted servers. Messages are copied through JSON, as on a real
 * wire, and delivered asynchronously.
 *
 * @example
 * ```ts
 * const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
 * serverSide.onmessage = (m) => {
 *   // answer as a server would
 * };
 * const client = new FramewrightClient(() => clientSide);
 * ```
 */
export class InMemoryTransport implements Transport {
  private peer: InMemoryTransport | undefined;
  private open = false;
  private closed = false;
  private readonly inbox: unknown[] = [];

  /** {@inheritDoc Transport.onmessage} */
  onmessage?: (message: unknown) => void;
  /** {@inheritDoc Transport.onerror} */
  onerror?: (error: Error) => void;
  /** {@inheritDoc Transport.onclose} */
  onclose?: () => void;

  /** Two transports linked to each other. */
  static createLinkedPair(): [InMemoryTransport, InMemoryTransport] {
    const a = new InMemoryTransport();
    const b = new InMemoryTransport();
    a.peer = b;
    b.peer = a;
    return [a, b];
  }

  /** {@inheritDoc Transport.start} */
  start(): Promise<void> {
    if (this.closed) return Promise.reject(new SdkError('CONNECTION_FAILED', 'in-memory transport is closed'));
    this.open = true;
    // Messages that arrived before start() are delivered now, in order.
    for (const message of this.inbox.splice(0)) this.deliver(message);
    return Promise.resolve();
  }

  /** {@inheritDoc Transport.send} */
  send(message: JsonRpcMessage): Promise<void> {
    return this.sendRaw(JSON.stringify(message));
  }

  /**
   * Sends arbitrary text as one frame, so tests can feed the peer malformed input.
   * The peer receives it parsed when it is JSON, or reports a parse error otherwise.
   */
  sendRaw(text: string): Promise<void> {
    const peer = this.peer;
    if (this.closed || peer === undefined || peer.closed) {
      return Promise.reject(new SdkError('CONNECTION_CLOSED', 'in-memory transport is closed'));
    }
    queueMicrotask(() => peer.receive(text));
    return Promise.resolve();
  }

  /** {@inheritDoc Transport.close} */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    this.open = false;
    const peer = this.peer;
    queueMicrotask(() => {
      this.onclose?.();
      if (peer !== undefined && !peer.closed) void peer.close();
    });
    return Promise.resolve();
  }

  private receive(text: string): void {
    if (this.closed) return;
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      this.onerror?.(new SdkError('PROTOCOL_ERROR', `received a frame that is not JSON: ${text.slice(0, 80)}`));
      return;
    }
    if (this.open) this.deliver(message);
    else this.inbox.push(message);
  }

  private deliver(message: unknown): void {
    this.onmessage?.(message);
  }
}
