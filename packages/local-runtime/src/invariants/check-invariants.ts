import {
  COMPACTION_COLLECTIONS,
  type CompactionRun,
  type CompactionRunKey,
  type CompactionRunRepository,
  type EmbeddingSnapshotStore,
  isDecidedStatus,
  type LabelRepository,
  labelVectorFields,
  type MerchantRecordRepository,
  metadataVectorFields,
  type ReceiptWordLabel,
  receiptVectorPrefix,
  timestampToEpochMs,
  type VectorMetadataValue,
  wordVectorId,
} from '@receipt-gate/core';
import type { RunRecorder } from '../telemetry/run-recorder.js';

export interface InvariantStores {
  readonly runs: CompactionRunRepository;
  readonly labels: LabelRepository;
  readonly metadata: MerchantRecordRepository;
  readonly snapshots: EmbeddingSnapshotStore;
}

export interface ReceiptState {
  readonly key: CompactionRunKey;
  readonly run: CompactionRun | undefined;
  readonly labels: ReceiptWordLabel[];
  /** Every vector of the receipt, in both snapshots, carries the metadata as it is now. */
  readonly metadataInVectors: boolean;
}

/** Equal metadata values: the same scalar, or lists of the same strings in the same order. */
function sameValue(actual: VectorMetadataValue | undefined, expected: VectorMetadataValue): boolean {
  if (Array.isArray(actual) && Array.isArray(expected)) {
    return actual.length === expected.length && actual.every((item, i) => item === expected[i]);
  }
  return actual === expected;
}

// Timestamps are compared by instant, whatever offset their writer used (or none).
const instant = (timestamp: string | undefined) =>
  timestamp === undefined ? Number.NaN : timestampToEpochMs(timestamp);

const finishedAt = (run: CompactionRun) =>
  Math.max(instant(run.linesFinishedAt), instant(run.wordsFinishedAt));

/** What the local stand-ins for AWS set aside instead of handling: each should be none after a normal flow. */
export interface GivenUp {
  /** Stream records given to a mapping's on-failure destination. */
  readonly streamRecords: number;
  /** Asynchronous validations given to their on-failure destination. */
  readonly validations: number;
  /** Stream records written to the dead-letter store. */
  readonly deadLetters: number;
}

/**
 * Checks the design's invariants on what a run left in the table and the snapshots: no label written before its
 * run completed (unless the wait ended and the policy wrote unguarded, which is reported), none on a FAILED run,
 * metadata corrected after the labels, every metadata and label change present in the vectors, every run settled
 * and validated, and nothing given up on or dead-lettered.
 */
export async function checkInvariants(
  stores: InvariantStores,
  keys: readonly CompactionRunKey[],
  recorder: RunRecorder,
  givenUp: GivenUp,
): Promise<{ violations: string[]; receipts: ReceiptState[] }> {
  const violations: string[] = [];
  if (givenUp.streamRecords > 0)
    violations.push(`${givenUp.streamRecords} stream records were given up on (unprocessed)`);
  if (givenUp.validations > 0)
    violations.push(`${givenUp.validations} validations were given up on (their on-failure destination)`);
  if (givenUp.deadLetters > 0) violations.push(`${givenUp.deadLetters} stream records were dead-lettered`);
  const receipts: ReceiptState[] = [];
  for (const key of keys) {
    const who = `${key.imageId}/${key.receiptId}`;
    const fail = (message: string) => violations.push(`${who}: ${message}`);
    const [run, labels, metadata] = await Promise.all([
      stores.runs.getCompactionRun(key),
      stores.labels.getLabels(key),
      stores.metadata.getMerchantRecord(key),
    ]);
    const record = recorder.record(key);
    let metadataInVectors = false;
    if (!run) {
      fail('its compaction run is missing');
    } else if (run.linesState === 'FAILED' || run.wordsState === 'FAILED') {
      if (labels.length > 0) fail(`${labels.length} labels were written although its compaction FAILED`);
    } else if (run.linesState !== 'COMPLETED' || run.wordsState !== 'COMPLETED') {
      fail(`its compaction never settled (lines ${run.linesState}, words ${run.wordsState})`);
    } else {
      // A decided label is someone else's: the validation never writes one, whenever it was added.
      const early = labels.filter(
        (label) =>
          !isDecidedStatus(label.validationStatus) && instant(label.timestampAdded) < finishedAt(run),
      );
      if (early.length > 0 && !record.unguarded) {
        fail(`${early.length} labels were written before the compaction completed`);
      }
      const vectorsOf = await Promise.all(
        COMPACTION_COLLECTIONS.map((collection) =>
          stores.snapshots.list(collection, receiptVectorPrefix(key)),
        ),
      );
      const expected = Object.entries(metadataVectorFields(metadata));
      const stale = vectorsOf
        .flat()
        .filter((vector) => expected.some(([field, value]) => !sameValue(vector.metadata[field], value)));
      metadataInVectors = vectorsOf.every((vectors) => vectors.length > 0) && stale.length === 0;
      if (!metadataInVectors) fail(`${stale.length} vectors do not carry the current metadata`);
      for (const vector of vectorsOf[1] ?? []) {
        const own = labels.filter((label) => wordVectorId(label) === vector.id);
        const fields = labelVectorFields(own);
        if (Object.entries(fields).some(([field, value]) => !sameValue(vector.metadata[field], value))) {
          fail(`word vector ${vector.id} does not carry its labels (${JSON.stringify(fields)})`);
        }
      }
    }
    if (record.validations === 0) fail('it was never validated');
    if (record.metadataCorrected && metadata) {
      // The labels the validation wrote (a decided one is someone else's).
      const written = labels.filter((label) => !isDecidedStatus(label.validationStatus));
      const lastLabel = Math.max(...written.map((label) => instant(label.timestampAdded)));
      if (instant(metadata.timestamp) < lastLabel)
        fail('its metadata was corrected before its labels were written');
    }
    receipts.push({ key, run, labels, metadataInVectors });
  }
  return { violations, receipts };
}
