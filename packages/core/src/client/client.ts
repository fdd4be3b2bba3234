import {
  FramewrightError,
  PROTOCOL_VERSIONS,
  type HelloResult,
  type MethodName,
  type Job,
  type ModelsPullParams,
  type ModelsPullResult,
  type OperationName,
  type OperationParams,
  type OperationProgress,
  type OperationResult,
} from '../protocol/index.js';
import { SdkError } from './errors.js';
import { JobWatcher } from './job-watcher.js';
import { RpcSession, type MethodParams, type MethodResult, type ValidNotification } from './session.js';
import type { Transport } from './transport.js';

/** How the client reconnects after the connection drops. */
export interface ReconnectOptions {
  /** Attempts before giving up (default 6). */
  maxAttempts?: number;
  /** Delay before the first attempt in ms; it doubles after each failure (default 250). */
  initialDelayMs?: number;
  /** Upper bound of the delay in ms (default 5 000). */
  maxDelayMs?: number;
}

/** Name and version a client reports in `hello` (the server may log it). */
export interface ClientInfo {
  /** Name of the host integration, e.g. `my-resolve-script`. */
  name: string;
  /** Its version. */
  version: string;
}

/** A job known to run operation `O`. */
export type JobOf<O extends OperationName> = Job & {
  /** The operation the job runs. */
  op: O;
};

/** Options of {@link FramewrightClient}. */
export interface FramewrightClientOptions {
  /** Name and version this client reports in `hello`. */
  clientInfo?: ClientInfo;
  /** Protocol versions to offer, newest first (default: every version this build speaks). */
  versions?: readonly string[];
  /** Time limit of each request in ms (default 30 000). Runs are not limited unless asked. */
  requestTimeoutMs?: number;
  /** Reconnect with exponential backoff after the connection drops (default on); `false` turns it off. */
  reconnect?: ReconnectOptions | false;
  /** After a reconnect, how often in ms jobs in flight are polled in case notifications were missed (default 1 000). */
  pollIntervalMs?: number;
}

/** Options of {@link FramewrightClient.run}. */
export interface RunOptions<O extends OperationName> {
  /** Receives each validated progress event of the job. */
  onProgress?: (progress: OperationProgress<O>) => void;
  /** Aborting cancels the job on the server; the run then rejects with `CANCELLED`. */
  signal?: AbortSignal;
  /** Cancels the job and rejects with `SdkError` `TIMEOUT` after this many ms. */
  timeoutMs?: number;
}

/** Options of {@link FramewrightClient.pullModel}: the `models-pull` params besides `repo`, and the run's. */
export type PullModelOptions = Omit<ModelsPullParams, 'repo'> & RunOptions<'models-pull'>;

type State = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'closed';

/** Most jobs, and most notifications per job, kept while nobody waits for them. */
const MAX_UNCLAIMED = 100;

function deliver(watcher: JobWatcher, notification: ValidNotification): void {
  if (notification.method === 'job.progress') watcher.progress(notification.params.progress);
  else watcher.update(notification.params);
}

/**
 * The Framewright SDK client: talks to `framewright serve` (or any transport) over the versioned
 * protocol. Every message that arrives is validated against the protocol schemas. Server errors
 * reject as `FramewrightError` (wire codes such as `INPUT_NOT_FOUND`); failures of the client
 * itself reject as {@link SdkError}.
 *
 * @example
 * ```ts
 * import { FramewrightClient, WebSocketTransport } from '@framewright/core/client';
 *
 * const client = new FramewrightClient(() => new WebSocketTransport('ws://127.0.0.1:7878/v1/ws', { token }));
 * await client.connect();
 * const result = await client.run('clip-cut', { input: '/videos/talk.mp4', exports: ['edl'] }, {
 *   onProgress: (p) => console.log(p.stage, Math.round(p.fraction * 100) + '%'),
 * });
 * console.log(result.clips.length, 'clips');
 * await client.close();
 * ```
 */
export class FramewrightClient {
  private state: State = 'idle';
  private session: RpcSession | undefined;
  private hello: HelloResult | undefined;
  private reconnecting: Promise<void> | undefined;
  private readonly watchers = new Map<string, JobWatcher>();
  /**
   * Notifications for jobs nobody waits for yet: a job's progress and even its final state can
   * arrive before the `job.submit` answer has been handed to `run`. Replayed when it waits.
   */
  private readonly unclaimed = new Map<string, ValidNotification[]>();
  private readonly versions: readonly string[];

  /** Receives problems that do not belong to a call: invalid notifications, throwing callbacks. */
  onerror?: (error: Error) => void;
  /** Called after the connection was restored and `hello` negotiated again. */
  onreconnect?: (hello: HelloResult) => void;
  /** Called once when the client is closed for good (by `close()` or after reconnecting failed). */
  onclose?: () => void;

  /**
   * Creates an idle client; {@link FramewrightClient.connect} opens the connection.
   * @param transportFactory - makes a fresh transport for each connection attempt
   * @param options - timeouts, reconnect policy, versions to offer
   */
  constructor(
    private readonly transportFactory: () => Transport,
    private readonly options: FramewrightClientOptions = {},
  ) {
    this.versions = options.versions ?? PROTOCOL_VERSIONS;
  }

  /** The negotiated protocol version. */
  get protocolVersion(): string {
    return this.connected().version;
  }

  /** Name and version of the server. */
  get serverInfo(): HelloResult['server'] {
    return this.connected().server;
  }

  /** What the server can do: each operation, whether it is available and why not. */
  get capabilities(): HelloResult['capabilities'] {
    return this.connected().capabilities;
  }

  /** True while a connection is open and negotiated. */
  get isConnected(): boolean {
    return this.state === 'connected';
  }

  /**
   * Opens the connection and negotiates the protocol version (offering newest first).
   * @returns the server's `hello` answer
   * @throws SdkError `CONNECTION_FAILED` / `CONNECTION_REJECTED` / `UNSUPPORTED_VERSION`, or
   *   FramewrightError `UNSUPPORTED_VERSION` when the server speaks none of the offered versions
   */
  async connect(): Promise<HelloResult> {
    if (this.state === 'closed') throw new SdkError('NOT_CONNECTED', 'this client was closed; make a new one');
    if (this.state !== 'idle') throw new SdkError('ALREADY_CONNECTED', 'connect() was already called');
    this.state = 'connecting';
    try {
      const hello = await this.open();
      if (this.state !== 'connecting') {
        await this.session?.close();
        this.session = undefined;
        throw new SdkError('NOT_CONNECTED', 'close() was called while connecting');
      }
      this.state = 'connected';
      return hello;
    } catch (error) {
      if (this.state === 'connecting') this.state = 'idle';
      throw error;
    }
  }

  /** Closes the connection. Runs still waiting reject with `CONNECTION_CLOSED`. */
  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.failWatchers(new SdkError('CONNECTION_CLOSED', 'the client was closed'));
    await this.session?.close();
    this.session = undefined;
    this.onclose?.();
  }

  /**
   * Runs an operation on the server and resolves with its validated result.
   * @param op - operation name; `params` and the result are typed by it
   * @param params - the operation's params (validated by the server)
   * @param options - progress callback, AbortSignal (cancels the job), time limit
   * @throws FramewrightError from the server (`INVALID_PARAMS`, `INPUT_NOT_FOUND`, `CANCELLED`, …)
   */
  async run<O extends OperationName>(op: O, params: OperationParams<O>, options: RunOptions<O> = {}): Promise<OperationResult<O>> {
    if (options.signal?.aborted) throw new SdkError('ABORTED', `${op} was aborted before it was submitted`);
    const job = await this.submit(op, params);
    return this.wait(job, options);
  }

  /**
   * Waits for a submitted job to finish, with the same progress, cancel and time-limit handling
   * as {@link FramewrightClient.run}. Waiting again for a job already waited on shares that wait
   * (the first caller's options apply).
   */
  wait<O extends OperationName>(job: JobOf<O>, options: RunOptions<O> = {}): Promise<OperationResult<O>> {
    const existing = this.watchers.get(job.id);
    if (existing !== undefined) return existing.promise as Promise<OperationResult<O>>;
    const watcher = new JobWatcher(job, options, {
      cancel: (id) => this.cancelJob(id),
      get: (id) => this.getJob(id),
      onerror: (error) => this.onerror?.(error),
      done: (id) => this.watchers.delete(id),
      pollIntervalMs: this.options.pollIntervalMs ?? 1_000,
    });
    this.watchers.set(job.id, watcher);
    const early = this.unclaimed.get(job.id) ?? [];
    this.unclaimed.delete(job.id);
    watcher.update(job);
    for (const notification of early) deliver(watcher, notification);
    return watcher.promise as Promise<OperationResult<O>>;
  }

  /**
   * Pulls a model from the Hugging Face Hub into the server's model folder, where its operations
   * find it (operation `models-pull`, protocol 1.2): the files the model's family needs,
   * downloaded by the server from its own `HF_ENDPOINT` with its own `HF_TOKEN` (a client never
   * sends or sees either), each verified against the Hub's hash. Progress comes as `licence`,
   * `download` (bytes and files) and `install` events; aborting `signal` cancels the job, and a
   * cancelled or failed pull leaves nothing on the server.
   *
   * @example
   * ```ts
   * const pack = await client.pullModel('stabilityai/sdxl-turbo', {
   *   acceptLicence: true, // sai-nc-community: non-commercial
   *   onProgress: (p) => p.stage === 'download' && console.log(`${p.bytesDone} of ${p.bytesTotal} bytes`),
   * });
   * await client.run('image-gen', { prompt: 'a lighthouse at dusk', model: pack.id });
   * ```
   * @param repo - `owner/name`, optionally `@revision` (branch, tag or commit)
   * @param options - `acceptLicence` (needed for non-commercial, unknown or gated licences), `id`,
   *   `family`, `include`, and the run's `onProgress`, `signal`, `timeoutMs`
   * @throws FramewrightError `INVALID_PARAMS` (a licence not accepted, a bad reference),
   *   `MODEL_NOT_FOUND` (the Hub cannot be reached or lacks the repository), `MODEL_INVALID` (a
   *   file that does not match its hash), `OUTPUT_EXISTS`, `CANCELLED`, `UNKNOWN_OPERATION` (a
   *   server older than protocol 1.2)
   */
  pullModel(repo: string, options: PullModelOptions = {}): Promise<ModelsPullResult> {
    const { onProgress, signal, timeoutMs, ...params } = options;
    const run: RunOptions<'models-pull'> = {};
    if (onProgress !== undefined) run.onProgress = onProgress;
    if (signal !== undefined) run.signal = signal;
    if (timeoutMs !== undefined) run.timeoutMs = timeoutMs;
    return this.run('models-pull', { repo, ...params }, run);
  }

  /** Submits a job without waiting for it. */
  async submit<O extends OperationName>(op: O, params: OperationParams<O>): Promise<JobOf<O>> {
    const job = await this.call('job.submit', { op, params });
    if (job.op !== op) throw new SdkError('PROTOCOL_ERROR', `server answered job.submit for ${op} with a ${job.op} job`);
    return job as JobOf<O>;
  }

  /** The current state of a job. */
  getJob(jobId: string): Promise<Job> {
    return this.call('job.get', { jobId });
  }

  /** Asks the server to cancel a job; resolves with its state after the request. */
  cancelJob(jobId: string): Promise<Job> {
    return this.call('job.cancel', { jobId });
  }

  /** The jobs the server knows (running, queued and journaled). */
  async listJobs(): Promise<Job[]> {
    return (await this.call('job.list', {})).jobs;
  }

  private connected(): HelloResult {
    if (this.hello === undefined) throw new SdkError('NOT_CONNECTED', 'not connected: call connect() first');
    return this.hello;
  }

  private async call<M extends MethodName>(method: M, params: MethodParams<M>): Promise<MethodResult<M>> {
    if (this.state === 'reconnecting') await this.reconnecting;
    const session = this.session;
    if (this.state !== 'connected' || session === undefined) {
      throw new SdkError('NOT_CONNECTED', this.state === 'closed' ? `${method}: the client is closed` : `${method}: not connected, call connect() first`);
    }
    return session.request(method, params);
  }

  /** One connection attempt: transport, session, `hello`. */
  private async open(): Promise<HelloResult> {
    const session = new RpcSession(this.transportFactory(), this.options.requestTimeoutMs ?? 30_000);
    session.onnotification = (n) => this.receive(n);
    session.onerror = (error) => this.onerror?.(error);
    await session.start();
    let hello: HelloResult;
    try {
      hello = await session.request('hello', { versions: [...this.versions], ...(this.options.clientInfo ? { client: this.options.clientInfo } : {}) });
      if (!this.versions.includes(hello.version)) {
        throw new SdkError('UNSUPPORTED_VERSION', `server chose protocol version ${hello.version}, which this client did not offer ([${this.versions.join(', ')}])`);
      }
    } catch (error) {
      await session.close();
      if (error instanceof FramewrightError && error.code === 'UNSUPPORTED_VERSION') {
        throw new FramewrightError('UNSUPPORTED_VERSION', `the server speaks none of the protocol versions this client offers [${this.versions.join(', ')}]: ${error.message}`);
      }
      throw error;
    }
    session.onclose = () => this.lost(session);
    this.session = session;
    this.hello = hello;
    return hello;
  }

  private receive(notification: ValidNotification): void {
    const jobId = notification.method === 'job.progress' ? notification.params.jobId : notification.params.id;
    const watcher = this.watchers.get(jobId);
    if (watcher !== undefined) {
      deliver(watcher, notification);
      return;
    }
    // Bounded: the server only notifies jobs this connection submitted or asked about.
    const list = this.unclaimed.get(jobId) ?? [];
    list.push(notification);
    if (list.length > MAX_UNCLAIMED) list.splice(0, list.length - MAX_UNCLAIMED);
    this.unclaimed.delete(jobId);
    this.unclaimed.set(jobId, list);
    if (this.unclaimed.size > MAX_UNCLAIMED) this.unclaimed.delete(this.unclaimed.keys().next().value!);
  }

  private lost(session: RpcSession): void {
    if (this.session !== session || this.state === 'closed') return;
    this.session = undefined;
    if (this.options.reconnect === false) {
      void this.giveUp(new SdkError('CONNECTION_CLOSED', 'the connection to the server closed'));
      return;
    }
    this.state = 'reconnecting';
    this.reconnecting = this.reconnectLoop(this.options.reconnect ?? {});
  }

  private async reconnectLoop(policy: ReconnectOptions): Promise<void> {
    const attempts = policy.maxAttempts ?? 6;
    let delay = policy.initialDelayMs ?? 250;
    let last: unknown;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      await new Promise((r) => setTimeout(r, delay));
      if (this.state !== 'reconnecting') return;
      try {
        const hello = await this.open();
        if (this.state !== 'reconnecting') {
          // close() ran while this attempt was under way: drop the connection it made.
          await this.session?.close();
          this.session = undefined;
          return;
        }
        this.state = 'connected';
        this.onreconnect?.(hello);
        // Notifications sent while we were away are lost: re-fetch every job in flight, then poll.
        for (const watcher of this.watchers.values()) watcher.resync();
        return;
      } catch (error) {
        last = error;
        delay = Math.min(delay * 2, policy.maxDelayMs ?? 5_000);
      }
    }
    const reason = last instanceof Error ? last.message : String(last);
    await this.giveUp(new SdkError('CONNECTION_CLOSED', `lost the connection to the server and ${attempts} reconnect attempts failed: ${reason}`, { cause: last }));
  }

  private async giveUp(error: SdkError): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.failWatchers(error);
    this.onclose?.();
  }

  private failWatchers(error: SdkError): void {
    for (const watcher of [...this.watchers.values()]) watcher.fail(error);
    this.watchers.clear();
  }
}
