// `framewright obs setup --apply` against a real OBS: the settings it writes make a fresh OBS
// serve obs-websocket with the saved password; plus the real 4009 and a real OBS restart.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObsAdapterError, ObsConnection, resolveObsSettings, runCli, type ObsCliIo } from '@framewright/obs-plugin';
import { realObsUnavailable, startObs, type RealObs } from './helpers/obs.js';

const unavailable = realObsUnavailable();
if (unavailable) console.warn(`skipping real-OBS setup tests: ${unavailable}`);

describe.skipIf(unavailable !== undefined)('framewright obs setup with a real OBS', () => {
  const framewrightConfig = mkdtempSync(join(tmpdir(), 'fw-obs-setup-config-'));
  const env = { FRAMEWRIGHT_CONFIG_DIR: framewrightConfig };
  let obs: RealObs;
  let setupOutput = '';

  beforeAll(async () => {
    obs = await startObs({
      configure: async (obsConfigDir, port) => {
        const io: ObsCliIo = {
          stdout: { write: (t) => void (setupOutput += t) },
          stderr: { write: (t) => void (setupOutput += t) },
          env,
          cwd: framewrightConfig,
          onInterrupt: () => () => undefined,
        };
        const code = await runCli(['setup', '--apply', '--config-dir', obsConfigDir, '--port', String(port)], { io });
        if (code !== 0) throw new Error(`setup failed (${code}): ${setupOutput}`);
        const saved = await resolveObsSettings({}, env);
        return saved.password as string;
      },
    });
  }, 60_000);

  afterAll(async () => {
    await obs?.stop();
    rmSync(framewrightConfig, { recursive: true, force: true });
  });

  it('writes settings that a fresh OBS serves, and saves them so no flags are needed', async () => {
    expect(setupOutput).toContain('Saved the OBS connection');
    const settings = await resolveObsSettings({}, env);
    expect(settings).toMatchObject({ url: obs.url, urlSource: 'config', passwordSource: 'config' });
    const connection = new ObsConnection({ url: settings.url, password: settings.password });
    const info = await connection.connect();
    expect(Number.parseInt(info.obsVersion, 10)).toBeGreaterThanOrEqual(28);
    expect(info.rpcVersion).toBe(1);
    await connection.close();
  });

  it('reports the real OBS refusing a wrong password', async () => {
    const error = await new ObsConnection({ url: obs.url, password: 'not it' }).connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ObsAdapterError);
    expect(error).toMatchObject({ code: 'OBS_AUTH_FAILED' });
  });

  it('reconnects by itself when OBS is closed and started again', async () => {
    const connection = new ObsConnection({ url: obs.url, password: obs.password, reconnectDelayMs: 200, maxReconnectDelayMs: 1000 });
    await connection.connect();
    let reconnected = false;
    connection.onConnected((again) => (reconnected = again));
    const lost = new Promise<string>((resolve) => connection.onDisconnected(resolve));
    await obs.quit();
    await lost;
    await obs.launch();
    await connection.whenConnected();
    expect(reconnected).toBe(true);
    await expect(connection.call('GetSceneList')).resolves.toHaveProperty('scenes');
    await connection.close();
  }, 60_000);
});
