// Running the CLI in-process in tests: a CliIo that records what main() writes and lets a test
// deliver a signal (Ctrl+C) to the command's interrupt handlers. test/helpers/cli.ts builds on it.
import type { CliIo } from '../../src/cli/io.js';

/** A {@link CliIo} that records what the CLI writes and lets a test press Ctrl+C. */
export interface CapturedIo extends CliIo {
  /** Everything written to stdout so far. */
  readonly out: string;
  /** Everything written to stderr so far. */
  readonly err: string;
  /** Delivers SIGINT (or another signal name) to the command's interrupt handlers. */
  interrupt(signal?: string): void;
}

/** How the captured streams look to the CLI. */
export interface CaptureOptions {
  /** The whole environment the CLI sees (default: empty, so nothing of this machine's leaks in). */
  readonly env?: Record<string, string | undefined>;
  /** stderr looks like a terminal, so progress bars are drawn (default false). */
  readonly tty?: boolean;
  /** stderr's width in columns (default 100). */
  readonly columns?: number;
}

/** Captured streams for `main(argv, io)`, relative paths resolved against `cwd`. */
export function captureIo(cwd: string, options: CaptureOptions = {}): CapturedIo {
  let out = '';
  let err = '';
  const handlers = new Set<(signal: string) => void>();
  return {
    stdout: { write: (t) => void (out += t), isTTY: false },
    stderr: { write: (t) => void (err += t), isTTY: options.tty === true, columns: options.columns ?? 100 },
    env: options.env ?? {},
    cwd,
    onInterrupt(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    get out() {
      return out;
    },
    get err() {
      return err;
    },
    interrupt(signal = 'SIGINT') {
      for (const h of [...handlers]) h(signal);
    },
  };
}
