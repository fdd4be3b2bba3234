import { cwd } from 'node:process';

/** A stream the CLI writes to. */
export interface CliOutput {
  /** Writes text as is. */
  write(text: string): void;
  /** True when a person is watching (progress bars are drawn only then). */
  readonly isTTY: boolean;
  /** Width of the terminal, when known. */
  readonly columns?: number;
}

/**
 * Everything a command touches outside itself, so tests can run `main()` in-process with
 * captured streams, their own environment and a scripted Ctrl+C.
 */
export interface CliIo {
  /** Results (and, with `--json`, machine-readable output only). */
  readonly stdout: CliOutput;
  /** Messages for people: progress, errors. */
  readonly stderr: CliOutput;
  /** Environment variables. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Folder relative paths are resolved against. */
  readonly cwd: string;
  /**
   * Calls `handler` with the signal name on SIGINT or SIGTERM until the returned function is
   * called. Long-running commands use it to cancel work or stop the server cleanly.
   */
  onInterrupt(handler: (signal: string) => void): () => void;
}

/** The next SIGINT or SIGTERM `io` reports: its name, once (the handler is removed when it comes). */
export function nextInterrupt(io: CliIo): Promise<string> {
  return new Promise((resolveSignal) => {
    const stop = io.onInterrupt((name) => {
      stop();
      resolveSignal(name);
    });
  });
}

function outputOf(stream: NodeJS.WriteStream): CliOutput {
  return {
    write: (text) => void stream.write(text),
    get isTTY() {
      return stream.isTTY === true;
    },
    get columns() {
      return stream.columns;
    },
  };
}

/** The real process: its streams, environment, working folder and signals. */
export function processIo(): CliIo {
  return {
    stdout: outputOf(process.stdout),
    stderr: outputOf(process.stderr),
    env: process.env,
    cwd: cwd(),
    onInterrupt(handler) {
      const listener = (signal: NodeJS.Signals) => handler(signal);
      process.on('SIGINT', listener);
      process.on('SIGTERM', listener);
      return () => {
        process.off('SIGINT', listener);
        process.off('SIGTERM', listener);
      };
    },
  };
}
