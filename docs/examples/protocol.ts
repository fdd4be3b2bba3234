// The protocol from any runtime (Node, browser, UXP): validate params before sending them, and
// negotiate a version. Type-checked by `npm run typecheck`.
import { assertValid, ClipCutParamsSchema, FramewrightError, negotiateVersion, type ClipCutParams } from '@framewright/core/protocol';

const params: unknown = JSON.parse('{"input": "/videos/talk.mp4", "exports": ["edl", "otio"], "minClipSeconds": 1}');
try {
  assertValid(ClipCutParamsSchema, params, 'clip-cut params'); // narrows params to ClipCutParams
  const checked: ClipCutParams = params;
  console.log('valid:', checked.input, 'protocol', negotiateVersion(['1.0']));
} catch (error) {
  // INVALID_PARAMS, with the JSON pointer of the bad field in error.pointer
  if (error instanceof FramewrightError) console.error(error.code, error.pointer, error.message);
  else throw error;
}
