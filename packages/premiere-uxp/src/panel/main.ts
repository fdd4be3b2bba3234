// Entry of the panel bundle. `premierepro` and `uxp` are UXP's built-in modules, required at run
// time (the bundler leaves them external); in the browser test a page script provides both.
import type { premierepro } from '@adobe/premierepro';
import { PremiereHost } from '../host/premiere-host.js';
import { FramewrightPanel } from './app.js';
import { describeError } from './messages.js';
import { SettingsStore } from './settings.js';
import { secureStorageOf, type UxpModule } from './uxp.js';

declare const require: (id: string) => unknown;
declare const __PLUGIN_VERSION__: string;

async function start(): Promise<void> {
  const root = document.getElementById('framewright-root') ?? document.body;
  try {
    const ppro = require('premierepro') as premierepro;
    const uxp = require('uxp') as UxpModule;
    const local = typeof localStorage === 'undefined' ? undefined : localStorage;
    await FramewrightPanel.mount({ document, root, host: new PremiereHost(ppro), settings: new SettingsStore(secureStorageOf(uxp), local), version: __PLUGIN_VERSION__ });
  } catch (error) {
    root.textContent = `Framewright could not start: ${describeError(error)}`;
  }
}

void start();
