import { GAS_STATION_RECEIPT } from '@receipt-gate/core/testing';
import { InvalidUploadError } from '@receipt-gate/lambda';
import { describe, expect } from 'vitest';
import { E2E_TIMEOUT, type E2ESystem, e2e, MODES, uploadOf } from './e2e.test-support.js';

const valid = uploadOf(GAS_STATION_RECEIPT) as { words: Record<string, unknown>[] };
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
});
