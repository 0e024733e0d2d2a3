/**
 * What an API key may look like. Real keys (LangSmith `lsv2_...`, hosted Ollama) are 40 to 60 visible ASCII
 * characters. Shorter than 16 is not a key; the redactor matches fragments of 8, which must stay rare in text.
 */
export const API_KEY_LENGTH = { min: 16, max: 1024 } as const;

/**
 * Why `key` cannot be an API key, naming the variable and never quoting the key or any part of it; undefined
 * when it can. A key that is not sent as it is would not be found by the redactor either: whitespace and
 * control characters (a pasted newline) break the header or are trimmed by it, and quotes and backslashes are
 * escaped in JSON text.
 */
export function apiKeyProblem(name: string, key: string): string | undefined {
  const hidden = '(the value is not shown)';
  if (/[\s\p{Cc}]/u.test(key)) {
    return `${name} contains whitespace or a control character, such as a pasted newline ${hidden}`;
  }
  if (!/^[\x21-\x7e]*$/.test(key)) return `${name} must be visible ASCII characters only ${hidden}`;
  if (/["\\]/.test(key)) return `${name} must not contain quotes or backslashes ${hidden}`;
  if (key.length < API_KEY_LENGTH.min || key.length > API_KEY_LENGTH.max) {
    return `${name} must be ${API_KEY_LENGTH.min} to ${API_KEY_LENGTH.max} characters long, got ${key.length} ${hidden}`;
  }
  return undefined;
}

/** The variables that hold API keys. */
export const API_KEY_VARIABLES = ['OLLAMA_API_KEY', 'LANGSMITH_API_KEY', 'LANGCHAIN_API_KEY'] as const;

/**
 * The API keys in `env` that are long enough to be looked for in other settings (a key pasted into a URL), used
 * or not; a shorter value is no key, and matching it whole would refuse innocent text.
 */
export function apiKeysIn(env: Readonly<Record<string, string | undefined>>): string[] {
  return API_KEY_VARIABLES.flatMap((name) => {
    const key = env[name];
    return key !== undefined && key.trim().length >= API_KEY_LENGTH.min ? [key] : [];
  });
}
