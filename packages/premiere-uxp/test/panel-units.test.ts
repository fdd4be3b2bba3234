import { describe, expect, it } from 'vitest';
import { describeError } from '../src/panel/messages.js';
import { SettingsStore } from '../src/panel/settings.js';
import { secureStorageOf, type SecureStorage } from '../src/panel/uxp.js';
import { DEFAULT_SERVER_URL } from '../src/manifest.js';
import { FramewrightError, SdkError } from '@framewright/core/client';
import { HostError } from '../src/host/errors.js';

function memorySecureStorage(): SecureStorage & { saved: Map<string, string> } {
  const saved = new Map<string, string>();
  return {
    saved,
    getItem: async (key: string) => {
      const value = saved.get(key);
      if (value === undefined) throw new Error('no such key');
      return new TextEncoder().encode(value);
    },
    setItem: async (key: string, value: unknown) => void saved.set(key, String(value)),
    removeItem: async (key: string) => void saved.delete(key),
  };
}

describe('panel settings', () => {
  it('keeps the token in secure storage and the URL in local storage, with defaults before the first save', async () => {
    const secure = memorySecureStorage();
    const local = new Map<string, string>();
    const store = new SettingsStore(secure, { getItem: (k) => local.get(k) ?? null, setItem: (k, v) => void local.set(k, v) });
    expect(await store.load()).toEqual({ url: DEFAULT_SERVER_URL, token: '' });
    await store.save({ url: 'ws://localhost:7878/v1/ws', token: 'abc123' });
    expect(secure.saved.get('framewright.token')).toBe('abc123');
    expect([...local.values()]).toEqual(['ws://localhost:7878/v1/ws']);
    expect(await store.load()).toEqual({ url: 'ws://localhost:7878/v1/ws', token: 'abc123' });
  });

  it('finds secure storage under uxp.storage or at the top of the module', () => {
    const secure = memorySecureStorage();
    expect(secureStorageOf({ storage: { secureStorage: secure } })).toBe(secure);
    expect(secureStorageOf({ secureStorage: secure })).toBe(secure);
    expect(secureStorageOf(undefined)).toBeUndefined();
  });
});

describe('panel messages', () => {
  it('says in one line what failed and what to do', () => {
    expect(describeError(new SdkError('CONNECTION_FAILED', 'no Framewright server is listening at ws://x'))).toBe('Server not reachable: no Framewright server is listening at ws://x');
    expect(describeError(new FramewrightError('UNSUPPORTED_VERSION', 'peer offers [1.0]\nmore'))).toBe(
      'Protocol version not supported: this panel speaks 1.2, 1.1, 1.0 and the server does not (peer offers [1.0]). Update the panel or the engine so they match.',
    );
    expect(describeError(new FramewrightError('CANCELLED', 'job cancelled'))).toMatch(/^Cancelled: .*nothing was changed/);
    expect(describeError(new FramewrightError('INPUT_NOT_FOUND', 'input /x.mp4 does not exist'))).toBe(
      'The media file cannot be read: input /x.mp4 does not exist. Relink the clip in Premiere Pro (or copy the file back), then try again.',
    );
    expect(describeError(new SdkError('CONNECTION_FAILED', 'no Framewright server is listening at ws://127.0.0.1:9000/v1/ws'), { port: 9000, ports: [7878, 7879] })).toBe(
      'Server not reachable: no Framewright server is listening at ws://127.0.0.1:9000/v1/ws. Premiere Pro lets the panel reach ports 7878, 7879 only: run `framewright serve --port 7878` and connect there.',
    );
    expect(describeError(new HostError('NO_SEQUENCE', 'no active sequence'))).toBe('Premiere Pro: no active sequence');
  });
});
