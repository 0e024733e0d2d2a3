/**
 * Longest value an error quotes back. Shorter than any API key we accept (see `API_KEY_LENGTH`), so a key pasted
 * into the wrong variable is never printed by the message that refuses it.
 */
const MAX_SHOWN_CHARS = 12;

/** How an error message shows a bad value: quoted when short and printable, otherwise only its length. */
export function shownValue(raw: string): string {
  return raw.length <= MAX_SHOWN_CHARS && /^[\x21-\x7e]*$/.test(raw)
    ? `"${raw}"`
    : `a value of ${raw.length} characters (not shown)`;
}
