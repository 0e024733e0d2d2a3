import {
  COMPACTION_COLLECTIONS,
  type CompactionRun,
  type EmbeddingVector,
  labelVectorFields,
  metadataVectorFields,
  type ReceiptWordLabel,
  stateOf,
  type VectorMetadataValue,
  wordLabelId,
  wordVectorId,
} from '@receipt-gate/core';
import type { ReceiptPlan } from '../scenario/workload.js';
import type { Database } from '../table/database.js';
import type { InvariantName } from './violation.js';

export interface FinalCheckInput {
  readonly plan: ReceiptPlan;
  readonly database: Database;
  /** The run the upload created (from the content), when an upload got that far. */
  readonly uploaded: boolean;
  readonly timesValidated: (run: CompactionRun) => number;
  readonly decided: ReadonlyMap<string, ReceiptWordLabel>;
  /** Records of this receipt still not done, described (empty when the receipt is quiet). */
  readonly blocking: readonly string[];
}

export interface FinalFinding {
  readonly invariant: InvariantName;
  readonly message: string;
}

/**
 * The end-of-receipt checks, once nothing can happen to a receipt any more (or the run is over): its run settled
 * and it was validated; each COMPLETED collection's vectors are exactly a merge of the final table state (the
 * delta's vectors with the merchant fields of the final merchant record and, on words, the label fields of the
 * word's final labels); the labels a person decided are as decided; and nothing of it still blocks a stream.
 */
export async function finalChecks(input: FinalCheckInput): Promise<FinalFinding[]> {
  const { plan, database } = input;
  const findings: FinalFinding[] = [];
  const fail = (invariant: InvariantName, message: string) => findings.push({ invariant, message });
  const stores = database.peek(plan);
  for (const text of input.blocking.slice(0, 5)) fail('records-settle', `still blocking at the end: ${text}`);

  const runs = stores.runKeys.map((key) => stores.runs.peek(key)).filter((run) => run !== undefined);
  if (!input.uploaded) fail('receipts-validated', 'its upload never succeeded');
  const labels = await stores.labels.getLabels(plan);
  for (const [id, decision] of input.decided) {
    const stored = labels.find((label) => wordLabelId(label) === id);
    if (JSON.stringify(stored) !== JSON.stringify(decision)) {
      fail(
        'decided-labels',
        `${decision.label} on word ${decision.lineId}/${decision.wordId} was decided ${decision.validationStatus}, ends ${stored?.validationStatus ?? 'deleted'}`,
      );
    }
  }
  if (runs.length === 0) {
    if (input.uploaded) fail('receipts-validated', 'its upload succeeded but no compaction run exists');
    return findings;
  }
  const record = await stores.merchant.getMerchantRecord(plan);
  const merchant = metadataVectorFields(record);
  const labelsOf = new Map<string, ReceiptWordLabel[]>();
  for (const label of labels) {
    const id = wordVectorId(label);
    labelsOf.set(id, [...(labelsOf.get(id) ?? []), label]);
  }
  for (const run of runs) {
    const states = COMPACTION_COLLECTIONS.map((collection) => stateOf(run, collection));
    if (states.some((state) => state !== 'COMPLETED' && state !== 'FAILED')) {
      fail(
        'records-settle',
        `its compaction never settled (lines ${run.linesState}, words ${run.wordsState})`,
      );
    }
    if (input.timesValidated(run) === 0) fail('receipts-validated', 'it was never validated');
    for (const collection of COMPACTION_COLLECTIONS) {
      if (stateOf(run, collection) !== 'COMPLETED') continue;
      const prefix = collection === 'lines' ? run.linesDeltaPrefix : run.wordsDeltaPrefix;
      const delta = (await stores.deltas.getDelta(prefix)) ?? [];
      const expected = delta.map((vector) => ({
        ...vector,
        metadata: {
          ...vector.metadata,
          ...merchant,
          ...(collection === 'words' ? labelVectorFields(labelsOf.get(vector.id) ?? []) : {}),
        },
      }));
      const difference = compareVectors(expected, stores.snapshots.peek(collection));
      if (difference) fail('changes-reach-vectors', `${collection}: ${difference}`);
    }
  }
  return findings;
}

/** The first way `actual` differs from `expected` (ids, values, metadata), or undefined when they are equal. */
function compareVectors(
  expected: readonly EmbeddingVector[],
  actual: readonly EmbeddingVector[],
): string | undefined {
  const byId = new Map(actual.map((vector) => [vector.id, vector]));
  const missing = expected.filter((vector) => !byId.has(vector.id));
  if (missing.length > 0)
    return `${missing.length} of ${expected.length} vectors missing (e.g. ${missing[0]?.id})`;
  if (actual.length !== expected.length)
    return `${actual.length - expected.length} vectors more than the delta holds`;
  const stale: string[] = [];
  for (const want of expected) {
    const got = byId.get(want.id) as EmbeddingVector;
    if (got.values.length !== want.values.length || got.values.some((value, i) => value !== want.values[i])) {
      stale.push(`${want.id} has other values`);
      continue;
    }
    const fields = new Set([...Object.keys(want.metadata), ...Object.keys(got.metadata)]);
    for (const field of fields) {
      if (!sameValue(got.metadata[field], want.metadata[field])) {
        stale.push(
          `${short(want.id)} ${field} is ${show(got.metadata[field])}, the table says ${show(want.metadata[field])}`,
        );
        break;
      }
    }
  }
  if (stale.length === 0) return undefined;
  return `${stale.length} vectors do not carry the table's state: ${stale.slice(0, 3).join('; ')}${stale.length > 3 ? '; ...' : ''}`;
}

function sameValue(a: VectorMetadataValue | undefined, b: VectorMetadataValue | undefined): boolean {
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((item, i) => item === b[i]);
  return a === b;
}

const show = (value: VectorMetadataValue | undefined) => JSON.stringify(value) ?? 'nothing';
const short = (id: string) => id.replace(/^IMAGE#[0-9a-f-]+#/, '');
