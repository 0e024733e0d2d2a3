import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import {
  type LabelValidationStatus,
  OfflineReceiptAnalyzer,
  parseWordLabel,
  toTimestamp,
  wordVectorId,
} from '@receipt-gate/core';
import { GAS_STATION_RECEIPT } from '@receipt-gate/core/testing';
import { labelKey, toWordLabelItem } from '@receipt-gate/lambda';
import { describe, expect } from 'vitest';
import { E2E_TIMEOUT, e2e, MODES, storedRun, uploadOf } from './e2e.test-support.js';

const SAMPLE = GAS_STATION_RECEIPT;
const DECISIONS: readonly LabelValidationStatus[] = ['VALID', 'INVALID', 'NEEDS_REVIEW'];

/** Labels a person decided on three words, each the label the analyzer will propose for that word. */
async function decidedLabels() {
  const analysis = await new OfflineReceiptAnalyzer().analyze({
    receipt: SAMPLE,
    lines: SAMPLE.lines,
    words: SAMPLE.words,
    metadata: SAMPLE.metadata,
  });
  const oneWordEach = [
    ...new Map(
      analysis.proposals.map((proposal) => [`${proposal.lineId}/${proposal.wordId}`, proposal]),
    ).values(),
  ];
  return DECISIONS.map((validationStatus, i) => {
    const proposal = oneWordEach[i];
    if (!proposal) throw new Error('the analyzer proposes labels for fewer than three words');
    return parseWordLabel({
      imageId: SAMPLE.imageId,
      receiptId: SAMPLE.receiptId,
      lineId: proposal.lineId,
      wordId: proposal.wordId,
      label: proposal.label,
      reasoning: 'decided by a person',
      timestampAdded: toTimestamp(Date.now()),
      validationStatus,
      labelProposedBy: 'human-review',
    });
  });
}

describe.concurrent.each(MODES)('%s mode, labels decided by someone else', (mode) => {
  e2e(
    'stay exactly as they were when the analyzer proposes the same labels, and are reported frozen',
    E2E_TIMEOUT,
    async ({ start }) => {
      const system = await start({ mode, compactionDelayMs: 800 });
      const decided = await decidedLabels();
      const uploading = system.upload(uploadOf(SAMPLE));
      // Written while the receipt is being compacted, so before the validation writes its labels.
      const key = await storedRun(system, SAMPLE);
      const items = decided.map(toWordLabelItem);
      await Promise.all(
        items.map((Item) => system.client.send(new PutItemCommand({ TableName: system.tableName, Item }))),
      );
      const { validation } = await uploading;
      await system.settle();

      for (const [i, label] of decided.entries()) {
        const { Item } = await system.client.send(
          new GetItemCommand({ TableName: system.tableName, Key: labelKey(label), ConsistentRead: true }),
        );
        expect(Item, label.validationStatus).toStrictEqual(items[i]);
      }
      if (mode === 'inline') expect(validation?.labels.frozen).toBe(decided.length);
      expect(system.telemetry.metricTotal('LabelsFrozen')).toBe(decided.length);

      const { labels, vectors } = await system.state(key);
      expect(labels.filter((label) => label.labelProposedBy === 'human-review')).toHaveLength(decided.length);
      expect(labels).toEqual(expect.arrayContaining(decided));
      const fieldsOf = (i: number) => {
        const label = decided[i];
        return vectors.words.find((vector) => label && vector.id === wordVectorId(label))?.metadata;
      };
      expect(fieldsOf(0)).toMatchObject({
        label_status: 'validated',
        valid_labels_array: [decided[0]?.label],
      });
      expect(fieldsOf(1)?.invalid_labels_array).toContain(decided[1]?.label);
      expect(await system.violations([key])).toEqual([]);
    },
  );
});
