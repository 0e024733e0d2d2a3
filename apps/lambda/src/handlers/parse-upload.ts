import {
  describeValue,
  InvalidValueError,
  type MerchantRecord,
  parseMerchantRecord,
  parseReceiptLine,
  parseReceiptRef,
  parseReceiptWord,
  parseUuid,
  type ReceiptLine,
  type ReceiptRef,
  type ReceiptWord,
} from '@receipt-gate/core';

/** What the OCR step hands the upload handler for one receipt (camelCase JSON). */
export interface UploadEvent {
  readonly imageId: string;
  readonly receiptId: number;
  /** Defaults to a run id derived from the content, so a retried upload creates no second run. */
  readonly runId?: string;
  readonly lines: readonly Record<string, unknown>[];
  readonly words: readonly Record<string, unknown>[];
  /** The receipt's merchant record (the fields of MerchantRecord), stored unless the receipt has one. */
  readonly metadata?: Record<string, unknown>;
}

export interface ParsedUpload {
  readonly receipt: ReceiptRef;
  readonly runId?: string;
  readonly lines: ReceiptLine[];
  readonly words: ReceiptWord[];
  readonly metadata?: MerchantRecord;
}

/** The upload was refused before anything was written; `problems` lists every reason found. */
export class InvalidUploadError extends Error {
  override readonly name = 'InvalidUploadError';

  constructor(readonly problems: readonly string[]) {
    super(
      `invalid upload, nothing was written: ${problems.slice(0, 10).join('; ')}${problems.length > 10 ? '; ...' : ''}`,
    );
  }
}

/**
 * Validates a whole upload, collecting every problem, so a bad one is refused before any write. Every entry of
 * every list is checked for its shape first (an object), so a `null` or a number in a list is a problem named by
 * its place, never a TypeError.
 */
export function parseUpload(event: unknown): ParsedUpload {
  if (!isObject(event)) throw new InvalidUploadError(['the event must be an object']);
  const input = event as Partial<Record<keyof UploadEvent, unknown>>;
  const problems: string[] = [];
  const attempt = <T>(where: string, parse: () => T): T | undefined => {
    try {
      return parse();
    } catch (error) {
      if (!(error instanceof InvalidValueError)) throw error;
      problems.push(where ? `${where}: ${error.message}` : error.message);
      return undefined;
    }
  };
  const receipt = attempt('', () => parseReceiptRef({ imageId: input.imageId, receiptId: input.receiptId }));
  const runId = input.runId === undefined ? undefined : attempt('', () => parseUuid('run_id', input.runId));
  if (!Array.isArray(input.lines) || input.lines.length === 0)
    problems.push('lines: expected a non-empty list');
  if (!Array.isArray(input.words)) problems.push('words: expected a list');
  if (input.metadata !== undefined && !isObject(input.metadata)) {
    problems.push(`metadata: expected an object, got ${describeValue(input.metadata)}`);
  }
  if (!receipt || problems.length > 0) throw new InvalidUploadError(problems);

  // Array.from, not flatMap alone: a hole of a sparse list is an entry too (nothing), never skipped.
  const entries = (list: string, value: unknown): Record<string, unknown>[] =>
    Array.from(value as unknown[]).flatMap((entry, i) => {
      if (isObject(entry)) return [entry];
      problems.push(
        `${list}[${i}]: expected an object, got ${Array.isArray(entry) ? 'a list' : describeValue(entry)}`,
      );
      return [];
    });
  const rawLines = entries('lines', input.lines);
  entries('words', input.words);
  const lines = Array.from(input.lines as unknown[]).flatMap((line, i) =>
    isObject(line) ? (attempt(`lines[${i}]`, () => parseReceiptLine({ ...line, ...receipt })) ?? []) : [],
  );
  const words = Array.from(input.words as unknown[]).flatMap((word, i) =>
    isObject(word) ? (attempt(`words[${i}]`, () => parseReceiptWord({ ...word, ...receipt })) ?? []) : [],
  );
  const record = input.metadata;
  const metadata = isObject(record)
    ? attempt('metadata', () => parseMerchantRecord({ ...record, ...receipt }))
    : undefined;

  // Line ids as given, so a word on a line refused for another reason is not reported twice.
  const lineIds = new Set(rawLines.map((line) => line.lineId));
  const seenLines = new Set<number>();
  for (const line of lines) {
    if (seenLines.has(line.lineId)) problems.push(`lines: line ${line.lineId} appears twice`);
    seenLines.add(line.lineId);
  }
  const wordIds = new Set<string>();
  for (const word of words) {
    const id = `${word.lineId}/${word.wordId}`;
    if (wordIds.has(id)) problems.push(`words: word ${id} appears twice`);
    if (!lineIds.has(word.lineId))
      problems.push(`words: word ${id} is on line ${word.lineId}, which is not in lines`);
    wordIds.add(id);
  }
  if (problems.length > 0) throw new InvalidUploadError(problems);
  return { receipt, lines, words, ...(runId && { runId }), ...(metadata && { metadata }) };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
