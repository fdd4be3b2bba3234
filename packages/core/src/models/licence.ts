// The licence of a Hub repository, from its model card, and whether using it needs the user's
// explicit acceptance (non-commercial, unknown or gated).
import type { HubRepoInfo } from './hub.js';

/** A repository's licence as `pull` records and prints it. */
export interface RepoLicence {
  /** The card's `license_name`, else its `license` id (`mit`, `sai-nc-community`), else `unknown`. */
  readonly name: string;
  /** Where to read it: the card's `license_link`, else the repository page. */
  readonly url: string;
  /** Why `--accept-licence` is needed (non-commercial, unknown, gated); absent when it is not. */
  readonly needsAcceptance?: string;
}

// Card ids of licences that forbid commercial use or restrict it to research.
const NON_COMMERCIAL = /(^|[-_ ])nc([-_ ]|$)|non-?commercial|research|noncommercial/i;

/** The licence of `info` and whether pulling it needs `--accept-licence`. */
export function repoLicence(info: HubRepoInfo, endpoint: string): RepoLicence {
  const name = info.licenseName ?? info.license ?? 'unknown';
  const url = info.licenseLink ?? `${endpoint}/${info.id}`;
  let needsAcceptance: string | undefined;
  if (info.gated !== false) needsAcceptance = `the repository is gated (${info.gated}): its terms must be accepted`;
  else if (NON_COMMERCIAL.test(name)) needsAcceptance = 'it does not allow commercial use';
  else if (name === 'unknown' || name === 'other') needsAcceptance = 'its model card names no standard licence';
  return { name, url, ...(needsAcceptance === undefined ? {} : { needsAcceptance }) };
}
