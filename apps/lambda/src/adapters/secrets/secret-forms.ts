/**
 * The forms a secret takes on its way into text: as it is, percent-encoded (upper- and lower-case hex), and
 * base64 / base64url. Inside a longer encoded string (`Basic base64(user:key)`) the secret's bytes can start at
 * any of three offsets within a 3-byte group, and the characters of its first and last groups then mix in the
 * neighbouring bytes; so for each offset the form kept is the run of characters that depend on the secret alone.
 * The standalone encodings (padded and not) are forms too.
 */
export function secretForms(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const percent = encodeURIComponent(secret);
  const forms = new Set([secret, percent, percent.replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase())]);
  const base64 = (text: string) => [text, toBase64Url(text)];
  const whole = bytes.toString('base64');
  for (const form of [...base64(whole), ...base64(whole.replace(/=+$/, ''))]) forms.add(form);
  for (const offset of [0, 1, 2]) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    const start = offset === 0 ? 0 : 4;
    const end = 4 * Math.floor((offset + bytes.length) / 3);
    if (end > start) for (const form of base64(encoded.slice(start, end))) forms.add(form);
  }
  return [...forms];
}

function toBase64Url(base64: string): string {
  return base64.replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}
