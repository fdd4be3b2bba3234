import { FramewrightError } from '../../protocol/index.js';
import type { Command } from './types.js';

/** What an adapter package's main entry exports for the CLI. */
export interface AdapterCliModule {
  /** Runs the adapter's own command line; resolves with the exit code. */
  runCli(argv: string[]): Promise<number>;
}

function isMissing(error: unknown, packageName: string): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as NodeJS.ErrnoException).code;
  // Only the adapter itself being absent counts; a missing dependency inside it is its own bug.
  const names = error.message.includes(`'${packageName}'`) || error.message.includes(`"${packageName}"`) || error.message.includes(` ${packageName} `);
  return names && (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' || /cannot find|failed to (load|resolve)/i.test(error.message));
}

/**
 * Loads an adapter package and runs its `runCli(argv)`.
 * @throws FramewrightError `OPERATION_UNAVAILABLE` naming the package to install when it is missing
 */
export async function runAdapterCli(command: string, packageName: string, argv: readonly string[]): Promise<number> {
  let loaded: Partial<AdapterCliModule>;
  try {
    // A variable specifier keeps the bundler from inlining the adapter: it is an optional install.
    const specifier: string = packageName;
    loaded = (await import(specifier)) as Partial<AdapterCliModule>;
  } catch (error) {
    if (isMissing(error, packageName)) {
      throw new FramewrightError('OPERATION_UNAVAILABLE', `\`framewright ${command}\` needs the ${packageName} package: npm install ${packageName}`, { cause: error });
    }
    throw error;
  }
  if (typeof loaded.runCli !== 'function') {
    throw new FramewrightError('OPERATION_UNAVAILABLE', `${packageName} is installed but has no command line (no runCli export): update it`);
  }
  return loaded.runCli([...argv]);
}

/**
 * Pages that installed adapter packages ask `framewright serve` to serve (their optional
 * `servedPages()` export), e.g. the OBS dock at `/dock/`. Adapters that are not installed add none.
 */
export async function adapterPages(packageNames: readonly string[] = ['@framewright/obs-plugin']): Promise<Record<string, string>> {
  const pages: Record<string, string> = {};
  for (const packageName of packageNames) {
    let loaded: { servedPages?: () => Record<string, string> };
    try {
      const specifier: string = packageName;
      loaded = (await import(specifier)) as typeof loaded;
    } catch (error) {
      if (isMissing(error, packageName)) continue;
      throw error;
    }
    if (typeof loaded.servedPages === 'function') Object.assign(pages, loaded.servedPages());
  }
  return pages;
}

/** A command that hands its arguments to a host adapter package. */
export function adapterCommand(name: string, packageName: string, summary: string): Command {
  return {
    name,
    summary: `${summary} (from ${packageName})`,
    help: `Usage: framewright ${name} ...\n\nProvided by ${packageName}; once it is installed, \`framewright ${name} --help\` shows its options.`,
    passThrough: true,
    run: (argv) => runAdapterCli(name, packageName, argv),
  };
}
