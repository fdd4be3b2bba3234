import { afterEach, describe, expect, it } from 'vitest';
import { CodedError } from '@framewright/core/protocol';
import { ObsAdapterError, ObsConnection } from '../src/index.js';
import { FakeObs, type FakeObsOptions } from './fake-obs.js';
import { freePort } from './free-port.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function fake(options: FakeObsOptions = { password: 'hunter2' }): Promise<FakeObs> {
  const obs = new FakeObs(options);
  await obs.start();
  cleanups.push(() => obs.stop());
  return obs;
}

function connection(url: string, password: string | undefined, extra: Partial<ConstructorParameters<typeof ObsConnection>[0]> = {}): ObsConnection {
  const c = new ObsConnection({ url, password, reconnectDelayMs: 50, maxReconnectDelayMs: 200, connectTimeoutMs: 2000, ...extra });
  cleanups.push(() => c.close());
  return c;
}

async function errorOf(promise: Promise<unknown>): Promise<ObsAdapterError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ObsAdapterError);
  // The adapter's own errors share the one base (code, message, JSON) with the engine's.
  expect(error).toBeInstanceOf(CodedError);
  expect(JSON.parse(JSON.stringify(error))).toMatchObject({ name: 'ObsAdapterError', code: (error as ObsAdapterError).code, message: (error as ObsAdapterError).message });
  return error as ObsAdapterError;
}

describe('ObsConnection', () => {
  it('authenticates with the challenge-salt scheme and reports the OBS version', async () => {
    const obs = await fake();
    const info = await connection(obs.url, 'hunter2').connect();
    expect(info).toMatchObject({ obsVersion: '30.2.0', rpcVersion: 1 });
  });

  it('explains a wrong password (close code 4009) in one line', async () => {
    const obs = await fake();
    const error = await errorOf(connection(obs.url, 'wrong').connect());
    expect(error.code).toBe('OBS_AUTH_FAILED');
    expect(error.message).toMatch(/refused the password \(close code 4009\)/);
    expect(error.message).not.toMatch(/\n/);
  });

  it('says a password is needed when OBS asks for one and none was given', async () => {
    const obs = await fake();
    const error = await errorOf(connection(obs.url, undefined).connect());
    expect(error.code).toBe('OBS_PASSWORD_REQUIRED');
    expect(error.message).toMatch(/FRAMEWRIGHT_OBS_PASSWORD/);
  });

  it('says OBS is not running when nothing listens', async () => {
    const url = `ws://127.0.0.1:${await freePort()}`;
    const error = await errorOf(connection(url, 'x').connect());
    expect(error.code).toBe('OBS_NOT_RUNNING');
    expect(error.message).toContain(url);
  });

  it('refuses an OBS older than 28', async () => {
    const obs = await fake({ obsVersion: '27.2.4' });
    const error = await errorOf(connection(obs.url, undefined).connect());
    expect(error.code).toBe('OBS_TOO_OLD');
    expect(error.message).toMatch(/OBS 27\.2\.4 .* needs OBS 28 or newer/);
  });

  it('connects without a password when OBS does not require one', async () => {
    const obs = await fake({});
    await expect(connection(obs.url, undefined).connect()).resolves.toMatchObject({ rpcVersion: 1 });
  });

  it('rejects calls in flight when OBS quits, then reconnects when OBS is back', async () => {
    const obs = await fake();
    const c = connection(obs.url, 'hunter2');
    await c.connect();
    let reconnects = 0;
    c.onConnected((again) => {
      if (again) reconnects++;
    });
    const lost = new Promise<string>((resolve) => c.onDisconnected(resolve));
    const inFlight = c.call('GetSceneList');
    await obs.stop();
    const error = await errorOf(inFlight).catch(() => undefined);
    // The answer may have arrived before the socket was dropped; if not, the call must not hang.
    if (error) expect(error.code).toBe('OBS_DISCONNECTED');
    await lost;
    expect(c.connected).toBe(false);
    expect((await errorOf(c.call('GetSceneList'))).code).toBe('OBS_DISCONNECTED');
    await obs.start();
    await c.whenConnected();
    expect(reconnects).toBe(1);
    await expect(c.call('GetSceneList')).resolves.toMatchObject({ currentProgramSceneName: 'Scene' });
  });

  it('stops reconnecting when OBS comes back with another password', async () => {
    const first = await fake({ password: 'old' });
    const c = connection(first.url, 'old');
    await c.connect();
    const lost = new Promise<string>((resolve) => c.onDisconnected(resolve));
    await first.stop();
    await lost;
    // Same port, like OBS restarted after its password was changed.
    await fake({ password: 'new', port: Number(new URL(first.url).port) });
    const error = await errorOf(c.whenConnected());
    expect(error.code).toBe('OBS_AUTH_FAILED');
  });
});
