/**
 * OBS Studio adapter for Framewright (work in progress: see issue 6).
 * @packageDocumentation
 */

/** The obs-websocket RPC version this adapter speaks. */
export const OBS_RPC_VERSION = 1;
