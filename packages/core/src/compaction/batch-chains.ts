/** A record of a stream batch as the chains see it: its position, its ordering key and what groups it. */
export interface ChainedRecord {
  /** Records with the same key must be applied in batch order (the stream's partition key). */
  readonly orderKey: string;
  /** Consecutive records of one key with the same group are applied together (a receipt); undefined: alone. */
  readonly group?: string;
}

/** Consecutive records of one key and one group, applied as one unit: their batch indexes, ascending. */
export interface Segment {
  readonly group: string | undefined;
  readonly indexes: readonly number[];
}

/** The records of one ordering key, in batch order, cut into segments. */
export interface Chain {
  readonly orderKey: string;
  readonly segments: readonly Segment[];
}

/**
 * Cuts a batch into chains, one per ordering key, each a list of segments: maximal runs of consecutive records
 * (of that key) with the same group. Records without a key (undefined) belong to no chain: nothing to apply.
 */
export function chainsOf(records: readonly (ChainedRecord | undefined)[]): Chain[] {
  const chains = new Map<string, { group: string | undefined; indexes: number[] }[]>();
  records.forEach((record, index) => {
    if (!record) return;
    const segments = chains.get(record.orderKey) ?? [];
    chains.set(record.orderKey, segments);
    const last = segments.at(-1);
    if (last && record.group !== undefined && last.group === record.group) last.indexes.push(index);
    else segments.push({ group: record.group, indexes: [index] });
  });
  return [...chains].map(([orderKey, segments]) => ({ orderKey, segments }));
}

/** A record not applied by this invocation, and why: it must be delivered again. */
export interface RecordFailure {
  readonly index: number;
  readonly error: unknown;
  /** The record failed itself (its segment did), or was not tried because an earlier one of its key failed. */
  readonly cause: 'failed' | 'after_failure';
}

/**
 * Applies the chains concurrently (at most `concurrency` at once) and the segments of each chain one after the
 * other. When a segment fails, it and every later record of its key are left unapplied and returned as failures:
 * the records of a key before the first failure are all applied, those from it on none (besides what the failed
 * segment itself did, which a redelivery repeats idempotently). Sorted by index.
 */
export async function applyChains(
  chains: readonly Chain[],
  apply: (segment: Segment) => Promise<void>,
  concurrency: number,
): Promise<RecordFailure[]> {
  const failures: RecordFailure[] = [];
  const runChain = async (chain: Chain) => {
    for (const [position, segment] of chain.segments.entries()) {
      try {
        await apply(segment);
      } catch (error) {
        for (const index of segment.indexes) failures.push({ index, error, cause: 'failed' });
        for (const later of chain.segments.slice(position + 1)) {
          for (const index of later.indexes) failures.push({ index, error, cause: 'after_failure' });
        }
        return;
      }
    }
  };
  const queue = [...chains];
  const workers = Array.from({ length: Math.max(1, Math.min(concurrency, queue.length)) }, async () => {
    for (let chain = queue.shift(); chain; chain = queue.shift()) await runChain(chain);
  });
  await Promise.all(workers);
  return failures.sort((a, b) => a.index - b.index);
}
