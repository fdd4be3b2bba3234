import { EventEmitter } from 'node:events';
import {
  EventSubscription,
  OBSWebSocket,
  OBSWebSocketError,
  type OBSEventTypes,
  type OBSRequestTypes,
  type OBSResponseTypes,
} from 'obs-websocket-js/json';
import { ObsAdapterError } from './errors.js';

/** Where obs-websocket listens by default (OBS 28+). */
export const DEFAULT_OBS_URL = 'ws://127.0.0.1:4455';
/** The oldest OBS with obs-websocket v5 built in. */
export const MIN_OBS_MAJOR = 28;
/** The obs-websocket RPC version this adapter speaks. */
export const OBS_RPC_VERSION = 1;

/** obs-websocket's WebSocket close codes this adapter explains. */
const CLOSE_AUTHENTICATION_FAILED = 4009;
const CLOSE_UNSUPPORTED_RPC_VERSION = 4010;

/** What OBS said about itself when the connection was made. */
export interface ObsInfo {
  /** OBS Studio version, e.g. `29.0.2`. */
  readonly obsVersion: string;
  /** obs-websocket version, e.g. `5.1.0`. */
  readonly obsWebSocketVersion: string;
  /** Negotiated RPC version (always {@link OBS_RPC_VERSION}). */
  readonly rpcVersion: number;
  /** OBS's platform description. */
  readonly platform: string;
}

/** How to reach OBS. */
export interface ObsConnectionOptions {
  /** obs-websocket URL (default {@link DEFAULT_OBS_URL}). */
  readonly url?: string;
  /** Server password, when OBS requires authentication. */
  readonly password?: string | undefined;
  /** Reconnect after OBS quits or restarts (default true). */
  readonly reconnect?: boolean;
  /** First delay between reconnect attempts (default 500 ms); it doubles up to `maxReconnectDelayMs`. */
  readonly reconnectDelayMs?: number;
  /** Longest delay between reconnect attempts (default 5000 ms). */
  readonly maxReconnectDelayMs?: number;
  /** How long one connection attempt may take (default 10 000 ms). */
  readonly connectTimeoutMs?: number;
  /** Receives one line per connection event (lost, reconnected). */
  readonly log?: (line: string) => void;
}

type State = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'closed';

/** The major version of an OBS version string such as `29.0.2` or `30.1.0-beta1`. */
export function obsMajorVersion(version: string): number {
  const major = Number.parseInt(version, 10);
  return Number.isFinite(major) ? major : 0;
}

function describeClose(error: unknown): string {
  if (error instanceof OBSWebSocketError) return error.message ? `${error.message} (code ${error.code})` : `code ${error.code}`;
  return error instanceof Error ? error.message : String(error);
}

/**
 * One connection to OBS through obs-websocket v5, on top of obs-websocket-js. On top of the
 * library it checks the OBS and RPC versions, explains failures in one line, rejects calls
 * that were in flight when OBS went away (the library leaves them pending forever), and
 * reconnects when OBS comes back. Event listeners survive reconnects.
 *
 * @example
 * ```ts
 * const obs = new ObsConnection({ url: 'ws://127.0.0.1:4455', password: 'secret' });
 * const info = await obs.connect();
 * const { scenes } = await obs.call('GetSceneList');
 * obs.on('RecordStateChanged', (e) => console.log(e.outputState));
 * ```
 */
export class ObsConnection {
  readonly #obs = new OBSWebSocket();
  readonly #options: ObsConnectionOptions;
  readonly #lifecycle = new EventEmitter();
  readonly #pending = new Set<(error: Error) => void>();
  #state: State = 'idle';
  #info: ObsInfo | undefined;
  #fatal: ObsAdapterError | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #wakeRetry: (() => void) | undefined;

  /**
   * Makes a connection; nothing happens until {@link ObsConnection.connect}.
   * @param options - URL, password and reconnect policy
   */
  constructor(options: ObsConnectionOptions = {}) {
    this.#options = options;
    this.#obs.on('ConnectionClosed', (error) => this.#onClosed(error));
  }

  /** The obs-websocket URL. */
  get url(): string {
    return this.#options.url ?? DEFAULT_OBS_URL;
  }

  /** True while identified with OBS. */
  get connected(): boolean {
    return this.#state === 'connected';
  }

  /** What OBS reported at the last successful connection. */
  get info(): ObsInfo | undefined {
    return this.#info;
  }

  /**
   * Connects and checks that OBS is 28 or newer and speaks RPC version 1.
   * @throws ObsAdapterError `OBS_NOT_RUNNING`, `OBS_AUTH_FAILED`, `OBS_PASSWORD_REQUIRED`,
   *   `OBS_TOO_OLD` or `OBS_PROTOCOL_UNSUPPORTED`
   */
  async connect(): Promise<ObsInfo> {
    if (this.#state === 'connected' && this.#info) return this.#info;
    this.#state = 'connecting';
    try {
      const info = await this.#open();
      this.#markConnected(false);
      return info;
    } catch (error) {
      this.#state = 'idle';
      throw error;
    }
  }

  /** Listens to an OBS event; the listener stays across reconnects. Returns a function that removes it. */
  on<E extends keyof OBSEventTypes>(event: E, listener: (data: OBSEventTypes[E]) => void): () => void {
    const untyped = listener as (...args: unknown[]) => void;
    this.#obs.on(event, untyped as never);
    return () => void this.#obs.off(event, untyped as never);
  }

  /** Called with `true` after each reconnect (and `false` after the first connect). */
  onConnected(listener: (reconnected: boolean) => void): () => void {
    this.#lifecycle.on('connected', listener);
    return () => void this.#lifecycle.off('connected', listener);
  }

  /** Called with the reason when the connection to OBS is lost. */
  onDisconnected(listener: (reason: string) => void): () => void {
    this.#lifecycle.on('disconnected', listener);
    return () => void this.#lifecycle.off('disconnected', listener);
  }

  /** Called once when the connection ends for good: {@link close}, or reconnecting gave up (e.g. the password changed). */
  onEnded(listener: (reason: Error) => void): () => void {
    this.#lifecycle.on('ended', listener);
    return () => void this.#lifecycle.off('ended', listener);
  }

  /**
   * Sends a request to OBS.
   * @throws ObsAdapterError `OBS_DISCONNECTED` when not connected or OBS goes away before it
   *   answers; `OBS_REQUEST_FAILED` (with `obsStatus`) when OBS refuses the request
   */
  call<T extends keyof OBSRequestTypes>(type: T, data?: OBSRequestTypes[T]): Promise<OBSResponseTypes[T]> {
    if (this.#state !== 'connected') {
      return Promise.reject(new ObsAdapterError('OBS_DISCONNECTED', `not connected to OBS at ${this.url}: cannot send ${type}`));
    }
    return this.#send(type, data);
  }

  /**
   * Resolves once connected (at once when already connected); waits through reconnects.
   * @throws the error that ended reconnecting (e.g. the password was changed), or `OBS_DISCONNECTED` after {@link close}
   */
  whenConnected(signal?: AbortSignal): Promise<void> {
    if (this.#state === 'connected') return Promise.resolve();
    if (this.#fatal) return Promise.reject(this.#fatal);
    if (this.#state === 'closed') return Promise.reject(new ObsAdapterError('OBS_DISCONNECTED', 'the OBS connection was closed'));
    if (this.#state === 'idle') return Promise.reject(new ObsAdapterError('OBS_DISCONNECTED', `not connected to OBS at ${this.url}: call connect() first`));
    return new Promise((resolve, reject) => {
      const cleanup = (): void => {
        this.#lifecycle.off('connected', onConnected);
        this.#lifecycle.off('ended', onEnded);
        signal?.removeEventListener('abort', onAbort);
      };
      const onConnected = (): void => {
        cleanup();
        resolve();
      };
      const onEnded = (error: Error): void => {
        cleanup();
        reject(error);
      };
      const onAbort = (): void => {
        cleanup();
        reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
      };
      this.#lifecycle.on('connected', onConnected);
      this.#lifecycle.on('ended', onEnded);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Disconnects and stops reconnecting. */
  async close(): Promise<void> {
    const wasActive = this.#state !== 'closed';
    this.#state = 'closed';
    clearTimeout(this.#retryTimer);
    this.#wakeRetry?.();
    if (wasActive) this.#lifecycle.emit('ended', new ObsAdapterError('OBS_DISCONNECTED', 'the OBS connection was closed'));
    await this.#obs.disconnect();
  }

  #send<T extends keyof OBSRequestTypes>(type: T, data?: OBSRequestTypes[T]): Promise<OBSResponseTypes[T]> {
    return new Promise((resolve, reject) => {
      this.#pending.add(reject);
      this.#obs
        .call(type, data)
        .then(resolve, (error: unknown) => {
          if (error instanceof OBSWebSocketError) {
            const comment = error.message ? `: ${error.message}` : '';
            reject(new ObsAdapterError('OBS_REQUEST_FAILED', `OBS refused ${type} (status ${error.code})${comment}`, { cause: error, obsStatus: error.code }));
          } else {
            reject(new ObsAdapterError('OBS_DISCONNECTED', `could not send ${type} to OBS: ${describeClose(error)}`, { cause: error }));
          }
        })
        .finally(() => this.#pending.delete(reject));
    });
  }

  async #open(): Promise<ObsInfo> {
    let authRequested = false;
    const onHello = (hello: { authentication?: unknown }): void => {
      authRequested = hello.authentication !== undefined;
    };
    this.#obs.once('Hello', onHello as never);
    const timeoutMs = this.#options.connectTimeoutMs ?? 10_000;
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new ObsAdapterError('OBS_NOT_RUNNING', `no answer from obs-websocket at ${this.url} within ${timeoutMs} ms: is it OBS?`)),
          timeoutMs,
        );
      });
      await Promise.race([this.#obs.connect(this.url, this.#options.password, { eventSubscriptions: EventSubscription.All }), timeout]);
    } catch (error) {
      if (error instanceof ObsAdapterError) void this.#obs.disconnect();
      throw this.#explainConnectFailure(error, authRequested);
    } finally {
      clearTimeout(timer);
      this.#obs.off('Hello', onHello as never);
    }
    const version = await this.#send('GetVersion');
    const info: ObsInfo = {
      obsVersion: String(version.obsVersion),
      obsWebSocketVersion: String(version.obsWebSocketVersion),
      rpcVersion: Number(version.rpcVersion),
      platform: String(version.platformDescription ?? version.platform ?? ''),
    };
    if (obsMajorVersion(info.obsVersion) < MIN_OBS_MAJOR) {
      await this.#obs.disconnect();
      throw new ObsAdapterError('OBS_TOO_OLD', `OBS ${info.obsVersion} at ${this.url} is too old: Framewright needs OBS ${MIN_OBS_MAJOR} or newer`);
    }
    if (info.rpcVersion !== OBS_RPC_VERSION) {
      await this.#obs.disconnect();
      throw new ObsAdapterError(
        'OBS_PROTOCOL_UNSUPPORTED',
        `obs-websocket ${info.obsWebSocketVersion} speaks RPC version ${info.rpcVersion}; Framewright speaks ${OBS_RPC_VERSION}`,
      );
    }
    this.#info = info;
    return info;
  }

  #explainConnectFailure(error: unknown, authRequested: boolean): ObsAdapterError {
    if (error instanceof ObsAdapterError) return error;
    const code = error instanceof OBSWebSocketError ? error.code : undefined;
    const message = error instanceof Error ? error.message : String(error);
    if (code === CLOSE_AUTHENTICATION_FAILED) {
      return authRequested && !this.#options.password
        ? new ObsAdapterError('OBS_PASSWORD_REQUIRED', `OBS at ${this.url} requires a password: pass --password or set FRAMEWRIGHT_OBS_PASSWORD (see Tools > WebSocket Server Settings)`)
        : new ObsAdapterError('OBS_AUTH_FAILED', `OBS at ${this.url} refused the password (close code 4009): check it in Tools > WebSocket Server Settings`);
    }
    if (code === CLOSE_UNSUPPORTED_RPC_VERSION) {
      return new ObsAdapterError('OBS_PROTOCOL_UNSUPPORTED', `obs-websocket at ${this.url} does not support RPC version ${OBS_RPC_VERSION}`);
    }
    if (/subprotocol/i.test(message)) {
      return new ObsAdapterError(
        'OBS_TOO_OLD',
        `the server at ${this.url} does not speak obs-websocket v5: Framewright needs OBS ${MIN_OBS_MAJOR} or newer (obs-websocket 4.x is not supported)`,
      );
    }
    return new ObsAdapterError(
      'OBS_NOT_RUNNING',
      `cannot reach OBS at ${this.url} (${message || 'connection closed'}): is OBS running with Tools > WebSocket Server Settings > Enable WebSocket server?`,
      { cause: error },
    );
  }

  #markConnected(reconnected: boolean): void {
    this.#state = 'connected';
    this.#fatal = undefined;
    this.#lifecycle.emit('connected', reconnected);
  }

  #onClosed(error: unknown): void {
    const lost = new ObsAdapterError('OBS_DISCONNECTED', `OBS closed the connection (${describeClose(error)})`);
    for (const reject of this.#pending) reject(lost);
    this.#pending.clear();
    if (this.#state !== 'connected') return;
    this.#options.log?.(`lost the connection to OBS at ${this.url} (${describeClose(error)})`);
    this.#lifecycle.emit('disconnected', describeClose(error));
    if (this.#options.reconnect === false) {
      this.#state = 'closed';
      this.#lifecycle.emit('ended', lost);
      return;
    }
    this.#state = 'reconnecting';
    void this.#reconnect();
  }

  async #reconnect(): Promise<void> {
    let delay = this.#options.reconnectDelayMs ?? 500;
    const maxDelay = this.#options.maxReconnectDelayMs ?? 5000;
    while (this.#state === 'reconnecting') {
      await new Promise<void>((resolve) => {
        this.#wakeRetry = resolve;
        this.#retryTimer = setTimeout(resolve, delay);
      });
      if (this.#state !== 'reconnecting') return;
      try {
        await this.#open();
        if (this.#state !== 'reconnecting') {
          await this.#obs.disconnect();
          return;
        }
        this.#options.log?.(`reconnected to OBS ${this.#info?.obsVersion ?? ''} at ${this.url}`);
        this.#markConnected(true);
        return;
      } catch (error) {
        const explained = error instanceof ObsAdapterError ? error : this.#explainConnectFailure(error, false);
        if (explained.code !== 'OBS_NOT_RUNNING' && explained.code !== 'OBS_DISCONNECTED') {
          // A wrong password or an old OBS will not fix itself: stop and tell whoever waits.
          this.#options.log?.(`stopped reconnecting: ${explained.message}`);
          this.#state = 'closed';
          this.#fatal = explained;
          this.#lifecycle.emit('ended', explained);
          return;
        }
        delay = Math.min(delay * 2, maxDelay);
      }
    }
  }
}
