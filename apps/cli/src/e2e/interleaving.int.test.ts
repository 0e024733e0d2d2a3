import { labelVectorFields, metadataVectorFields, toTimestamp, wordVectorId } from '@receipt-gate/core';
import { SAMPLE_RECEIPTS } from '@receipt-gate/core/testing';
import { TOKENS } from '@receipt-gate/lambda';
import { itemKey, type StreamHandler } from '@receipt-gate/local-runtime';
import { describe, expect } from 'vitest';
import { E2E_TIMEOUT, e2e, MODES, uploadOf } from './e2e.test-support.js';

const CATEGORIES = ['first', 'second', 'third'];
/** Lambda's most concurrent batches per shard. */
const PARALLEL_LANES = 10;

// Many receipts at once, while another service changes each one's merchant record three times in a row: their
// records interleave in the stream and spread over concurrent lanes (records of one item on one lane, in order;
// different items at once). The deployed mapping reads one batch per shard at a time; this one runs Lambda's most.
describe.concurrent.each(MODES)(
  '%s mode, records of many receipts interleaved across a parallel pump',
  (mode) => {
    e2e(
      "keep each item's order, and every receipt ends with its last change in every vector",
      { timeout: 2 * E2E_TIMEOUT.timeout },
      async ({ start }) => {
        // Sequence numbers as the dispatcher got them, per item, and who was running when.
        const deliveries = new Map<string, string[]>();
        let running = 0;
        let mostRunning = 0;
        const observe =
          (handler: StreamHandler): StreamHandler =>
          async (event, context) => {
            for (const record of event.Records) {
              const key = itemKey(record);
              deliveries.set(key, [...(deliveries.get(key) ?? []), record.dynamodb?.SequenceNumber ?? '']);
            }
            mostRunning = Math.max(mostRunning, ++running);
            try {
              return await handler(event, context);
            } finally {
              running--;
            }
          };
        const system = await start({
          mode,
          compactionDelayMs: 200,
          wrapDispatcher: observe,
          parallelizationFactor: PARALLEL_LANES,
        });
        const samples = SAMPLE_RECEIPTS.slice(0, 8);
        const records = system.container.get(TOKENS.MerchantRecordRepository);
        const results = await Promise.all(
          samples.map(async (sample) => {
            const uploaded = system.upload(uploadOf(sample));
            // Another service, meanwhile: three category changes, each on what it read.
            for (const category of CATEGORIES) {
              // Created unless there, as the upload does too.
              await records.addMerchantRecord(sample.metadata);
              const current = await records.getMerchantRecord(sample);
              if (!current) throw new Error(`${sample.name} has no merchant record`);
              await records.updateMerchantRecord(current, {
                ...current,
                merchantCategory: `${category} ${sample.name}`,
                timestamp: toTimestamp(Date.now()),
              });
            }
            return uploaded;
          }),
        );
        await system.settle(120_000);

        // Order per item: each item's records were first delivered in stream order.
        for (const [key, sequence] of deliveries) {
          const first = sequence.filter((number, i) => sequence.indexOf(number) === i);
          const sorted = [...first].sort((a, b) =>
            BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0,
          );
          expect(first, key).toEqual(sorted);
        }
        // The lanes ran at once.
        expect(mostRunning).toBeGreaterThan(1);
        expect(system.pump.stats().dispatcher?.concurrentBatchesHighWater).toBeGreaterThan(1);

        // Per receipt, the outcome of its changes in order — the merchant record as the last change (or the
        // validation's correction after it) left it, and the labels — in every vector.
        for (const { run } of results) {
          const state = await system.state(run);
          const merchant = metadataVectorFields(state.metadata);
          for (const vector of [...state.vectors.lines, ...state.vectors.words]) {
            expect(vector.metadata).toMatchObject(merchant);
          }
          for (const vector of state.vectors.words) {
            const own = state.labels.filter((label) => wordVectorId(label) === vector.id);
            expect(vector.metadata).toMatchObject(labelVectorFields(own));
          }
        }
        expect(system.unprocessed).toEqual([]);
        expect(system.deadLetters).toEqual([]);
        expect(await system.violations(results.map(({ run }) => run))).toEqual([]);
      },
    );
  },
);
