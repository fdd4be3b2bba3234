import type { OperationRegistry } from '../ops/index.js';
import type { JobService } from '../jobs/index.js';
import type { StaticPages } from './pages.js';
import type { GuardOptions } from './security.js';
import type { Logger } from '../util/log.js';

/** What the HTTP routes and WebSocket connections of one server share. */
export interface ServerContext {
  /** The job queue. */
  readonly queue: JobService;
  /** Token, port, host and allowed origins. */
  readonly guard: GuardOptions;
  /** The operations the server runs. */
  readonly registry: OperationRegistry;
  /** Jobs write under it; uploads go into it and downloads come from it. */
  readonly outputRoot: string;
  /** Largest upload (`PUT /v1/files/<name>`), in bytes. */
  readonly maxUploadBytes: number;
  /** Largest request body or WebSocket message accepted, in bytes. */
  readonly maxMessageBytes: number;
  /** Most bytes a client may leave unread before it is dropped (WebSocket send buffer, SSE stream). */
  readonly maxSendBufferBytes: number;
  /** Validate every outgoing WebSocket message against its schema (a failure is sent as `INTERNAL`). */
  readonly validateOutgoing: boolean;
  /** Where warnings go (a dropped client, a message refused by its schema). */
  readonly log: Logger;
  /** Static pages served without a token (see {@link StaticPages}). */
  readonly pages?: StaticPages;
  /** Registers something to end when the server closes; returns the function that unregisters it. */
  readonly onClose: (close: () => void) => () => void;
}
