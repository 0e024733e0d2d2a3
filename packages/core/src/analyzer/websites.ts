import type { ProposalSet } from './proposal-set.js';
import { type LayoutLine, matchWords } from './receipt-layout.js';

// A URL, or a host name ending in a common top-level domain; e-mail addresses (after an @) are not websites.
const WEBSITE =
  /(?<![@\w.])(?:HTTPS?:\/\/\S+|(?:WWW\.)?[A-Z0-9-]+(?:\.[A-Z0-9-]+)*\.(?:COM|NET|ORG|US|CO|BIZ|INFO|IO|GOV|EDU|STORE|SHOP|SITE|ONLINE|APP|ME|TV|CAFE)(?:\/\S*)?)(?![\w@])/g;

/** Labels web addresses and returns them (a store's web address usually spells its name). */
export function labelWebsites(lines: readonly LayoutLine[], proposals: ProposalSet): string[] {
  const found: string[] = [];
  for (const line of lines) {
    for (const { match, words } of matchWords(line, WEBSITE)) {
      proposals.claimAll(words, 'WEBSITE', `matches a web address (${match[0].toLowerCase()})`);
      found.push(match[0]);
    }
  }
  return found;
}
