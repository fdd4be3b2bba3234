import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packCcx } from './ccx.js';
import { createManifest, DEFAULT_SERVER_URL, MIN_PREMIERE_VERSION } from './manifest.js';

/** Output streams of {@link runCli} (tests capture them). */
export interface CliIo {
  stdout: {
    /** Writes normal output (help, the manifest, the written .ccx path). */
    write(text: string): unknown;
  };
  stderr: {
    /** Writes one-line error messages. */
    write(text: string): unknown;
  };
}

const HELP = `Usage: framewright premiere <command>

Commands:
  package [--out FILE]   write the plugin as a .ccx (default ./framewright-premiere-<version>.ccx)
  manifest               print the plugin's manifest.json
  install-help           print how to load and install the plugin
  help                   show this help`;

const INSTALL = `Framewright for Premiere Pro ${MIN_PREMIERE_VERSION} or newer

Use it:
  1. npx framewright premiere package --out framewright.ccx
  2. Double-click framewright.ccx: Creative Cloud installs it (or: UnifiedPluginInstallerAgent --install framewright.ccx).
  3. npx framewright serve   (keep it running; it prints where its token file is)
  4. In Premiere Pro: Window > UXP Plugins > Framewright. Paste ${DEFAULT_SERVER_URL} and the token, Connect.

Develop it:
  npm run build -w @framewright/premiere-uxp, then in UXP Developer Tool: Add Plugin...,
  pick packages/premiere-uxp/dist/plugin/manifest.json, then Load (and Watch to reload on rebuild).`;

/** The built plugin folder shipped next to this module (`dist/plugin`). */
function pluginDir(): string {
  return fileURLToPath(new URL('./plugin/', import.meta.url));
}

async function packageVersion(): Promise<string> {
  const text = await readFile(new URL('../package.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}

/**
 * The `framewright premiere ...` command line (the core CLI hands these arguments over).
 * @returns the exit code: 0 done, 2 usage error, 1 failure
 * @example
 * ```ts
 * process.exitCode = await runCli(['package', '--out', 'framewright.ccx']);
 * ```
 */
export async function runCli(argv: string[], io: CliIo = process): Promise<number> {
  const [command = 'help', ...rest] = argv;
  try {
    if (command === 'help' || command === '--help' || command === '-h') {
      io.stdout.write(`${HELP}\n`);
      return 0;
    }
    if (command === 'install-help') {
      io.stdout.write(`${INSTALL}\n`);
      return 0;
    }
    if (command === 'manifest') {
      io.stdout.write(`${JSON.stringify(createManifest(await packageVersion()), null, 2)}\n`);
      return 0;
    }
    if (command === 'package') {
      let out: string | undefined;
      for (let i = 0; i < rest.length; i++) {
        const arg = rest[i]!;
        if (arg === '--out' && rest[i + 1] !== undefined) out = rest[++i];
        else if (arg.startsWith('--out=')) out = arg.slice('--out='.length);
        else {
          io.stderr.write(`framewright premiere package: unexpected argument ${JSON.stringify(arg)} (use --out FILE)\n`);
          return 2;
        }
      }
      const file = resolve(out ?? `framewright-premiere-${await packageVersion()}.ccx`);
      const entries = await packCcx(pluginDir(), file);
      io.stdout.write(`wrote ${file} (${entries.length} files)\n`);
      return 0;
    }
    io.stderr.write(`framewright premiere: unknown command ${JSON.stringify(command)}\n${HELP}\n`);
    return 2;
  } catch (error) {
    io.stderr.write(`framewright premiere: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
