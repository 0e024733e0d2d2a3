import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { format, inspect } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { onTestFinished, vi } from 'vitest';

/**
 * The secrets oracle of the tests, written apart from the redactor it checks: the needles that betray a canary
 * key, and a scan of captured text for them.
 *
 * A needle is any 8-character window of the key, or of one of its encodings: percent-encoded, and base64 /
 * base64url at each of the three byte offsets the key can start at inside a longer encoded string (only the
 * characters that depend on the key's bytes alone). Any leak of 8 or more characters of the key, or of any
 * encoding of 8 or more of its characters, contains one of them.
 */
export const NEEDLE_LENGTH = 8;

export function canaryNeedles(key: string): Set<string> {
  const percent = encodeURIComponent(key);
  const encodings = [key, percent, percent.replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase())];
  for (let offset = 0; offset < 3; offset++) {
    const padded = Buffer.concat([Buffer.alloc(offset, 0xff), Buffer.from(key)]);
    const base64 = padded.toString('base64');
    const firstClean = offset === 0 ? 0 : 4;
    const lastClean = Math.floor(padded.length / 3) * 4;
    const clean = base64.slice(firstClean, lastClean);
    encodings.push(clean, clean.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  const needles = new Set<string>();
  for (const encoding of encodings) {
    for (let start = 0; start + NEEDLE_LENGTH <= encoding.length; start++) {
      needles.add(encoding.slice(start, start + NEEDLE_LENGTH));
    }
  }
  return needles;
}

export interface CanaryHit {
  readonly key: string;
  /** Where the text came from (stdout, a file, a request body...). */
  readonly source: string;
  readonly needle: string;
  /** Some text around the hit, to find the leak. */
  readonly context: string;
}

/** Every needle of every key found in the texts, with where it was found. */
export function canaryHits(
  keys: Readonly<Record<string, string>>,
  texts: Iterable<{ readonly source: string; readonly text: string }>,
): CanaryHit[] {
  const needles = Object.entries(keys).map(([name, key]) => [name, canaryNeedles(key)] as const);
  const hits: CanaryHit[] = [];
  for (const { source, text } of texts) {
    for (const [key, set] of needles) {
      for (const needle of set) {
        const at = text.indexOf(needle);
        if (at === -1) continue;
        hits.push({ key, source, needle, context: text.slice(Math.max(0, at - 40), at + 48) });
        break;
      }
    }
  }
  return hits;
}

export interface Captured {
  readonly source: string;
  readonly text: string;
}

/**
 * Records everything written from now on through the console, to stdout and stderr (the Powertools logger writes
 * there), and every process warning, until the test ends; still written through. The spies are undone by
 * `vi.restoreAllMocks()`.
 */
export function captureAllOutput(): () => Captured[] {
  const captured: Captured[] = [];
  for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
    const original = console[method].bind(console);
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      captured.push({ source: `console.${method}`, text: format(...args) });
      original(...args);
    });
  }
  for (const [name, stream] of [
    ['stdout', process.stdout],
    ['stderr', process.stderr],
  ] as const) {
    const original = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
    vi.spyOn(stream, 'write').mockImplementation((chunk: unknown, ...rest: unknown[]) => {
      captured.push({ source: name, text: Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk) });
      return original(chunk, ...rest);
    });
  }
  const onWarning = (warning: Error) => {
    captured.push({ source: 'process warning', text: inspect(warning) });
  };
  process.on('warning', onWarning);
  onTestFinished(() => {
    process.off('warning', onWarning);
  });
  return () => [...captured];
}

/** An error (or any value) as everything that could print it would show it. */
export function exposedValue(source: string, value: unknown): Captured {
  let json: string;
  try {
    json = JSON.stringify(value) ?? '';
  } catch {
    json = '';
  }
  return {
    source,
    text: `${String(value)}\n${inspect(value, { depth: null, showHidden: true, getters: true })}\n${json}`,
  };
}

/**
 * The text of every file under `dir`. A trace the LangSmith client saved for replay (`LANGSMITH_FAILED_TRACES_DIR`)
 * holds its body in base64, maybe gzipped: that body is added decoded too.
 */
export async function filesUnder(dir: string): Promise<Captured[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  const captured: Captured[] = [];
  for (const entry of entries.filter((candidate) => candidate.isFile())) {
    const path = join(entry.parentPath, entry.name);
    const text = await readFile(path, 'utf8');
    captured.push({ source: path, text });
    const envelope = parseJson(text) as
      | { body_base64?: unknown; headers?: Record<string, string> }
      | undefined;
    if (typeof envelope?.body_base64 !== 'string') continue;
    const body = Buffer.from(envelope.body_base64, 'base64');
    const gzipped = Object.entries(envelope.headers ?? {}).some(
      ([name, value]) => name.toLowerCase() === 'content-encoding' && value === 'gzip',
    );
    captured.push({ source: `${path} (body)`, text: (gzipped ? gunzipSync(body) : body).toString('utf8') });
  }
  return captured;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
