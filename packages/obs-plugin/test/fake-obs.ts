// A scripted obs-websocket v5 server (JSON subprotocol) for unit tests: the Hello/Identify
// handshake with challenge-salt authentication, close code 4009 on a bad password, and a tiny
// in-memory model of scenes and inputs so the adapter's requests get real answers.
import { createHash, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

/** A request the fake received. */
export interface ReceivedRequest {
  type: string;
  data: Record<string, unknown>;
}

/** An input in the fake's model. */
export interface FakeInput {
  kind: string;
  settings: Record<string, unknown>;
}

/** A scene item in the fake's model. */
export interface FakeSceneItem {
  sceneItemId: number;
  sourceName: string;
  enabled: boolean;
  transform: Record<string, unknown>;
}

class RequestFailure extends Error {
  constructor(
    readonly code: number,
    comment: string,
  ) {
    super(comment);
  }
}

function sha256Base64(text: string): string {
  return createHash('sha256').update(text).digest('base64');
}

/** Options of {@link FakeObs}. */
export interface FakeObsOptions {
  password?: string;
  obsVersion?: string;
  rpcVersion?: number;
  /** Port to listen on (default: a free one, kept across restarts). */
  port?: number;
  /** What GetInputKindList answers (default: image and media sources, no VLC source). */
  inputKinds?: string[];
}

/** The fake server. Start it, point an `ObsConnection` at `url`, then script events. */
export class FakeObs {
  readonly requests: ReceivedRequest[] = [];
  readonly scenes = new Map<string, FakeSceneItem[]>([['Scene', []]]);
  readonly inputs = new Map<string, FakeInput>();
  currentScene = 'Scene';
  #server: WebSocketServer | undefined;
  #clients = new Set<WebSocket>();
  #port = 0;
  #nextItemId = 1;
  readonly #options: FakeObsOptions;

  constructor(options: FakeObsOptions = {}) {
    this.#options = options;
    this.#port = options.port ?? 0;
  }

  /** ws:// URL of the server. */
  get url(): string {
    return `ws://127.0.0.1:${this.#port}`;
  }

  /** Starts listening (on the same port as before after a {@link stop}, like a restarted OBS). */
  async start(): Promise<void> {
    const server = new WebSocketServer({
      host: '127.0.0.1',
      port: this.#port,
      handleProtocols: (protocols) => (protocols.has('obswebsocket.json') ? 'obswebsocket.json' : false),
    });
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
    });
    this.#port = (server.address() as AddressInfo).port;
    server.on('connection', (socket) => this.#accept(socket));
    this.#server = server;
  }

  /** Drops every client abruptly and stops listening, as when OBS quits. */
  async stop(): Promise<void> {
    for (const socket of this.#clients) socket.terminate();
    this.#clients.clear();
    const server = this.#server;
    this.#server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Sends an event to every identified client. */
  emit(eventType: string, eventData: Record<string, unknown>): void {
    for (const socket of this.#clients) socket.send(JSON.stringify({ op: 5, d: { eventType, eventIntent: 1, eventData } }));
  }

  /** Requests of one type, in arrival order. */
  requestsOf(type: string): Record<string, unknown>[] {
    return this.requests.filter((r) => r.type === type).map((r) => r.data);
  }

  #accept(socket: WebSocket): void {
    const password = this.#options.password;
    const challenge = randomBytes(16).toString('base64');
    const salt = randomBytes(16).toString('base64');
    const hello: Record<string, unknown> = { obsWebSocketVersion: '5.4.2', rpcVersion: this.#options.rpcVersion ?? 1 };
    if (password !== undefined) hello['authentication'] = { challenge, salt };
    socket.send(JSON.stringify({ op: 0, d: hello }));
    let identified = false;
    socket.on('message', (raw) => {
      const message = JSON.parse(String(raw)) as { op: number; d: Record<string, unknown> };
      if (!identified) {
        if (message.op !== 1) return socket.close(4007, 'Not identified.');
        if (password !== undefined && message.d['authentication'] !== sha256Base64(sha256Base64(password + salt) + challenge)) {
          return socket.close(4009, 'Authentication failed.');
        }
        if (message.d['rpcVersion'] !== 1) return socket.close(4010, 'Unsupported RPC version.');
        identified = true;
        this.#clients.add(socket);
        socket.send(JSON.stringify({ op: 2, d: { negotiatedRpcVersion: 1 } }));
        return;
      }
      if (message.op !== 6) return;
      const { requestType, requestId } = message.d as { requestType: string; requestId: string };
      const data = (message.d['requestData'] ?? {}) as Record<string, unknown>;
      this.requests.push({ type: requestType, data });
      let response: Record<string, unknown>;
      try {
        const responseData = this.#handle(requestType, data);
        response = { requestType, requestId, requestStatus: { result: true, code: 100 }, responseData };
      } catch (error) {
        const failure = error instanceof RequestFailure ? error : new RequestFailure(500, String(error));
        response = { requestType, requestId, requestStatus: { result: false, code: failure.code, comment: failure.message } };
      }
      socket.send(JSON.stringify({ op: 7, d: response }));
    });
    socket.on('close', () => this.#clients.delete(socket));
  }

  #scene(name: unknown): FakeSceneItem[] {
    const items = this.scenes.get(String(name));
    if (!items) throw new RequestFailure(600, `No source was found by the name of \`${String(name)}\`.`);
    return items;
  }

  #handle(type: string, data: Record<string, unknown>): Record<string, unknown> {
    switch (type) {
      case 'GetVersion':
        return {
          obsVersion: this.#options.obsVersion ?? '30.2.0',
          obsWebSocketVersion: '5.4.2',
          rpcVersion: this.#options.rpcVersion ?? 1,
          availableRequests: [],
          supportedImageFormats: ['png'],
          platform: 'fake',
          platformDescription: 'fake obs-websocket',
        };
      case 'GetSceneList':
        return {
          currentProgramSceneName: this.currentScene,
          currentPreviewSceneName: null,
          scenes: [...this.scenes.keys()].map((sceneName, sceneIndex) => ({ sceneName, sceneIndex })),
        };
      case 'GetCurrentProgramScene':
        return { currentProgramSceneName: this.currentScene };
      case 'GetVideoSettings':
        return { baseWidth: 1280, baseHeight: 720, outputWidth: 1280, outputHeight: 720, fpsNumerator: 30, fpsDenominator: 1 };
      case 'GetInputKindList':
        return { inputKinds: this.#options.inputKinds ?? ['image_source', 'ffmpeg_source'] };
      case 'GetSceneItemId': {
        const item = this.#scene(data['sceneName']).find((i) => i.sourceName === data['sourceName']);
        if (!item) throw new RequestFailure(600, 'No scene items were found in the specified scene by that name.');
        return { sceneItemId: item.sceneItemId };
      }
      case 'GetSceneItemEnabled': {
        const item = this.#scene(data['sceneName']).find((i) => i.sceneItemId === data['sceneItemId']);
        if (!item) throw new RequestFailure(600, 'No scene items were found in the specified scene by that ID.');
        return { sceneItemEnabled: item.enabled };
      }
      case 'SetSceneItemEnabled': {
        const item = this.#scene(data['sceneName']).find((i) => i.sceneItemId === data['sceneItemId']);
        if (!item) throw new RequestFailure(600, 'No scene items were found in the specified scene by that ID.');
        item.enabled = data['sceneItemEnabled'] === true;
        return {};
      }
      case 'RemoveInput': {
        const name = String(data['inputName']);
        if (!this.inputs.delete(name)) throw new RequestFailure(600, 'No source was found by the name of that input.');
        for (const items of this.scenes.values()) items.splice(0, items.length, ...items.filter((i) => i.sourceName !== name));
        return {};
      }
      case 'GetInputList':
        return { inputs: [...this.inputs].map(([inputName, i]) => ({ inputName, inputKind: i.kind, unversionedInputKind: i.kind })) };
      case 'CreateScene': {
        const name = String(data['sceneName']);
        if (this.scenes.has(name) || this.inputs.has(name)) throw new RequestFailure(601, 'A source already exists by that scene name.');
        this.scenes.set(name, []);
        return { sceneUuid: randomBytes(8).toString('hex') };
      }
      case 'CreateInput': {
        const items = this.#scene(data['sceneName']);
        const name = String(data['inputName']);
        if (this.inputs.has(name) || this.scenes.has(name)) throw new RequestFailure(601, 'A source already exists by that input name.');
        this.inputs.set(name, { kind: String(data['inputKind']), settings: (data['inputSettings'] ?? {}) as Record<string, unknown> });
        const sceneItemId = this.#nextItemId++;
        items.push({ sceneItemId, sourceName: name, enabled: data['sceneItemEnabled'] !== false, transform: {} });
        return { sceneItemId };
      }
      case 'GetSceneItemList':
        return {
          sceneItems: this.#scene(data['sceneName']).map((item, sceneItemIndex) => ({
            sceneItemId: item.sceneItemId,
            sceneItemIndex,
            sourceName: item.sourceName,
            sceneItemEnabled: item.enabled,
            inputKind: this.inputs.get(item.sourceName)?.kind ?? null,
          })),
        };
      case 'SetSceneItemTransform': {
        const item = this.#scene(data['sceneName']).find((i) => i.sceneItemId === data['sceneItemId']);
        if (!item) throw new RequestFailure(600, 'No scene items were found in the specified scene by that ID.');
        item.transform = { ...item.transform, ...(data['sceneItemTransform'] as Record<string, unknown>) };
        return {};
      }
      case 'GetInputSettings': {
        const input = this.inputs.get(String(data['inputName']));
        if (!input) throw new RequestFailure(600, 'No source was found by the name of that input.');
        return { inputKind: input.kind, inputSettings: input.settings };
      }
      default:
        throw new RequestFailure(204, 'Your request type is not valid.');
    }
  }
}
