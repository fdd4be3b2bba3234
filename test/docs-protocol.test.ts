// docs/protocol.md is generated from the published JSON Schemas; this fails when it is stale, like
// the schemas test does for packages/core/schemas. Fix: `npm run docs:protocol`.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { operationErrorCodes, renderProtocolDocs } from '../packages/core/scripts/protocol-docs.js';
import { ERROR_CODES, OPERATION_NAMES, publishedSchemas } from '../packages/core/src/protocol/index.js';

const root = resolve(import.meta.dirname, '..');
const coreSrc = join(root, 'packages', 'core', 'src');
const committed = readFileSync(join(root, 'docs', 'protocol.md'), 'utf8');

describe('docs/protocol.md', () => {
  it('is what npm run docs:protocol renders from the current schemas', () => {
    expect(committed).toBe(renderProtocolDocs(coreSrc));
  });

  it("lists every operation's params, result, progress and error codes", () => {
    for (const op of OPERATION_NAMES) {
      const section = committed.slice(committed.indexOf(`### ${op}\n`), committed.indexOf('\n### ', committed.indexOf(`### ${op}\n`) + 1));
      expect(section, op).toContain('#### Params');
      expect(section, op).toContain('#### Result');
      expect(section, op).toContain('#### Progress');
      expect(section, op).toContain('#### Error codes');
      // Every top-level param field of the published schema has a row.
      const params = publishedSchemas()[`${op}.params`] as { properties: Record<string, unknown> };
      for (const field of Object.keys(params.properties)) expect(section, `${op}.${field}`).toContain(`| \`${field}\` |`);
      for (const code of operationErrorCodes(op, coreSrc)) expect(section).toContain(`\`${code}\``);
    }
  });

  it('describes every error code with its HTTP status', () => {
    for (const code of ERROR_CODES) expect(committed).toMatch(new RegExp(`\\| \`${code}\` \\| \\d{3} \\| -32\\d{3} \\| \\S`));
  });

  it('names the codes an operation throws in its own folder', () => {
    // clip-cut reads media and runs shot-detection packs, so both layers' codes are listed;
    // image-gen reads no media, so the media layer's are not.
    expect(operationErrorCodes('clip-cut', coreSrc)).toEqual(expect.arrayContaining(['INPUT_NOT_FOUND', 'UNSUPPORTED_MEDIA', 'FFMPEG_FAILED', 'CANCELLED', 'MODEL_NOT_FOUND', 'MODEL_INVALID']));
    expect(operationErrorCodes('image-gen', coreSrc)).not.toContain('FFMPEG_FAILED');
  });
});
