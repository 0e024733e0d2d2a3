import { DeleteItemCommand } from '@aws-sdk/client-dynamodb';
import { labelVectorFields, metadataVectorFields, wordVectorId } from '@receipt-gate/core';
import { GAS_STATION_RECEIPT } from '@receipt-gate/core/testing';
import { labelKey, toReceiptPlaceItem } from '@receipt-gate/lambda';
import { describe, expect } from 'vitest';
import { E2E_TIMEOUT, e2e, MODES, uploadOf } from './e2e.test-support.js';

// Another service deletes a receipt's label and its merchant record after the receipt was compacted and
// validated: the vectors must lose what those items gave them, as after any other change of them.
describe.concurrent.each(MODES)(
  '%s mode, a label and the merchant record deleted by another service',
  (mode) => {
    e2e('leave the vectors as a merge of the table without them would', E2E_TIMEOUT, async ({ start }) => {
      const system = await start({ mode });
      const { run: key } = await system.upload(uploadOf(GAS_STATION_RECEIPT));
      await system.settle();
      const before = await system.state(key);
      const [removed] = before.labels;
      if (!removed || !before.metadata) throw new Error('the validation left no label or no merchant record');
      const word = wordVectorId(removed);
      expect(before.vectors.words.find((vector) => vector.id === word)?.metadata).toMatchObject(
        labelVectorFields(before.labels.filter((label) => wordVectorId(label) === word)),
      );

      const { PK, SK } = toReceiptPlaceItem(before.metadata);
      if (!PK || !SK) throw new Error('a merchant record item without a key');
      for (const Key of [labelKey(removed), { PK, SK }]) {
        await system.client.send(new DeleteItemCommand({ TableName: system.tableName, Key }));
      }
      await system.settle();

      const after = await system.state(key);
      expect(after.metadata).toBeUndefined();
      expect(after.labels).toHaveLength(before.labels.length - 1);
      for (const vector of [...after.vectors.lines, ...after.vectors.words]) {
        expect(vector.metadata).toMatchObject(metadataVectorFields(undefined));
      }
      expect(after.vectors.words.find((vector) => vector.id === word)?.metadata).toMatchObject(
        labelVectorFields(after.labels.filter((label) => wordVectorId(label) === word)),
      );
      expect(system.unprocessed).toEqual([]);
      expect(system.deadLetters).toEqual([]);
      expect(await system.violations([key])).toEqual([]);
    });
  },
);
