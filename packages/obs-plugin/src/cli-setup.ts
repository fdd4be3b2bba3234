import { readFile } from 'node:fs/promises';
import { connect as tcpConnect } from 'node:net';
import { resolve } from 'node:path';
import { loadOrCreateToken, resolvePaths } from '@framewright/core/host';
import { DEFAULT_PORT } from '@framewright/core/protocol';
import { integerFlag, OBS_EXIT, parseCommand, stringFlag, type ObsCliIo } from './cli-io.js';
import { adapterConfigPath, readAdapterConfig, writeAdapterConfig } from './config.js';
import { ObsAdapterError } from './errors.js';
import { applySetup, defaultObsConfigDir, newObsPassword, planSetup, setupInstructions } from './setup.js';

/** Help of `framewright obs setup`. */
export const SETUP_HELP = `Usage: framewright obs setup [--apply] [flags]

Shows what OBS needs for Framewright: the WebSocket server enabled with a password, and the
Framewright dock (a Custom Browser Dock served by \`framewright serve\`). With --apply, backs up
and writes OBS's config files (OBS must be closed) and saves the connection in Framewright's
config, so \`framewright obs watch\` needs no flags.

  --apply             write the changes (each changed file is first copied to *.framewright-backup-<time>)
  --config-dir DIR    OBS's config folder (default: this platform's obs-studio folder)
  --port N            obs-websocket port (default: the configured one, else 4455)
  --password PW       obs-websocket password (default: the configured one, else a new random one,
                      which the dry run keeps in Framewright's config so --apply sets the same)
  --server-port N     port of \`framewright serve\`, for the dock URL (default ${DEFAULT_PORT})
  --force             apply even though something answers on the obs-websocket port (OBS running?)`;

/** True when something accepts TCP connections on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = tcpConnect(port, '127.0.0.1');
    socket.setTimeout(1000, () => {
      socket.destroy();
      done(false);
    });
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

/** `framewright obs setup`. */
export async function runSetup(argv: string[], io: ObsCliIo): Promise<number> {
  const parsed = parseCommand('setup', argv, {
    apply: { type: 'boolean' },
    'config-dir': { type: 'string' },
    port: { type: 'string' },
    password: { type: 'string' },
    'server-port': { type: 'string' },
    force: { type: 'boolean' },
    help: { type: 'boolean' },
  });
  if (parsed.flags['help']) {
    io.stdout.write(`${SETUP_HELP}\n`);
    return OBS_EXIT.ok;
  }
  if (parsed.positionals.length > 0) throw new ObsAdapterError('BAD_ARGUMENTS', `obs setup takes no arguments, got ${JSON.stringify(parsed.positionals[0])}`);
  const apply = parsed.flags['apply'] === true;
  const configDirFlag = stringFlag(parsed, 'config-dir');
  const obsConfigDir = configDirFlag === undefined ? await defaultObsConfigDir(io.env) : resolve(io.cwd, configDirFlag);
  const password = stringFlag(parsed, 'password');
  if (password === '') throw new ObsAdapterError('BAD_ARGUMENTS', '--password cannot be empty');
  const paths = resolvePaths({ env: io.env });
  // Showing the plan creates nothing; applying creates the server's token if it has none yet.
  const token = apply ? await loadOrCreateToken(paths.configDir.path) : await readFile(paths.tokenFile, 'utf8').then((t) => t.trim(), () => undefined);
  const saved = adapterConfigPath(io.env);
  // A password proposed by an earlier dry run (or saved by --apply) is the one to set.
  const proposed = (await readAdapterConfig(saved)).password ?? newObsPassword();
  const plan = await planSetup({
    obsConfigDir,
    port: integerFlag(parsed, 'port', 1, 65535),
    password,
    newPassword: proposed,
    serverPort: integerFlag(parsed, 'server-port', 1, 65535) ?? DEFAULT_PORT,
    token,
  });

  const out = io.stdout;
  out.write(`OBS config folder: ${obsConfigDir}\n`);
  out.write(`obs-websocket: enabled, port ${plan.websocket.port}, authentication on\n`);
  out.write(`Dock URL: ${plan.dockUrl}\n`);
  if (token === undefined) out.write('  (no server token yet: run `framewright serve` once, or `framewright obs setup --apply`, to put it in the URL)\n');
  if (plan.writes.length === 0) out.write('OBS is already set up: nothing to change.\n');
  for (const file of plan.writes) {
    out.write(`${apply ? 'Writing' : 'Would change'} ${file.path}:\n`);
    for (const line of file.changes) out.write(`  ${line}\n`);
  }
  if (apply) {
    if (plan.writes.length > 0 && !parsed.flags['force'] && (await listening(plan.websocket.port))) {
      throw new ObsAdapterError(
        'OBS_CONFIG_INVALID',
        `something answers on port ${plan.websocket.port} (OBS running?): quit OBS first, it rewrites its config when it exits; or pass --force`,
      );
    }
    const backups = await applySetup(plan);
    for (const backup of backups) out.write(`Backed up to ${backup}\n`);
    await writeAdapterConfig(saved, { url: `ws://127.0.0.1:${plan.websocket.port}`, password: plan.websocket.password });
    out.write(`Saved the OBS connection for \`framewright obs\` in ${saved}\n`);
  } else {
    out.write(`obs-websocket password to use: ${plan.websocket.password}\n`);
    if (plan.writes.length > 0) {
      // Kept (in Framewright's own config, mode 0600) so that --apply, or a user setting it by
      // hand from the instructions below, ends with the password printed here.
      await writeAdapterConfig(saved, { url: `ws://127.0.0.1:${plan.websocket.port}`, password: plan.websocket.password });
      out.write(`Kept this password in ${saved}: \`--apply\` sets the same one, and \`framewright obs\` connects with it.\n`);
    }
    out.write('Nothing was written to OBS\'s config. Run `framewright obs setup --apply` with OBS closed to write these changes, or do it by hand:\n');
  }
  out.write(`\n${setupInstructions(plan)}\n`);
  return OBS_EXIT.ok;
}
