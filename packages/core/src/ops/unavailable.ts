import { FramewrightError, type OperationName } from '../protocol/index.js';
import type { Operation } from './types.js';

/** An operation that is declared by the protocol but cannot run in this build; it says why. */
export function unavailableOperation<O extends OperationName>(name: O, reason: string): Operation<O> {
  return {
    name,
    availability: () => Promise.resolve({ available: false, reason }),
    run: () => Promise.reject(new FramewrightError('OPERATION_UNAVAILABLE', reason)),
  };
}
