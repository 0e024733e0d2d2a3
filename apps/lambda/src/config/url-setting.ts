import { containsSecret } from '../adapters/secrets/text-redactor.js';

export interface UrlSettingRules {
  /** The schemes accepted, as `URL.protocol` spells them (`'https:'`). */
  readonly schemes: readonly string[];
  /** The scheme assumed for a bare `host:port` (Ollama's own convention); without it a scheme is required. */
  readonly defaultScheme?: string;
  /** What a valid value looks like, for the error message. */
  readonly example: string;
  /** Values that must not appear in the URL, in any form (the API keys): a URL gets printed. */
  readonly secrets?: readonly (string | undefined)[];
}

export type UrlSetting =
  | { readonly url: URL; readonly problem?: undefined }
  | { readonly url?: undefined; readonly problem: string };

/**
 * Parses a setting that is a URL, strictly: `scheme://host[:port][/path]` with an accepted scheme, and no
 * credentials, query string or fragment (a key can hide in each, and the URL is logged and quoted by clients).
 * A problem names the variable and never quotes the value, nor its scheme or host: a key pasted into the
 * variable would otherwise be printed by the message that refuses it.
 */
export function parseUrlSetting(name: string, raw: string, rules: UrlSettingRules): UrlSetting {
  const schemes = rules.schemes.map((scheme) => scheme.replace(/:$/, '')).join(' or ');
  const expected = `a URL like ${rules.example}`;
  // The URL parser drops tabs and newlines silently, and accepts spaces in places: refuse them before it does.
  if (!/^[\x21-\x7e]+$/.test(raw)) {
    return { problem: `${name} must be ${expected}, without spaces, control or non-ASCII characters` };
  }
  const separator = raw.indexOf('://');
  if (separator === -1 && !rules.defaultScheme) return { problem: `${name} must be ${expected}` };
  const text = separator === -1 ? `${rules.defaultScheme}//${raw}` : raw;
  const authority = text.slice(text.indexOf('://') + 3).split(/[/?#]/, 1)[0] ?? '';
  if (authority.includes('@')) {
    return {
      problem: `${name} must not contain credentials (user:password@); keys go in their own variable`,
    };
  }
  if (/[?#]/.test(text)) {
    return { problem: `${name} must not have a query string or fragment (they can carry a key)` };
  }
  if (containsSecret(text, rules.secrets ?? [])) {
    return { problem: `${name} contains an API key (or part of one); keys go in their own variable` };
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { problem: `${name} must be ${expected}` };
  }
  if (!rules.schemes.includes(url.protocol)) return { problem: `${name} must use ${schemes}` };
  if (!url.hostname) return { problem: `${name} must name a host` };
  return { url };
}

/** The URL as clients take it: normalised, without a trailing slash. */
export function baseUrl(url: URL): string {
  return url.href.replace(/\/+$/, '');
}
