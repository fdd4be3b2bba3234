import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** URL prefix under which `framewright serve` serves the dock page. */
export const DOCK_PATH = '/dock/';

/**
 * The folder holding the built dock page (`index.html` and `dock.js`), or undefined when the
 * package was not built. Built code sits in `dist/` beside `dist/dock/`; tests run the sources
 * in `src/` and find it in `../dist/dock/`.
 */
export function dockFolder(): string | undefined {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, 'dock'), join(here, '..', 'dist', 'dock'), join(here, '..', '..', 'dist', 'dock')];
  return candidates.find((folder) => existsSync(join(folder, 'index.html')) && existsSync(join(folder, 'dock.js')));
}

/**
 * The pages this adapter asks `framewright serve` to serve: the OBS dock at {@link DOCK_PATH}
 * (nothing when the dock was not built).
 */
export function servedPages(): Record<string, string> {
  const folder = dockFolder();
  return folder === undefined ? {} : { [DOCK_PATH]: folder };
}
