import { describe, expect, it } from 'vitest';
import { InvalidValueError } from '../errors/invalid-value-error.js';
import { newCompactionRun, parseCompactionRun, parseCompactionRunKey } from './compaction-run.js';
import { COMPACTION_STATES, canTransition, parseCompactionState, statesBefore } from './compaction-state.js';
import { pad5 } from './ids.js';
import { parseMerchantRecord } from './merchant-record.js';
import { parseReceiptWord, parseStoredReceiptLine, parseStoredReceiptWord } from './receipt-text.js';
import { parseTimestamp, timestampToEpochMs } from './timestamps.js';
import { isBlankText } from './visible-text.js';
import { parseStoredWordLabel, parseWordLabel } from './word-label.js';

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
  it('accepts every ISO-8601 form the existing services read, verbatim: Z, offsets, microseconds, naive', () => {
    for (const timestamp of [
      '2026-11-29T12:00:00.000Z',
      '2026-11-29T12:00:00.123456+00:00',
      '2026-11-29T05:00:00-07:00',
      '2026-11-29T12:00:00.123456',
      '2026-11-29 12:00:00',
      '2026-11-29T17:30:00+0530',
      '2026-11-29',
      '20261129T120000Z',
    ]) {
      expect(parseTimestamp('t', timestamp)).toBe(timestamp);
    }
  });

  it('refuses impossible dates, times and offsets and anything that is not a timestamp', () => {
    for (const bad of [
      '2026-13-01T00:00:00Z',
      '2026-02-30T00:00:00Z',
      '2026-11-29T24:00:00Z',
      '2026-11-29T12:60:00Z',
      '2026-11-29T12:00:00+25:00',
      '2026-11-29T12:00:00 UTC',
      'yesterday',
      1_700_000_000,
    ]) {
      expect(() => parseTimestamp('t', bad), String(bad)).toThrow(InvalidValueError);
    }
  });

  it('orders timestamps by their instant: an offset is applied, a naive time is UTC, beyond ms is truncated', () => {
    const noon = Date.UTC(2026, 10, 29, 12);
    expect(timestampToEpochMs('2026-11-29T12:00:00Z')).toBe(noon);
    expect(timestampToEpochMs('2026-11-29T05:00:00-07:00')).toBe(noon);
    expect(timestampToEpochMs('2026-11-29T17:30:00+05:30')).toBe(noon);
    expect(timestampToEpochMs('2026-11-29T12:00:00')).toBe(noon);
    expect(timestampToEpochMs('2026-11-29T12:00:00.123999+00:00')).toBe(noon + 123);
    expect(timestampToEpochMs('2026-11-29')).toBe(Date.UTC(2026, 10, 29));
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

  it('reads a stored label of any name verbatim, with a timestamp of any offset, under the same other rules', () => {
    const legacy = { ...label, label: 'BUSINESS_NAME', timestampAdded: '2026-11-29T05:00:00-07:00' };
    expect(parseStoredWordLabel(legacy)).toEqual(legacy);
    expect(() => parseWordLabel(legacy)).toThrow('RECEIPT_WORD_LABEL.label');
    expect(() => parseStoredWordLabel({ ...legacy, label: '' })).toThrow('RECEIPT_WORD_LABEL.label');
    expect(() => parseStoredWordLabel({ ...legacy, validationStatus: '' })).toThrow('validation_status');
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

  it('refuses extracted data other than a map of strings, naming the word', () => {
    const word = { imageId, receiptId: 1, lineId: 3, wordId: 2, text: '4.50', ...geometry };
    expect(
      parseReceiptWord({ ...word, extractedData: { type: 'price', value: '4.50' } }).extractedData,
    ).toEqual({
      type: 'price',
      value: '4.50',
    });
    expect(() => parseReceiptWord({ ...word, extractedData: { type: 'price', value: 4.5 } })).toThrow(
      'RECEIPT_WORD.extracted_data.value: word 3/2 ("4.50"): expected a string, got 4.5',
    );
    expect(() => parseReceiptWord({ ...word, extractedData: { values: ['4', '50'] } })).toThrow('got a list');
    expect(() => parseReceiptWord({ ...word, extractedData: 'price' })).toThrow('word 3/2');
  });

  it('reads a merchant record with empty optional strings as absent and de-duplicated, non-blank lists', () => {
    const record = parseMerchantRecord({
      imageId,
      receiptId: 1,
      placeId: 'p',
      merchantName: 'SHOP',
      matchedFields: ['name', 'name', ' ', 'phone'],
      timestamp: '2026-11-29T12:00:00+00:00',
      address: '',
      phoneNumber: null,
    });
    expect(record).toMatchObject({ matchedFields: ['name', 'phone'], validationStatus: '', confidence: 0 });
    expect('address' in record || 'phoneNumber' in record).toBe(false);
    expect(() => parseMerchantRecord({ ...record, validatedBy: 'GUESS' })).toThrow('validated_by');
    expect(() => parseMerchantRecord({ ...record, validatedBy: 'inference' })).toThrow('validated_by');
    expect(() => parseMerchantRecord({ ...record, merchantName: '' })).toThrow('merchant_name');
    // The merchant index key would be empty.
    expect(() => parseMerchantRecord({ ...record, merchantName: '#?!' })).toThrow('merchant_name');
    expect(() => parseMerchantRecord({ ...record, placeId: '  ' })).toThrow('place_id');
    expect(() => parseMerchantRecord({ ...record, placeId: null })).toThrow('place_id');
    expect(() => parseMerchantRecord({ ...record, validationStatus: null })).toThrow('validation_status');
    expect(() => parseMerchantRecord({ ...record, confidence: 1.5 })).toThrow('confidence');
    expect(() => parseMerchantRecord({ ...record, latitude: 91 })).toThrow('latitude');
    expect(() => parseMerchantRecord({ ...record, viewportSwLng: -181 })).toThrow('viewport_sw_lng');
    expect(() => parseMerchantRecord({ ...record, merchantTypes: null })).toThrow('merchant_types');
    expect(() => parseMerchantRecord({ ...record, hoursData: 'Mon' })).toThrow('hours_data');
    expect(() => parseMerchantRecord({ ...record, address: 5 })).toThrow('formatted_address');
  });

  it('keeps a free validation status, "" included, and drops an empty map', () => {
    const record = parseMerchantRecord({
      imageId,
      receiptId: 1,
      placeId: '',
      merchantName: 'SHOP',
      timestamp: '2026-11-29T12:00:00Z',
      validationStatus: 'NEEDS_HUMAN',
      hoursData: {},
    });
    expect(record.validationStatus).toBe('NEEDS_HUMAN');
    expect('hoursData' in record).toBe(false);
  });
});

describe('range checks of what is written', () => {
  const word = { imageId, receiptId: 1, lineId: 3, wordId: 2, text: 'TOTAL', ...geometry };

  it('refuses coordinates beyond the tolerance around [0, 1], naming the field, and accepts them within it', () => {
    expect(
      parseReceiptWord({ ...word, boundingBox: { x: -0.05, y: 1.05, width: 1.05, height: 0 } }),
    ).toBeDefined();
    for (const [field, patch] of [
      ['bounding_box.x', { boundingBox: { ...geometry.boundingBox, x: 1e200 } }],
      ['bounding_box.y', { boundingBox: { ...geometry.boundingBox, y: -0.0501 } }],
      ['bounding_box.width', { boundingBox: { ...geometry.boundingBox, width: -0.001 } }],
      ['top_left.y', { topLeft: { x: 0, y: 1.5 } }],
      ['angle_degrees', { angleDegrees: 361 }],
      ['angle_radians', { angleRadians: -7 }],
    ] as const) {
      expect(() => parseReceiptWord({ ...word, ...patch }), field).toThrow(
        `RECEIPT_WORD.${field}: expected a number in`,
      );
    }
  });

  it('refuses a box or corner that is not an object, without a TypeError', () => {
    for (const bad of [null, 5, 'box', []]) {
      expect(() => parseReceiptWord({ ...word, boundingBox: bad })).toThrow(
        'RECEIPT_WORD.bounding_box: expected an object',
      );
      expect(() => parseReceiptWord({ ...word, bottomRight: bad })).toThrow('RECEIPT_WORD.bottom_right');
    }
  });

  it('reads stored items with any finite geometry and any text, as the existing services do', () => {
    const stored = {
      ...word,
      text: '',
      boundingBox: { x: 1.5, y: -2, width: 3, height: 4 },
      angleDegrees: 720,
    };
    expect(parseStoredReceiptWord(stored).boundingBox.x).toBe(1.5);
    expect(parseStoredReceiptLine(stored).text).toBe('');
    expect(() => parseStoredReceiptWord({ ...stored, confidence: 0 })).toThrow('confidence');
  });

  it('refuses text that shows nothing once control, zero-width and format characters are removed', () => {
    for (const blank of ['', ' ', '\u200b', '\u0000\u0007', '\ufeff\u200d\u2060', '\u00ad', ' \t\n\u3000']) {
      expect(() => parseReceiptWord({ ...word, text: blank }), JSON.stringify(blank)).toThrow(
        'RECEIPT_WORD.text: expected text with at least one visible character',
      );
      expect(isBlankText(blank)).toBe(true);
    }
    expect(parseReceiptWord({ ...word, text: '\u200bA' }).text).toBe('\u200bA');
    expect(isBlankText('é')).toBe(false);
  });

  it('refuses a blank place id and drops blank list entries by the same rule', () => {
    const record = {
      imageId,
      receiptId: 1,
      placeId: 'p',
      merchantName: 'SHOP',
      timestamp: '2026-11-29T12:00:00Z',
      matchedFields: ['name', '\u200b', '\u0000'],
    };
    expect(parseMerchantRecord(record).matchedFields).toEqual(['name']);
    expect(() => parseMerchantRecord({ ...record, placeId: '\u200b\u200c' })).toThrow('place_id');
  });

  it('refuses timestamps no calendar has: year 0, 29 February of a common year, a 31st of a 30-day month', () => {
    for (const bad of [
      '0000-01-01T00:00:00Z',
      '2025-02-29T00:00:00Z',
      '1900-02-29',
      '2026-04-31T00:00:00Z',
    ]) {
      expect(() => parseTimestamp('t', bad), bad).toThrow(InvalidValueError);
    }
    for (const good of ['0001-01-01T00:00:00Z', '2024-02-29T00:00:00Z', '2000-02-29', '0004-02-29']) {
      expect(parseTimestamp('t', good)).toBe(good);
    }
  });
});
