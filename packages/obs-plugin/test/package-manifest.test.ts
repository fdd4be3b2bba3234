// What `framewright` reads from this package without loading it: the program behind
// `framewright obs …` and the folder `framewright serve` serves as the dock.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DOCK_PATH, dockFolder } from '../src/dock/pages.js';

const root = join(import.meta.dirname, '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  bin: Record<string, string>;
  files: string[];
  framewright: { pages: Record<string, string> };
};

describe('package.json for framewright', () => {
  it('declares the framewright-obs program, shipped in the package', () => {
    const bin = manifest.bin['framewright-obs'];
    expect(bin).toBe('bin/framewright-obs.js');
    expect(existsSync(join(root, bin!))).toBe(true);
    expect(manifest.files).toContain('bin');
  });

  it('declares the dock folder where the build puts it, at the path the dock URL uses', () => {
    expect(Object.keys(manifest.framewright.pages)).toEqual([DOCK_PATH]);
    expect(resolve(root, manifest.framewright.pages[DOCK_PATH]!)).toBe(join(root, 'dist', 'dock'));
    // The built dock (npm install builds every package) is found where the manifest says.
    expect(dockFolder()).toBe(join(root, 'dist', 'dock'));
  });
});
