/** How much a logged line matters: `warn` for something that went wrong, `info` for the rest. */
export type LogLevel = 'info' | 'warn';

/**
 * Where the server and the job queue report what needs an operator's eye, one line at a time
 * (no trailing newline): a client dropped for not reading, a job a crash cut off, a journal that
 * cannot be written. A plain `(line) => …` is a logger too; it just ignores the level.
 *
 * @example
 * ```ts
 * const lines: string[] = [];
 * const server = await startServer({ log: (line, level) => lines.push(`${level}: ${line}`) });
 * ```
 */
export type Logger = (line: string, level: LogLevel) => void;

/** The default {@link Logger}: standard error, `framewright: ` before each line (`framewright: warning: ` for a warning). */
export const stderrLogger: Logger = (line, level) => {
  process.stderr.write(`framewright: ${level === 'warn' ? 'warning: ' : ''}${line}\n`);
};
