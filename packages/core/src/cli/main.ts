import { COMMANDS } from './commands/index.js';
import { EXIT, EXIT_CODE_HELP, reportError, usageError } from './exit-codes.js';
import { processIo, type CliIo } from './io.js';
import { nearest } from '../util/suggest.js';
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

/** The message for a first argument that is no command or option, with the nearest one if any. */
function unknownCommand(name: string): string {
  if (name.startsWith('-')) {
    const option = nearest(name, ['--help', '--version']);
    return `unknown option ${name}${option === undefined ? '' : `: did you mean ${option}?`} (see \`framewright --help\`)`;
  }
  const names = COMMANDS.map((c) => c.name);
  const command = nearest(name, names);
  return command === undefined
    ? `unknown command ${JSON.stringify(name)}: commands are ${names.join(', ')}`
    : `unknown command ${JSON.stringify(name)}: did you mean ${command}? (\`framewright ${command} --help\`; commands are ${names.join(', ')})`;
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
    if (entry === undefined) throw usageError(unknownCommand(name));
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
