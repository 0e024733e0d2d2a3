// Words that carry no identity in a merchant name or an address.
const STOP_WORDS = new Set(['THE', 'AND', 'OF', 'AT', 'A', 'AN', 'USA', 'US']);

/** The upper-cased alphanumeric tokens of a text: "Trader Joe's #123" -> TRADER, JOES, 123. */
export function comparisonTokens(text: string): string[] {
  return text
    .toUpperCase()
    .replaceAll(/['’`]/g, '')
    .split(/[^A-Z0-9]+/)
    .filter((token) => token !== '' && !STOP_WORDS.has(token));
}

export function levenshteinDistance(a: string, b: string): number {
  if (a === b) return 0;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** 1 for equal strings, 0 for strings with nothing in common: 1 - distance / longer length. */
export function levenshteinRatio(a: string, b: string): number {
  const longer = Math.max(a.length, b.length);
  return longer === 0 ? 1 : 1 - levenshteinDistance(a, b) / longer;
}

/**
 * Token-set similarity in [0, 1]: compares the shared tokens with each side's whole token set, so that word
 * order, punctuation and extra words on one side ("KROGER" vs "Kroger Fuel Center") cost little.
 */
export function tokenSetSimilarity(a: string, b: string): number {
  const left = new Set(comparisonTokens(a));
  const right = new Set(comparisonTokens(b));
  if (left.size === 0 || right.size === 0) return left.size === right.size ? 1 : 0;
  const shared = [...left].filter((token) => right.has(token)).sort();
  const onlyLeft = [...left].filter((token) => !right.has(token)).sort();
  const onlyRight = [...right].filter((token) => !left.has(token)).sort();
  const base = shared.join(' ');
  const withLeft = [...shared, ...onlyLeft].join(' ');
  const withRight = [...shared, ...onlyRight].join(' ');
  const scores = [levenshteinRatio(withLeft, withRight)];
  if (shared.length > 0) scores.push(levenshteinRatio(base, withLeft), levenshteinRatio(base, withRight));
  return Math.max(...scores);
}

/**
 * Similarity of two names or addresses in [0, 1]: the better of the token-set similarity and the Levenshtein
 * ratio of the texts reduced to upper-case alphanumerics ("CVS/pharmacy" vs "CVS Pharmacy" is 1).
 */
export function textSimilarity(a: string, b: string): number {
  const compactA = comparisonTokens(a).join('');
  const compactB = comparisonTokens(b).join('');
  return Math.max(levenshteinRatio(compactA, compactB), tokenSetSimilarity(a, b));
}

/**
 * Share of the needle's tokens that appear, allowing an OCR slip, among the haystack's tokens: whether a text
 * mentions a name, whatever else it says.
 */
export function tokenContainment(needle: string, haystack: string): number {
  const wanted = comparisonTokens(needle);
  const available = comparisonTokens(haystack);
  if (wanted.length === 0) return 0;
  const found = wanted.filter((token) => available.some((other) => levenshteinRatio(token, other) >= 0.8));
  return found.length / wanted.length;
}

/** The digits of a phone number without the US country code, for comparing numbers however formatted. */
export function phoneDigits(text: string): string {
  const digits = text.replaceAll(/\D/g, '');
  return digits.length === 11 && digits.startsWith('1') ? digits.slice(1) : digits;
}
