/// <reference path="../../../../node_modules/@adobe/cc-ext-uxp-types/uxp/index.d.ts" />
import type { secureStorage } from 'uxp';

/** UXP's encrypted per-plugin key-value store (`require('uxp').storage.secureStorage`). */
export type SecureStorage = Pick<typeof secureStorage, 'getItem' | 'setItem' | 'removeItem'>;

/**
 * The part of the `uxp` module the panel uses. The published typings put `secureStorage` at the
 * top of the module while UXP's documentation reaches it through `storage`; both are accepted.
 */
export interface UxpModule {
  storage?: { secureStorage?: SecureStorage };
  secureStorage?: SecureStorage;
}

/** The secure store of a `uxp` module, wherever this UXP version keeps it. */
export function secureStorageOf(uxp: UxpModule | undefined): SecureStorage | undefined {
  return uxp?.storage?.secureStorage ?? uxp?.secureStorage;
}
