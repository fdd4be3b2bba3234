/**
 * DaVinci Resolve bridge for Framewright (work in progress: see issue 8).
 * @packageDocumentation
 */

/** The name of the Media Pool bin that receives Framewright results. */
export const RESOLVE_BIN_NAME = 'Framewright';
