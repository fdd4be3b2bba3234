import type { CliIo } from '../io.js';

/** One `framewright` command. */
export interface Command {
  /** What the user types: `framewright <name>`. */
  readonly name: string;
  /** The text of `framewright <name> --help`. */
  readonly help: string;
  /**
   * When true, `main` passes every argument through untouched (`--help` included): the command
   * belongs to another package with its own parser (the host adapters).
   */
  readonly passThrough?: boolean;
  /**
   * Runs the command. Resolves with the exit code; throws a `FramewrightError` for failures,
   * which `main` prints as one line and turns into an exit code.
   */
  run(argv: readonly string[], io: CliIo): Promise<number>;
}
