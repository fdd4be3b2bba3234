import { FramewrightError } from './errors.js';

/**
 * Protocol versions this build speaks, newest first. 1.1: video-gen's `frames` is the video's
 * frame count in every mode (in 1.0 it counted in-between frames per gap for interpolate).
 * 1.2: the `models-pull` operation (a Hugging Face Hub model pulled into the server's model
 * folder, as a job); a 1.0 or 1.1 peer neither sees it (capabilities, job lists) nor may submit it.
 */
export const PROTOCOL_VERSIONS = ['1.2', '1.1', '1.0'] as const;

/** One of {@link PROTOCOL_VERSIONS}. */
export type ProtocolVersion = (typeof PROTOCOL_VERSIONS)[number];

/** The newest protocol version this build speaks. */
export const LATEST_PROTOCOL_VERSION: ProtocolVersion = PROTOCOL_VERSIONS[0];

/**
 * Picks the first version in `offered` (the peer's preference order, newest first) that this
 * build also speaks.
 *
 * @throws FramewrightError `UNSUPPORTED_VERSION` naming both lists when there is none in common.
 */
export function negotiateVersion(offered: readonly string[]): ProtocolVersion {
  const chosen = offered.find((v): v is ProtocolVersion => (PROTOCOL_VERSIONS as readonly string[]).includes(v));
  if (chosen === undefined) {
    throw new FramewrightError(
      'UNSUPPORTED_VERSION',
      `no common protocol version: peer offers [${offered.join(', ')}], this side speaks [${PROTOCOL_VERSIONS.join(', ')}]`,
    );
  }
  return chosen;
}
