// The public API is deliberate: each published entry point's exported names, kinds and
// signatures (derived from the sources by packages/core/scripts/api-report.ts) must equal its
// committed report, packages/<package>/api/<entry>.api.md. A change to the surface fails here
// until the report is rewritten (`npm run api:update`) and the diff reviewed.
import { existsSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { API_ENTRIES, apiProgram, exportedApi, renderReport } from '../packages/core/scripts/api-report.js';

const repo = new URL('..', import.meta.url).pathname;

/** The lines only in `a` (`-`) and only in `b` (`+`), in order: enough to say what changed. */
function lineDiff(committed: string, current: string): string {
  const a = committed.split('\n');
  const b = current.split('\n');
  const inA = new Set(a);
  const inB = new Set(b);
  return [...a.filter((l) => !inB.has(l)).map((l) => `- ${l}`), ...b.filter((l) => !inA.has(l)).map((l) => `+ ${l}`)].join('\n');
}

describe('API reports', () => {
  const program = apiProgram();

  for (const entry of API_ENTRIES) {
    it(`${entry.specifier} exports what ${relative(repo, entry.report)} says`, () => {
      const current = renderReport(entry, exportedApi(program, entry.source));
      const committed = existsSync(entry.report) ? readFileSync(entry.report, 'utf8') : '';
      if (current !== committed) {
        throw new Error(
          `the public API of ${entry.specifier} differs from ${relative(repo, entry.report)}:\n${lineDiff(committed, current)}\n` +
            'If the change is meant, run `npm run api:update` and commit the report with it.',
        );
      }
    });
  }

  it('the root entry is the engine API: a short list, no model internals, CLI or test helpers', () => {
    const root = exportedApi(program, API_ENTRIES[0]!.source).map((a) => a.name);
    expect(root.length).toBeLessThan(60);
    for (const name of ['runOperation', 'checkOperation', 'listCapabilities', 'startServer', 'FramewrightError', 'listInstalledModels', 'ClipCutParams', 'VideoGenResult']) expect(root).toContain(name);
    for (const internal of ['silu', 'unpatchify', 'TransformerModel', 'train', 'EXIT', 'OPERATION_REGISTRY', 'JobQueue', 'SdTurboPipeline', 'shapesVocabulary', 'writeAtomic']) expect(root).not.toContain(internal);
  });

  it('derives kinds and signatures from the declarations, overloads without their implementation', () => {
    const host = exportedApi(program, API_ENTRIES.find((e) => e.specifier === '@framewright/core/host')!.source);
    expect(host.find((a) => a.name === 'loadOrCreateToken')).toEqual({ name: 'loadOrCreateToken', kind: 'function', text: 'function loadOrCreateToken(configDir: string): Promise<string>' });
    expect(host.find((a) => a.name === 'TOKEN_FILE_NAME')?.text).toBe("const TOKEN_FILE_NAME: 'token'");
    const client = exportedApi(program, API_ENTRIES.find((e) => e.specifier === '@framewright/core/client')!.source);
    const sdkError = client.find((a) => a.name === 'SdkError');
    expect(sdkError?.kind).toBe('class');
    expect(sdkError?.text).toContain('class SdkError extends CodedError<SdkErrorCode> {');
    expect(sdkError?.text).not.toMatch(/private|#/);
    // Members are listed, protected ones (the base's constructor) are not.
    expect(client.find((a) => a.name === 'FramewrightError')?.text).toContain('  readonly pointer: string | undefined;');
    expect(client.find((a) => a.name === 'CodedError')?.text).toBe('class CodedError<C extends string = string> extends Error {\n  readonly code: C;\n  toJSON(): CodedErrorJson<C>;\n}');
  });
});
