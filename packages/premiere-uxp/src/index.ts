/**
 * Premiere Pro UXP adapter for Framewright (work in progress: see issue 7).
 * @packageDocumentation
 */

/** The lowest Premiere Pro version the panel supports. */
export const MIN_PREMIERE_VERSION = '25.6.0';
