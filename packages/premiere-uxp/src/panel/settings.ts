import { DEFAULT_SERVER_URL } from '../manifest.js';
import type { SecureStorage } from './uxp.js';

/** Where the panel finds the engine. */
export interface ConnectionSettings {
  /** WebSocket endpoint, e.g. `ws://127.0.0.1:7878/v1/ws`. */
  url: string;
  /** Bearer token from the server's token file. */
  token: string;
}

/** UTF-8 bytes to text; tokens are ASCII, so char codes suffice where TextDecoder is missing. */
function decodeText(value: Uint8Array | string): string {
  if (typeof value === 'string') return value;
  if (typeof TextDecoder === 'function') return new TextDecoder().decode(value);
  return String.fromCharCode(...value);
}

const URL_KEY = 'framewright.serverUrl';
const TOKEN_KEY = 'framewright.token';

/**
 * Keeps the server URL (plain local storage) and the token (UXP secure storage, encrypted with
 * the user's credentials) so they are pasted once.
 */
export class SettingsStore {
  /**
   * @param secure - UXP secure storage; without it (outside UXP) the token is not kept
   * @param local - `localStorage`
   */
  constructor(
    private readonly secure: SecureStorage | undefined,
    private readonly local: Pick<Storage, 'getItem' | 'setItem'> | undefined,
  ) {}

  /** The saved settings, or the defaults. */
  async load(): Promise<ConnectionSettings> {
    const url = this.local?.getItem(URL_KEY) ?? DEFAULT_SERVER_URL;
    let token = '';
    try {
      const bytes = await this.secure?.getItem(TOKEN_KEY);
      if (bytes !== undefined && bytes !== null) token = decodeText(bytes);
    } catch {
      // Nothing saved yet: secure storage rejects an unknown key.
    }
    return { url, token };
  }

  /** Saves the settings. */
  async save(settings: ConnectionSettings): Promise<void> {
    this.local?.setItem(URL_KEY, settings.url);
    if (this.secure !== undefined && settings.token !== '') await this.secure.setItem(TOKEN_KEY, settings.token);
  }
}
