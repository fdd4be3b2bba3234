import { isSdkError } from '@framewright/core/client';
import { isFramewrightError, oneLine, PROTOCOL_VERSIONS } from '@framewright/core/protocol';
import { isHostError } from '../host/errors.js';

/**
 * One line that tells the user what went wrong and what to do, for anything a panel action can
 * throw: SDK errors (connection), engine errors (from the server) and Premiere Pro refusals.
 */
export function describeError(error: unknown, where: { port?: number; ports?: readonly number[] } = {}): string {
  if (isHostError(error)) return `Premiere Pro: ${error.message}`;
  if (isSdkError(error)) {
    switch (error.code) {
      case 'CONNECTION_FAILED': {
        const blocked = where.port !== undefined && where.ports !== undefined && !where.ports.includes(where.port);
        const fix = blocked ? `. Premiere Pro lets the panel reach ports ${where.ports?.join(', ')} only: run \`framewright serve --port ${where.ports?.[0]}\` and connect there.` : '';
        return `Server not reachable: ${error.message}${fix}`;
      }
      case 'CONNECTION_REJECTED':
        return `Connection refused: ${error.message}. Paste the token from the server's token file (framewright doctor shows where).`;
      case 'UNSUPPORTED_VERSION':
        return `Protocol version not supported: ${error.message}`;
      case 'CONNECTION_CLOSED':
        return `Connection lost: ${error.message}`;
      default:
        return oneLine(error.message);
    }
  }
  if (isFramewrightError(error)) {
    switch (error.code) {
      case 'UNSUPPORTED_VERSION':
        return `Protocol version not supported: this panel speaks ${PROTOCOL_VERSIONS.join(', ')} and the server does not (${oneLine(error.message)}). Update the panel or the engine so they match.`;
      case 'UNAUTHORIZED':
        return `Wrong token: ${oneLine(error.message)}`;
      case 'OPERATION_UNAVAILABLE':
        return `Not available on this server: ${oneLine(error.message)}`;
      case 'CANCELLED':
        return 'Cancelled: the job was stopped and nothing was changed in the project.';
      case 'INPUT_NOT_FOUND':
      case 'INPUT_UNREADABLE':
        return `The media file cannot be read: ${oneLine(error.message)}. Relink the clip in Premiere Pro (or copy the file back), then try again.`;
      case 'UNSUPPORTED_MEDIA':
        return `Framewright cannot read this media: ${oneLine(error.message)}. Pick a video clip or a PNG/JPEG still.`;
      case 'MODEL_NOT_FOUND':
      case 'MODEL_INVALID':
        return `The model is missing or broken: ${oneLine(error.message)}. Pick another model, or install the pack again with \`framewright models pull\`.`;
      case 'OUTPUT_NOT_ALLOWED':
      case 'OUTPUT_FAILED':
        return `The result could not be written: ${oneLine(error.message)}. Check the free space and the engine's output folder (\`framewright doctor\`).`;
      case 'INVALID_PARAMS':
        return `The engine refused the settings: ${oneLine(error.message)}. Change the field it names and try again.`;
      default:
        return `${error.code}: ${oneLine(error.message)}`;
    }
  }
  return oneLine(error instanceof Error ? error.message : String(error)) || 'unknown error';
}
