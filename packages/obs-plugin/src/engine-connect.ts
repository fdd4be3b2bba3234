import { readFile } from 'node:fs/promises';
import { FramewrightClient, SdkError, WebSocketTransport } from '@framewright/core/client';
import { resolvePaths } from '@framewright/core/host';
import { DEFAULT_PORT, FramewrightError, isFramewrightError, type OperationName, type OperationParams } from '@framewright/core/protocol';
import { clientEngine, type Engine, type EngineRunOptions } from './engine.js';
import { CLIENT_INFO, NodeWebSocket, OwnEngine } from './engine-process.js';
import { ObsAdapterError } from './errors.js';

/** Environment variable with the address of a running `framewright serve` (e.g. `http://127.0.0.1:7878`). */
export const ENGINE_URL_ENV = 'FRAMEWRIGHT_URL';
/** Environment variable with the engine's bearer token (default: the token file in Framewright's config folder). */
export const ENGINE_TOKEN_ENV = 'FRAMEWRIGHT_TOKEN';

/** An {@link Engine} the adapter connected to or started, to close when done. */
export interface ConnectedEngine extends Engine {
  /** Where the runs go: the running server's address, or `own` for an engine started for this command. */
  readonly location: string;
  /** Disconnects, and stops an engine this command started. */
  close(): Promise<void>;
}

/** Options of {@link connectEngine}. */
export interface ConnectEngineOptions {
  /** Environment variables (`FRAMEWRIGHT_URL`, `FRAMEWRIGHT_TOKEN`, `FRAMEWRIGHT_CONFIG_DIR`, …). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Folder relative output folders are resolved against. */
  readonly cwd: string;
  /** Receives one line per decision (which engine, a started engine). */
  readonly log?: (line: string) => void;
}

/** The WebSocket endpoint for a server address given as `http(s)://host:port` or `ws(s)://host:port[/v1/ws]`. */
export function engineWsUrl(address: string): string {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    throw new ObsAdapterError('BAD_ARGUMENTS', `${ENGINE_URL_ENV}: ${JSON.stringify(address)} is not a URL (expected e.g. http://127.0.0.1:${DEFAULT_PORT})`);
  }
  const scheme = { 'http:': 'ws:', 'https:': 'wss:', 'ws:': 'ws:', 'wss:': 'wss:' }[url.protocol];
  if (scheme === undefined) throw new ObsAdapterError('BAD_ARGUMENTS', `${ENGINE_URL_ENV}: ${address} must start with http://, https://, ws:// or wss://`);
  return `${scheme}//${url.host}/v1/ws`;
}

async function tokenFrom(options: ConnectEngineOptions): Promise<{ token: string | undefined; from: string }> {
  const fromEnv = options.env[ENGINE_TOKEN_ENV]?.trim();
  if (fromEnv !== undefined && fromEnv !== '') return { token: fromEnv, from: ENGINE_TOKEN_ENV };
  const file = resolvePaths({ env: options.env }).tokenFile;
  // Reading, not creating: a missing token means no server has run for this config folder.
  const token = await readFile(file, 'utf8').then(
    (text) => text.trim(),
    () => undefined,
  );
  return { token: token === '' ? undefined : token, from: file };
}

/**
 * Connects to the engine for `framewright obs`: the `framewright serve` at `FRAMEWRIGHT_URL`
 * (default `http://127.0.0.1:7878`) with the token from `FRAMEWRIGHT_TOKEN` or Framewright's
 * config folder. When none runs there (and `FRAMEWRIGHT_URL` is not set), and for a run whose
 * output folder lies outside that server's output root, an engine of this command's own is
 * started ({@link OwnEngine}); {@link ConnectedEngine.close} stops it.
 *
 * @throws FramewrightError `OPERATION_UNAVAILABLE` when `FRAMEWRIGHT_URL` is set but nothing
 *   answers there; SdkError `CONNECTION_REJECTED` when the server refuses the token
 */
export async function connectEngine(options: ConnectEngineOptions): Promise<ConnectedEngine> {
  const configured = options.env[ENGINE_URL_ENV];
  const explicit = configured !== undefined && configured !== '';
  const address = explicit ? configured : `http://127.0.0.1:${DEFAULT_PORT}`;
  const wsUrl = engineWsUrl(address);
  // The started engine sees this process's environment, with the command's own on top.
  const own = new OwnEngine({ ...process.env, ...options.env }, options.cwd, options.log);
  const { token, from } = await tokenFrom(options);
  if (token === undefined) {
    if (explicit) throw new FramewrightError('OPERATION_UNAVAILABLE', `${ENGINE_URL_ENV} is set but there is no token in ${from}: set ${ENGINE_TOKEN_ENV}, or run \`framewright serve\` once`);
    return ownEngine(own);
  }
  const client = new FramewrightClient(() => new WebSocketTransport(wsUrl, { token, WebSocket: NodeWebSocket }), { clientInfo: { ...CLIENT_INFO } });
  try {
    await client.connect();
  } catch (error) {
    await client.close();
    if (!(error instanceof SdkError && error.code === 'CONNECTION_FAILED')) {
      if (error instanceof SdkError && error.code === 'CONNECTION_REJECTED') {
        throw new SdkError('CONNECTION_REJECTED', `the engine at ${address} refused the token from ${from}: ${error.message}`, { cause: error });
      }
      throw error;
    }
    if (explicit) {
      throw new FramewrightError('OPERATION_UNAVAILABLE', `no Framewright engine answers at ${address} (${ENGINE_URL_ENV}): start \`framewright serve\` there, or unset ${ENGINE_URL_ENV}`, { cause: error });
    }
    return ownEngine(own);
  }
  options.log?.(`using the engine at ${address}`);
  return sharedEngine(client, address, own, options.log);
}

function ownEngine(own: OwnEngine): ConnectedEngine {
  return { location: 'own', run: (op, params, o) => own.run(op, params, o), check: (op, params) => own.check(op, params), close: () => own.close() };
}

/**
 * A running server's engine. Its output root is its own policy: a run it refuses with
 * `OUTPUT_NOT_ALLOWED` (recordings beside which clips go usually lie outside it) runs on an
 * engine of this command's own instead, which may write where the user asked.
 */
function sharedEngine(client: FramewrightClient, address: string, own: OwnEngine, log?: (line: string) => void): ConnectedEngine {
  const shared = clientEngine(client);
  let told = false;
  return {
    location: address,
    // A server that went away (stopped, restarted past the client's retries) leaves the runs to our own engine.
    check: (op, params) => (client.isConnected ? shared : own).check(op, params),
    async run<O extends OperationName>(op: O, params: OperationParams<O>, runOptions?: EngineRunOptions<O>) {
      if (!client.isConnected) return own.run(op, params, runOptions);
      try {
        return await shared.run(op, params, runOptions);
      } catch (error) {
        if (!(isFramewrightError(error) && error.code === 'OUTPUT_NOT_ALLOWED')) throw error;
        if (!told) log?.(`the engine at ${address} writes only under its output root (${error.message}); running such jobs on an engine of this command's own`);
        told = true;
        return own.run(op, params, runOptions);
      }
    },
    async close() {
      await client.close();
      await own.close();
    },
  };
}
