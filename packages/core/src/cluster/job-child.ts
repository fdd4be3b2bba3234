// The job process of a cluster worker: runs one job at a time through the engine, so CPU-bound
// work (decoding, inference) never holds up the worker's event loop, which renews BullMQ's job
// locks and hears cancels. Cancel aborts the run (its ffmpeg and ONNX work stop, its partial
// outputs are removed); a worker that dies takes this process with it (IPC disconnect).
import { listCapabilities, runOperation } from '../engine/index.js';
import { cancelled, toFramewrightError, type OperationName, type OperationParams } from '../protocol/index.js';
import { resolveOnnxProviders } from '../runtime/onnx-providers.js';
import type { OutputRecord } from '../util/outputs.js';
import type { FromChild, RunRequest, ToChild } from './messages.js';
import { PathMap, type PathMapping } from './path-map.js';

let current: { id: string; op: OperationName; controller: AbortController; settled: Promise<void> } | undefined;
let nextSeq = 1;
const acks = new Map<number, () => void>();

function send(message: FromChild): void {
  // After the worker is gone there is no one to tell; the run still cleans up after itself.
  if (process.connected) process.send?.(message);
}

async function capabilities(): Promise<void> {
  const operations = await listCapabilities();
  const report = await resolveOnnxProviders().catch(() => undefined);
  const executionProviders = report === undefined ? [] : report.attempts.filter((a) => a.status === 'ok').map((a) => a.name);
  send({ type: 'capabilities', operations, executionProviders });
}

function recordOutputs(id: string, record: OutputRecord): Promise<void> {
  const seq = nextSeq++;
  return new Promise((resolve) => {
    acks.set(seq, resolve);
    send({ type: 'outputs', id, seq, record });
  });
}

/** Names this machine's paths as the job's client does (others pass unchanged). */
function pathsFor(mappings: readonly PathMapping[]): (path: string) => string {
  const map = new PathMap(mappings);
  return (path) => map.toRemote(path);
}

function run(request: RunRequest): void {
  const controller = new AbortController();
  // The params come off the wire as JSON; runOperation validates them against the op's schema.
  const settled = runOperation(request.op, request.params as OperationParams<typeof request.op>, {
    signal: controller.signal,
    outputRoot: request.outputRoot,
    defaultOutputDir: request.defaultOutputDir,
    ...(request.memoryBudgetBytes === undefined ? {} : { memoryBudgetBytes: request.memoryBudgetBytes }),
    ...(request.pathsInFiles === undefined || request.pathsInFiles.length === 0 ? {} : { pathInFiles: pathsFor(request.pathsInFiles) }),
    onProgress: (progress) => send({ type: 'progress', id: request.id, progress }),
    recordOutputs: (record) => recordOutputs(request.id, record),
  }).then(
    (result) => send({ type: 'done', id: request.id, result }),
    (error: unknown) => {
      const fe = controller.signal.aborted ? cancelled(request.op) : toFramewrightError(error);
      send({ type: 'failed', id: request.id, error: fe.toWire() });
    },
  ).finally(() => {
    if (current?.id === request.id) current = undefined;
  });
  current = { id: request.id, op: request.op, controller, settled };
}

process.on('message', (message: ToChild) => {
  switch (message.type) {
    case 'capabilities':
      void capabilities();
      break;
    case 'run':
      run(message);
      break;
    case 'cancel':
      if (current?.id === message.id) current.controller.abort(cancelled(current.op));
      break;
    case 'ack':
      acks.get(message.seq)?.();
      acks.delete(message.seq);
      break;
  }
});

// The worker is gone (killed, or closed): stop the run, which removes its partial outputs, then exit.
process.on('disconnect', () => {
  const running = current;
  if (running === undefined) process.exit(0);
  running.controller.abort(cancelled(running.op));
  for (const ack of acks.values()) ack();
  void running.settled.finally(() => process.exit(0));
});
