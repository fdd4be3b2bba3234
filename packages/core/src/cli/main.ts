import { COMMANDS } from './commands/index.js';
import { EXIT, EXIT_CODE_HELP, reportError, usageError } from './exit-codes.js';
import { processIo, type CliIo } from './io.js';
import { VERSION } from '../util/version.js';

/** The `framewright` version (the `@framewright/core` package version). */
export const CLI_VERSION = VERSION;

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `Usage: framewright <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Run \`framewright <command> --help\` (or \`framewright help <command>\`) for a command's options.
Options: --help, --version.  --json (where a command has it) prints machine-readable output on
stdout, and on failure {"error":{"code","message"}}.

${EXIT_CODE_HELP}
`;
}

/** The arguments before `--` (after it everything is a positional, even `--help`). */
function flagsPart(argv: readonly string[]): readonly string[] {
  const end = argv.indexOf('--');
  return end === -1 ? argv : argv.slice(0, end);
}

/**
 * Entry point of the `framewright` command.
 * @param argv - arguments after the program name
 * @param io - streams, environment and signals (default: this process's)
 * @returns the process exit code (see `framewright --help`)
 */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  const json = flagsPart(rest).includes('--json');
  try {
    if (name === 'help' && rest[0] !== undefined) return await main([rest[0], '--help'], io);
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      // Without a command it is a usage error: the help goes to stderr so stdout stays empty.
      (name === undefined ? io.stderr : io.stdout).write(mainHelp());
      return name === undefined ? EXIT.usage : EXIT.ok;
    }
    if (name === '--version' || name === '-V') {
      io.stdout.write(`${CLI_VERSION}\n`);
      return EXIT.ok;
    }
    const entry = COMMANDS.find((c) => c.name === name);
    if (entry === undefined) {
      throw usageError(name.startsWith('-') ? `unknown option ${name} (see \`framewright --help\`)` : `unknown command ${JSON.stringify(name)}: commands are ${COMMANDS.map((c) => c.name).join(', ')}`);
    }
    const command = await entry.load();
    if (!command.passThrough && flagsPart(rest).some((a) => a === '--help' || a === '-h')) {
      io.stdout.write(`${command.help}\n`);
      return EXIT.ok;
    }
    return await command.run(rest, io);
  } catch (error) {
    return reportError(io, error, json);
  }
}

export { EXIT } from './exit-codes.js';
export type { CliIo, CliOutput } from './io.js';
