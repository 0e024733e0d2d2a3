import { GAS_STATION_RECEIPT } from '@receipt-gate/core/testing';
import { InvalidUploadError } from '@receipt-gate/lambda';
import { describe, expect } from 'vitest';
import { E2E_TIMEOUT, type E2ESystem, e2e, MODES, uploadOf } from './e2e.test-support.js';

const valid = uploadOf(GAS_STATION_RECEIPT) as {
  lines: Record<string, unknown>[];
  words: Record<string, unknown>[];
  metadata: Record<string, unknown>;
};
const [firstWord] = valid.words;

const problemsOf = async (system: E2ESystem, payload: unknown) => {
  const error = await system.upload(payload).catch((thrown: unknown) => thrown);
  expect(error).toBeInstanceOf(InvalidUploadError);
  return (error as InvalidUploadError).problems;
};

describe.concurrent.each(MODES)('%s mode, a bad upload', (mode) => {
  e2e(
    'is refused whole with every problem listed, and nothing reaches the table or the stream',
    E2E_TIMEOUT,
    async ({ start }) => {
      const system = await start({ mode });
      expect(await problemsOf(system, { ...valid, imageId: 'not-a-uuid' })).toStrictEqual([
        'image_id: expected a UUID of version 4 or 5, got "not-a-uuid"',
      ]);
      expect(
        await problemsOf(system, {
          ...valid,
          words: [...valid.words, firstWord, { ...firstWord, lineId: 999 }],
        }),
      ).toStrictEqual([
        `words: word ${firstWord?.lineId}/${firstWord?.wordId} appears twice`,
        `words: word 999/${firstWord?.wordId} is on line 999, which is not in lines`,
      ]);

      await system.settle();
      expect(await system.items()).toStrictEqual([]);
      expect(system.pump.stats().dispatcher).toMatchObject({ invocations: 0, recordsFiltered: 0 });
      expect(system.telemetry.events).toStrictEqual([]);
    },
  );

  e2e(
    'is refused naming the field when DynamoDB or the domain could not hold a value, with nothing written anywhere',
    E2E_TIMEOUT,
    async ({ start }) => {
      const system = await start({ mode });
      const { lines, words, metadata } = valid;
      const word = words[0] ?? {};
      const deep = (levels: number): unknown => (levels === 0 ? 'x' : { nested: deep(levels - 1) });
      const cases: [string, unknown, RegExp][] = [
        [
          'a word at x = 1e200',
          {
            ...valid,
            words: [
              { ...word, boundingBox: { ...(word.boundingBox as object), x: 1e200 } },
              ...words.slice(1),
            ],
          },
          /^words\[0\]: RECEIPT_WORD\.bounding_box\.x: expected a number in \[-0\.05, 1\.05\], got 1e\+200$/,
        ],
        [
          'a merchant name too long for its index key',
          { ...valid, metadata: { ...metadata, merchantName: 'M'.repeat(2100) } },
          /^metadata: RECEIPT_PLACE\.merchant_name: makes its partition key GSI1PK of GSI1 2109 bytes long/,
        ],
        [
          'opening hours nested 40 levels deep',
          { ...valid, metadata: { ...metadata, hoursData: deep(40) } },
          /^metadata: RECEIPT_PLACE\.hours_data(\.nested)+: is nested more than 32 levels deep/,
        ],
        [
          'extracted data with an empty key',
          { ...valid, words: [{ ...word, extractedData: { '': 'x' } }, ...words.slice(1)] },
          /^words\[0\]: RECEIPT_WORD\.extracted_data: has an empty key/,
        ],
        [
          'a line over 400 KB',
          { ...valid, lines: [{ ...lines[0], text: 'x'.repeat(420_000) }, ...lines.slice(1)] },
          /^lines\[0\]: RECEIPT_LINE\.text: makes the item \d+ bytes; DynamoDB stores items of at most 409600/,
        ],
        [
          'a null among the lines',
          { ...valid, lines: [...lines, null] },
          /^lines\[\d+\]: expected an object, got null$/,
        ],
        [
          'text of zero-width and control characters only',
          { ...valid, lines: [{ ...lines[0], text: '\u200b\u0000\u200d' }, ...lines.slice(1)] },
          /^lines\[0\]: RECEIPT_LINE\.text: expected text with at least one visible character/,
        ],
      ];
      for (const [name, payload, problem] of cases) {
        const problems = await problemsOf(system, payload);
        expect(problems, name).toHaveLength(1);
        expect(problems[0], name).toMatch(problem);
      }
      await system.settle();
      expect(await system.items()).toStrictEqual([]);
      expect(await system.deltaObjects()).toStrictEqual([]);
      expect(system.pump.stats().dispatcher).toMatchObject({ invocations: 0, recordsFiltered: 0 });
    },
  );
});
