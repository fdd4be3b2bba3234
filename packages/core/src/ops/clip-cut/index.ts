import { unavailableOperation } from '../unavailable.js';

/** clip-cut (being built: see issue 2). */
export const clipCutOperation = unavailableOperation('clip-cut', 'clip-cut is being built');
