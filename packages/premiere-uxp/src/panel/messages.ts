import { isSdkError } from '@framewright/core/client';
import { isFramewrightError, oneLine, PROTOCOL_VERSIONS } from '@framewright/core/protocol';
import { isHostError } from '../host/errors.js';

/**
 * One line that tells the user what went wrong and what to do, for anything a panel action can
 * throw: SDK errors (connection), engine errors (from the server) and Premiere Pro refusals.
 */
export function describeError(error: unknown): string {
  if (isHostError(error)) return `Premiere Pro: ${error.message}`;
  if (isSdkError(error)) {
    switch (error.code) {
      case 'CONNECTION_FAILED':
        return `Server not reachable: ${error.message}`;
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
      default:
        return `${error.code}: ${oneLine(error.message)}`;
    }
  }
  return oneLine(error instanceof Error ? error.message : String(error)) || 'unknown error';
}
