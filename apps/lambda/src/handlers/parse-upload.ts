import {
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

/** Validates a whole upload, collecting every problem, so a bad one is refused before any write. */
export function parseUpload(event: unknown): ParsedUpload {
  if (typeof event !== 'object' || event === null)
    throw new InvalidUploadError(['the event must be an object']);
  const input = event as Partial<UploadEvent>;
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
  if (!receipt || problems.length > 0) throw new InvalidUploadError(problems);

  const lines =
    input.lines?.flatMap(
      (line, i) => attempt(`lines[${i}]`, () => parseReceiptLine({ ...line, ...receipt })) ?? [],
    ) ?? [];
  const words =
    input.words?.flatMap(
      (word, i) => attempt(`words[${i}]`, () => parseReceiptWord({ ...word, ...receipt })) ?? [],
    ) ?? [];
  const metadata =
    input.metadata === undefined
      ? undefined
      : attempt('metadata', () => parseMerchantRecord({ ...input.metadata, ...receipt }));

  // Line ids as given, so a word on a line refused for another reason is not reported twice.
  const lineIds = new Set(input.lines?.map((line) => line.lineId));
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
