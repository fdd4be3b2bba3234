// `npm install` prints no npm warning: every dependency with an install script is reviewed in
// package.json's allowScripts (npm 11.16+ lists the others after every install), and no .npmrc
// holds a key npm does not know (npm warns "Unknown project config" on every npm and npx).
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { hasInstallScript?: boolean; link?: boolean }> };
const allow = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { allowScripts: Record<string, boolean> }).allowScripts;

describe('install scripts', () => {
  it('every locked dependency with an install script is allowed or denied in allowScripts', () => {
    const withScripts = Object.entries(lock.packages)
      .filter(([path, entry]) => path.startsWith('node_modules/') && entry.hasInstallScript === true)
      .map(([path]) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length));
    expect(withScripts.length).toBeGreaterThan(0);
    expect([...new Set(withScripts)].filter((name) => !(name in allow))).toEqual([]);
  });

  it("denies onnxruntime-node's script (it would download the CUDA provider from nuget.org) and needs no .npmrc for it", () => {
    expect(allow['onnxruntime-node']).toBe(false);
    expect(existsSync(join(root, '.npmrc')) ? readFileSync(join(root, '.npmrc'), 'utf8') : '').not.toMatch(/onnxruntime/);
  });
});
