import { describe, expect, it } from 'vitest';
import { InvalidValueError } from '../errors/invalid-value-error.js';
import { newCompactionRun, parseCompactionRun, parseCompactionRunKey } from './compaction-run.js';
import { COMPACTION_STATES, canTransition, parseCompactionState, statesBefore } from './compaction-state.js';
import { pad5 } from './ids.js';
import { parseReceiptMetadata } from './receipt-metadata.js';
import { parseReceiptWord } from './receipt-text.js';
import { parseTimestamp } from './timestamps.js';
import { parseWordLabel } from './word-label.js';

const imageId = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
const runId = '886313e1-3b8a-5372-9b90-0c9aee199e5d';
const label = {
  imageId,
  receiptId: 1,
  lineId: 2,
  wordId: 3,
  label: 'TAX',
  timestampAdded: '2026-11-29T12:00:00.000Z',
  validationStatus: 'PENDING',
};
const geometry = {
  boundingBox: { x: 0, y: 0, width: 1, height: 1 },
  topLeft: { x: 0, y: 1 },
  topRight: { x: 1, y: 1 },
  bottomLeft: { x: 0, y: 0 },
  bottomRight: { x: 1, y: 0 },
  angleDegrees: 0,
  angleRadians: 0,
  confidence: 1,
};

describe('identifiers', () => {
  it('accepts UUIDs of version 4 and 5 and refuses others with the field named', () => {
    expect(parseCompactionRunKey({ imageId, receiptId: 1, runId }).runId).toBe(runId);
    expect(() => parseCompactionRunKey({ imageId: 'not-a-uuid', receiptId: 1, runId })).toThrow(
      'image_id: expected a UUID of version 4 or 5, got "not-a-uuid"',
    );
    const v1 = 'c232ab00-9414-11ec-b3c8-9e6bdeced846';
    expect(() => parseCompactionRunKey({ imageId, receiptId: 1, runId: v1 })).toThrow(InvalidValueError);
  });

  it('refuses receipt ids that are not positive integers of at most 5 digits', () => {
    for (const receiptId of [0, -1, 1.5, 100_000, '1']) {
      expect(() => parseCompactionRunKey({ imageId, receiptId, runId })).toThrow(
        /^receipt_id: expected a positive/,
      );
    }
  });

  it('pads numbers inside keys to five digits', () => {
    expect(pad5(1)).toBe('00001');
    expect(pad5(12_345)).toBe('12345');
  });
});

describe('timestamps', () => {
  it('accepts UTC with Z, +00:00 or no offset (the Python services) and refuses other offsets and garbage', () => {
    expect(parseTimestamp('t', '2026-11-29T12:00:00.123456')).toBe('2026-11-29T12:00:00.123456');
    expect(parseTimestamp('t', '2026-11-29T12:00:00.000Z')).toBe('2026-11-29T12:00:00.000Z');
    expect(parseTimestamp('t', '2026-11-29T12:00:00.123456+00:00')).toBe('2026-11-29T12:00:00.123456+00:00');
    expect(() => parseTimestamp('t', '2026-11-29T12:00:00+02:00')).toThrow(InvalidValueError);
    expect(() => parseTimestamp('t', '2026-13-45T99:00:00Z')).toThrow(InvalidValueError);
  });
});

describe('compaction state machine', () => {
  it('allows only PENDING -> PROCESSING -> COMPLETED | FAILED and the retry FAILED -> PROCESSING', () => {
    const legal = COMPACTION_STATES.flatMap((from) =>
      COMPACTION_STATES.filter((to) => canTransition(from, to)).map((to) => `${from}->${to}`),
    );
    expect(legal).toEqual([
      'PENDING->PROCESSING',
      'PROCESSING->COMPLETED',
      'PROCESSING->FAILED',
      'FAILED->PROCESSING',
    ]);
    expect(statesBefore('PROCESSING')).toEqual(['PENDING', 'FAILED']);
    expect(statesBefore('PENDING')).toEqual([]);
  });

  it('reads a missing or NULL state as PENDING and refuses unknown states', () => {
    expect(parseCompactionState('lines_state', undefined)).toBe('PENDING');
    expect(parseCompactionState('lines_state', null)).toBe('PENDING');
    expect(() => parseCompactionState('lines_state', 'DONE')).toThrow(
      'lines_state: expected one of PENDING | PROCESSING | COMPLETED | FAILED, got "DONE"',
    );
  });

  it('builds a new run with both collections PENDING and defaults merged counts to 0', () => {
    const run = newCompactionRun({
      imageId,
      receiptId: 7,
      runId,
      linesDeltaPrefix: 'deltas/lines/',
      wordsDeltaPrefix: 'deltas/words/',
      createdAt: '2026-11-29T12:00:00.000Z',
    });
    expect(run).toEqual({
      imageId,
      receiptId: 7,
      runId,
      linesDeltaPrefix: 'deltas/lines/',
      wordsDeltaPrefix: 'deltas/words/',
      linesState: 'PENDING',
      wordsState: 'PENDING',
      linesMergedVectors: 0,
      wordsMergedVectors: 0,
      createdAt: '2026-11-29T12:00:00.000Z',
    });
    expect(() => parseCompactionRun({ ...run, linesDeltaPrefix: '' })).toThrow('lines_delta_prefix');
    expect(() => parseCompactionRun({ ...run, wordsMergedVectors: -1 })).toThrow('words_merged_vectors');
  });
});

describe('word labels', () => {
  it('accepts a label of the vocabulary and keeps optional fields absent', () => {
    expect(parseWordLabel(label)).toEqual(label);
  });

  it('refuses an unknown label, an unknown status, an empty reasoning and ids of 0', () => {
    expect(() => parseWordLabel({ ...label, label: 'total' })).toThrow(
      'RECEIPT_WORD_LABEL.label: expected one of',
    );
    expect(() => parseWordLabel({ ...label, validationStatus: 'DONE' })).toThrow('validation_status');
    expect(() => parseWordLabel({ ...label, reasoning: ' ' })).toThrow('RECEIPT_WORD_LABEL.reasoning');
    expect(() => parseWordLabel({ ...label, wordId: 0 })).toThrow(
      'RECEIPT_WORD_LABEL.word_id: expected a positive',
    );
    expect(() => parseWordLabel({ ...label, lineId: 0 })).toThrow('RECEIPT_WORD_LABEL.line_id');
  });
});

describe('receipt words and metadata', () => {
  it('accepts word 0 on a word (only labels need ids > 0) and refuses a confidence outside (0, 1]', () => {
    const word = parseReceiptWord({ imageId, receiptId: 1, lineId: 0, wordId: 0, text: 'HI', ...geometry });
    expect(word).toMatchObject({ wordId: 0, embeddingStatus: 'NONE', isNoise: false });
    expect(() => parseReceiptWord({ ...word, confidence: 0 })).toThrow('RECEIPT_WORD.confidence');
    expect(() => parseReceiptWord({ ...word, angleDegrees: Number.NaN })).toThrow(
      'RECEIPT_WORD.angle_degrees',
    );
  });

  it('reads empty optional metadata strings as absent and de-duplicates matched fields', () => {
    const metadata = parseReceiptMetadata({
      imageId,
      receiptId: 1,
      placeId: 'p',
      merchantName: 'SHOP',
      matchedFields: ['name', 'name', 'phone'],
      timestamp: '2026-11-29T12:00:00+00:00',
      address: '',
      phoneNumber: null,
    });
    expect(metadata.matchedFields).toEqual(['name', 'phone']);
    expect('address' in metadata || 'phoneNumber' in metadata).toBe(false);
    expect(() => parseReceiptMetadata({ ...metadata, validatedBy: 'GUESS' })).toThrow('validated_by');
    expect(() => parseReceiptMetadata({ ...metadata, merchantName: '' })).toThrow('merchant_name');
  });
});
