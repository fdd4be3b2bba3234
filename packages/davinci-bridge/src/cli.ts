import { FramewrightError } from '@framewright/core/protocol';
import { installScripts, planInstall, uninstallScripts, type InstallPlan } from './install.js';
import { defaultScriptsDir, pathApi, RESOLVE_OSES, shippedScriptsDir, type ResolveOs } from './paths.js';

/** Where {@link runCli} reads its environment and writes its output (injectable for tests). */
export interface CliIo {
  /** Receives normal output. */
  stdout: (text: string) => void;
  /** Receives error lines. */
  stderr: (text: string) => void;
  /** Environment for the default folders (HOME, APPDATA). */
  env: NodeJS.ProcessEnv;
  /** The machine's OS (`process.platform`). */
  platform: string;
}

const USAGE = `usage: framewright resolve install [--dry-run] [--uninstall] [--scripts-dir DIR] [--os linux|darwin|win32]

Installs the Framewright scripts for DaVinci Resolve (Workspace > Scripts > Utility > Framewright).
  --dry-run          print the exact target paths and change nothing (for every OS unless --os)
  --uninstall        remove the files a previous install put there, and nothing else
  --scripts-dir DIR  Resolve's Scripts folder (default: the per-user folder of the OS)
  --os OS            the OS whose folder and path rules to use (default: this machine's)
Restart Resolve (or reopen the Scripts menu) after installing.`;

interface Options {
  dryRun: boolean;
  uninstall: boolean;
  scriptsDir: string | undefined;
  os: ResolveOs | undefined;
}

class UsageError extends Error {}

function parse(argv: string[]): Options | 'help' {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') return 'help';
  if (command !== 'install') throw new UsageError(`unknown resolve command "${command}"`);
  const options: Options = { dryRun: false, uninstall: false, scriptsDir: undefined, os: undefined };
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    const value = (): string => {
      const v = rest[++i];
      if (v === undefined || v === '') throw new UsageError(`${arg} needs a value`);
      return v;
    };
    if (arg === '--dry-run') options.dryRun = true;
    else if (arg === '--uninstall') options.uninstall = true;
    else if (arg === '--scripts-dir') options.scriptsDir = value();
    else if (arg === '--os') {
      const os = value();
      if (!(RESOLVE_OSES as readonly string[]).includes(os)) throw new UsageError(`--os must be one of ${RESOLVE_OSES.join(', ')}, not "${os}"`);
      options.os = os as ResolveOs;
    } else if (arg === '--help' || arg === '-h') return 'help';
    else throw new UsageError(`unknown option "${arg}"`);
  }
  return options;
}

function hostOs(platform: string): ResolveOs {
  if ((RESOLVE_OSES as readonly string[]).includes(platform)) return platform as ResolveOs;
  throw new FramewrightError('INVALID_PARAMS', `DaVinci Resolve does not run on ${platform}; pass --os with --dry-run to see the paths`);
}

function describe(plan: InstallPlan, uninstall: boolean): string {
  const lines = [`${plan.os}: Scripts folder ${plan.scriptsDir}`];
  const verb = uninstall ? 'remove' : 'copy';
  for (const f of plan.files) lines.push(`  ${verb} ${f.target}`);
  lines.push(`  ${uninstall ? 'remove' : 'write'} ${plan.manifest}`);
  return lines.join('\n');
}

/**
 * Runs `framewright resolve ...` (argv after `resolve`). The core CLI imports this package and
 * calls it.
 * @returns the exit code: 0 done, 1 failed, 2 bad usage
 *
 * @example
 * ```ts
 * await runCli(['install', '--dry-run']); // prints the target paths for Linux, macOS and Windows
 * ```
 */
export async function runCli(argv: string[], io: Partial<CliIo> = {}): Promise<number> {
  const out = io.stdout ?? ((t: string) => void process.stdout.write(t));
  const err = io.stderr ?? ((t: string) => void process.stderr.write(t));
  const env = io.env ?? process.env;
  const platform = io.platform ?? process.platform;
  try {
    const options = parse(argv);
    if (options === 'help') {
      out(`${USAGE}\n`);
      return 0;
    }
    const shipped = shippedScriptsDir();
    if (options.dryRun) {
      const oses = options.os ? [options.os] : [...RESOLVE_OSES];
      for (const os of oses) {
        const plan = await planInstall(os, options.scriptsDir ?? defaultScriptsDir(os, env), shipped);
        out(`${describe(plan, options.uninstall)}\n`);
      }
      out('dry run: nothing was changed\n');
      return 0;
    }
    const host = hostOs(platform);
    const os = options.os ?? host;
    if (pathApi(os) !== pathApi(host)) {
      throw new FramewrightError('INVALID_PARAMS', `--os ${os} uses other path rules than this ${host} machine; use it with --dry-run`);
    }
    const scriptsDir = options.scriptsDir ?? defaultScriptsDir(os, env);
    if (options.uninstall) {
      const report = await uninstallScripts(os, scriptsDir);
      for (const path of report.removed) out(`removed ${path}\n`);
      for (const path of report.removedDirs) out(`removed folder ${path}\n`);
      for (const path of report.keptModified) out(`kept ${path} (changed since it was installed)\n`);
      out(`Framewright scripts uninstalled from ${scriptsDir}\n`);
      return 0;
    }
    const plan = await planInstall(os, scriptsDir, shipped);
    await installScripts(plan);
    for (const f of plan.files) out(`installed ${f.target}\n`);
    out(`Framewright scripts installed in ${plan.targetDir}\nRestart DaVinci Resolve, then use Workspace > Scripts > Utility > Framewright.\n`);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      err(`framewright resolve: ${error.message}\n${USAGE}\n`);
      return 2;
    }
    const message = error instanceof Error ? error.message : String(error);
    err(`framewright resolve: ${message}\n`);
    return 1;
  }
}
