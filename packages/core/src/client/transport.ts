import type { RpcNotification, RpcRequest, RpcResponse } from '../protocol/index.js';

/** A JSON-RPC 2.0 message as it travels between client and server. */
export type JsonRpcMessage = RpcRequest | RpcNotification | RpcResponse;

/**
 * The contract between {@link FramewrightClient} and a connection to the engine. A transport
 * moves whole JSON messages; it neither validates nor interprets them (the client does).
 * One transport instance carries one connection: reconnecting makes a new one.
 */
export interface Transport {
  /** Opens the connection. Rejects with an `SdkError` naming why it could not. */
  start(): Promise<void>;
  /** Sends one message. Rejects when the connection is not open. */
  send(message: JsonRpcMessage): Promise<void>;
  /** Closes the connection; `onclose` fires once it is closed. Safe to call more than once. */
  close(): Promise<void>;
  /** Receives each message that arrives, parsed from JSON but not yet validated. */
  onmessage?: (message: unknown) => void;
  /** Receives errors that do not close the connection by themselves (e.g. a frame that is not JSON). */
  onerror?: (error: Error) => void;
  /** Called once when the connection is closed, by either side. */
  onclose?: () => void;
}
