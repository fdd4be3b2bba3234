// A registry entry for an operation a test build leaves out (engine-fakes.ts): the engine itself
// registers every operation it declares, so this lives with the tests.
import { FramewrightError, type OperationName } from '../../src/protocol/index.js';
import type { Operation } from '../../src/ops/types.js';

/** An operation that is declared by the protocol but cannot run in this build; it says why. */
export function unavailableOperation<O extends OperationName>(name: O, reason: string): Operation<O> {
  return {
    name,
    availability: () => Promise.resolve({ available: false, reason }),
    run: () => Promise.reject(new FramewrightError('OPERATION_UNAVAILABLE', reason)),
  };
}
