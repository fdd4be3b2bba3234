/**
 * Entry point of the `framewright` command.
 * @param argv - arguments after the program name
 * @returns the process exit code
 */
export async function main(argv: string[]): Promise<number> {
  process.stderr.write(`framewright: unknown command ${argv[0] ?? ''}\n`);
  return 2;
}
