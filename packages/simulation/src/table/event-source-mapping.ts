import type { VirtualClock } from '@receipt-gate/core/testing';
import { type BatchOutcome, batchOutcome, functionFailed, laneOf } from '@receipt-gate/local-runtime';
import type { DynamoDBRecord } from 'aws-lambda';
import type { InvocationOutcome } from '../runtime/invocation.js';
import type { FaultBook } from '../scenario/runtime-faults.js';
import { WakeSignal } from '../world/signal.js';
import type { Trace } from '../world/trace.js';
import type { StreamShard, TableStream } from './table-stream.js';

/** An event source mapping's settings, as `CreateEventSourceMapping` names them (ms instead of seconds). */
export interface MappingSettings {
  readonly name: string;
  readonly batchSize: number;
  readonly batchingWindowMs: number;
  readonly parallelizationFactor: number;
  /** Infinity for no limit (-1). */
  readonly maximumRetryAttempts: number;
  /** Infinity for no limit (-1). */
  readonly maximumRecordAgeMs: number;
  readonly bisectBatchOnFunctionError: boolean;
}

/** How Lambda's poller behaves in time (not settings of the mapping). */
export const POLLER = {
  /** Lambda reads each shard about four times a second. */
  pollIntervalMs: 250,
  /** A record is readable this long after its write. */
  visibilityLagMs: 20,
  /** Pause before a failed batch is delivered again. */
  retryDelayMs: 500,
} as const;

export type FailureCondition = 'RetryAttemptsExhausted' | 'RecordAgeExceeded';

/** What the invariant monitor and the run hear from a mapping. */
export interface MappingObserver {
  /** Records given to the on-failure destination. */
  givenUp(
    mapping: string,
    records: readonly DynamoDBRecord[],
    condition: FailureCondition,
    error: unknown,
  ): void;
  /** A record of `receipt` is done for this mapping (handled, filtered out or given up on). */
  settled(mapping: string, receipt: number | undefined): void;
}

export interface MappingDeps {
  readonly clock: VirtualClock;
  readonly stream: TableStream;
  readonly accepts: (record: DynamoDBRecord) => boolean;
  /** Invokes the function with one batch; `receipt` decides the invocation's faults. */
  readonly invoke: (
    event: { Records: DynamoDBRecord[] },
    receipt: number | undefined,
  ) => Promise<InvocationOutcome>;
  readonly receiptOf: (record: DynamoDBRecord) => number | undefined;
  readonly faults: FaultBook;
  readonly trace: Trace;
  readonly observer: MappingObserver;
}

interface Entry {
  readonly record: DynamoDBRecord;
  readonly receipt: number | undefined;
}

/**
 * An event source mapping on the table's stream in virtual time, with the local stream pump's semantics (see
 * `packages/local-runtime/README.md`): per shard one reader and `parallelizationFactor` lanes, a record going to the
 * lane of its item key (in order per item); filtering before batching; a lane takes one batch at a time, when full
 * or when its batching window (begun when its previous invocation completed) ends; `batchItemFailures` retry from
 * the first failed record, a function error (throw, timeout, crash) bisects when configured, retries and record
 * age are bounded and what is given up goes to the on-failure destination; the reader stops while a lane has a
 * full batch waiting. Delivery is at least once: a batch may be delivered twice (a fault), keeping the outcome
 * that retries more, as the pump's `redeliver` does. The 6 MB payload limit is not modelled (batches are small).
 */
export class EventSourceMapping {
  readonly #settings: MappingSettings;
  readonly #deps: MappingDeps;
  readonly #readers: ShardReader[];
  /** Records not yet done, per receipt. */
  readonly #outstanding = new Map<number | undefined, number>();
  readonly stats = { invocations: 0, retries: 0, givenUp: 0, bisected: 0, redelivered: 0, filtered: 0 };

  constructor(settings: MappingSettings, deps: MappingDeps) {
    this.#settings = settings;
    this.#deps = deps;
    this.#readers = deps.stream.shards.map((shard) => new ShardReader(this, shard));
    deps.stream.onAppend((shard) => {
      const record = shard.records.at(-1) as DynamoDBRecord;
      const receipt = deps.receiptOf(record);
      this.#outstanding.set(receipt, (this.#outstanding.get(receipt) ?? 0) + 1);
      this.#readers[shard.index]?.wake.notify();
    });
  }

  get name(): string {
    return this.#settings.name;
  }

  get settings(): MappingSettings {
    return this.#settings;
  }

  get deps(): MappingDeps {
    return this.#deps;
  }

  /** Starts every reader and lane loop (they run until the run ends, parked when idle). */
  start(): void {
    for (const reader of this.#readers) reader.start();
  }

  /** Everything appended so far is done, and nothing runs. */
  get idle(): boolean {
    return this.#readers.every((reader) => reader.idle);
  }

  /** Records of `receipt` appended and not yet done. */
  outstanding(receipt: number | undefined): number {
    return this.#outstanding.get(receipt) ?? 0;
  }

  /** Records not done yet, each with its shard and state, for a report of what blocks. */
  pending(): { readonly receipt: number | undefined; readonly text: string }[] {
    return this.#readers.flatMap((reader) => reader.pending());
  }

  settle(entry: Entry): void {
    const left = (this.#outstanding.get(entry.receipt) ?? 1) - 1;
    if (left > 0) this.#outstanding.set(entry.receipt, left);
    else this.#outstanding.delete(entry.receipt);
    this.#deps.observer.settled(this.#settings.name, entry.receipt);
  }
}

class ShardReader {
  readonly wake = new WakeSignal();
  readonly lanes: Lane[];
  /** The number of the next record to read from the shard. */
  #position = 0;
  #lastPollAt = Number.NEGATIVE_INFINITY;

  constructor(
    readonly mapping: EventSourceMapping,
    readonly shard: StreamShard,
  ) {
    this.lanes = Array.from(
      { length: mapping.settings.parallelizationFactor },
      (_, index) => new Lane(this, index),
    );
    mapping.deps.stream.addReader((read) => (read === shard ? this.#position : Number.POSITIVE_INFINITY));
  }

  get idle(): boolean {
    return this.#position === this.shard.length && this.lanes.every((lane) => lane.idle);
  }

  start(): void {
    void this.#read();
    for (const lane of this.lanes) void lane.run();
  }

  pending(): { readonly receipt: number | undefined; readonly text: string }[] {
    const unread = this.shard.records.slice(this.#position - this.shard.base).map((record) => ({
      receipt: this.mapping.deps.receiptOf(record),
      text: `${this.mapping.name} ${this.shard.id} unread ${describe(record)}`,
    }));
    return [...this.lanes.flatMap((lane) => lane.pending()), ...unread];
  }

  async #read(): Promise<void> {
    const { clock, accepts, receiptOf } = this.mapping.deps;
    const { shard } = this;
    const appendedAt = (position: number) => shard.appendedAt[position - shard.base] ?? clock.now();
    for (;;) {
      if (this.#position >= shard.length) {
        await this.wake.wait();
        continue;
      }
      const visibleAt = appendedAt(this.#position) + POLLER.visibilityLagMs;
      const pollAt = Math.max(visibleAt, this.#lastPollAt + POLLER.pollIntervalMs);
      if (clock.now() < pollAt) await clock.sleep(pollAt - clock.now());
      this.#lastPollAt = clock.now();
      let blocked = false;
      while (this.#position < shard.length) {
        if (appendedAt(this.#position) + POLLER.visibilityLagMs > clock.now()) break;
        const record = shard.records[this.#position - shard.base] as DynamoDBRecord;
        const entry = { record, receipt: receiptOf(record) };
        if (!accepts(record)) {
          this.#position++;
          this.mapping.stats.filtered++;
          this.mapping.settle(entry);
          continue;
        }
        const lane = this.lanes[laneOf(record, this.lanes.length)] as Lane;
        if (!lane.hasRoom) {
          blocked = true;
          break;
        }
        lane.push(entry);
        this.#position++;
      }
      // A lane with a full batch waiting holds up the whole shard until it takes that batch.
      if (blocked) await this.wake.wait();
    }
  }
}

class Lane {
  readonly #queue: Entry[] = [];
  readonly #wake = new WakeSignal();
  #batch: Entry[] | undefined;
  #windowOpenedAt: number;

  constructor(
    readonly reader: ShardReader,
    readonly index: number,
  ) {
    this.#windowOpenedAt = reader.mapping.deps.clock.now();
  }

  get idle(): boolean {
    return this.#batch === undefined && this.#queue.length === 0;
  }

  get hasRoom(): boolean {
    return this.#queue.length < this.reader.mapping.settings.batchSize;
  }

  push(entry: Entry): void {
    this.#queue.push(entry);
    this.#wake.notify();
  }

  pending(): { readonly receipt: number | undefined; readonly text: string }[] {
    const where = `${this.reader.mapping.name} ${this.reader.shard.id} lane ${this.index}`;
    return [
      ...(this.#batch ?? []).map((entry) => ({
        receipt: entry.receipt,
        text: `${where} in a batch: ${describe(entry.record)}`,
      })),
      ...this.#queue.map((entry) => ({
        receipt: entry.receipt,
        text: `${where} queued: ${describe(entry.record)}`,
      })),
    ];
  }

  async run(): Promise<void> {
    const { clock } = this.reader.mapping.deps;
    const { batchSize, batchingWindowMs } = this.reader.mapping.settings;
    for (;;) {
      if (this.#queue.length === 0) {
        await this.#wake.wait();
        continue;
      }
      const windowEndsAt = this.#windowOpenedAt + batchingWindowMs;
      if (this.#queue.length < batchSize && clock.now() < windowEndsAt) {
        await this.#wake.waitAtMost(clock, windowEndsAt - clock.now());
        continue;
      }
      const batch = this.#queue.splice(0, batchSize);
      this.#batch = batch;
      this.reader.wake.notify();
      await this.#process(batch);
      this.#batch = undefined;
      this.#windowOpenedAt = clock.now();
      this.reader.wake.notify();
    }
  }

  /** Settles one batch for good: done, or given up on (the pump's ShardLane.process, in virtual time). */
  async #process(entries: Entry[]): Promise<void> {
    const mapping = this.reader.mapping;
    const { clock } = mapping.deps;
    const settings = mapping.settings;
    let batch = entries;
    let attempts = 0;
    let last: BatchOutcome | undefined;
    for (;;) {
      const aged = this.#agedOut(batch);
      if (aged > 0) {
        this.#giveUp(batch.slice(0, aged), 'RecordAgeExceeded', last);
        batch = batch.slice(aged);
        if (batch.length === 0) return;
      }
      last = await this.#invoke(batch);
      for (const entry of batch.slice(0, last.failedFrom)) mapping.settle(entry);
      if (last.failedFrom === batch.length) return;
      batch = batch.slice(last.failedFrom);
      attempts = last.failedFrom > 0 ? 1 : attempts + 1;
      // Splitting does not count as a retry: each half starts with a fresh budget.
      if (last.functionError && settings.bisectBatchOnFunctionError && batch.length > 1) {
        mapping.stats.bisected++;
        const half = Math.ceil(batch.length / 2);
        await this.#process(batch.slice(0, half));
        await this.#process(batch.slice(half));
        return;
      }
      if (attempts > settings.maximumRetryAttempts) {
        this.#giveUp(batch, 'RetryAttemptsExhausted', last);
        return;
      }
      mapping.stats.retries++;
      await clock.sleep(POLLER.retryDelayMs);
    }
  }

  #agedOut(batch: readonly Entry[]): number {
    const { maximumRecordAgeMs } = this.reader.mapping.settings;
    if (maximumRecordAgeMs === Number.POSITIVE_INFINITY) return 0;
    const now = this.reader.mapping.deps.clock.now();
    let count = 0;
    for (const { record } of batch) {
      const created = record.dynamodb?.ApproximateCreationDateTime;
      if (created === undefined || now - created * 1000 <= maximumRecordAgeMs) break;
      count++;
    }
    return count;
  }

  /** One invocation, or two when the batch is delivered twice, keeping the outcome that retries more. */
  async #invoke(batch: readonly Entry[]): Promise<BatchOutcome> {
    const mapping = this.reader.mapping;
    const receipt = batch[0]?.receipt;
    const first = await this.#invokeOnce(batch, receipt);
    if (!mapping.deps.faults.redeliver(receipt)) return first;
    mapping.stats.redelivered++;
    const again = await this.#invokeOnce(batch, receipt);
    return again.failedFrom < first.failedFrom ? again : first;
  }

  async #invokeOnce(batch: readonly Entry[], receipt: number | undefined): Promise<BatchOutcome> {
    const mapping = this.reader.mapping;
    const { trace, clock } = mapping.deps;
    const records = batch.map((entry) => entry.record);
    mapping.stats.invocations++;
    trace.add(
      clock.now(),
      receipt,
      `deliver ${mapping.name} ${this.reader.shard.id}/${this.index} ${records.length} records ${seq(records[0])}..${seq(records.at(-1))}`,
    );
    // Records are frozen when appended: a handler cannot change what a retry receives (on Lambda each invocation
    // parses its own copy).
    const outcome = await mapping.deps.invoke({ Records: records }, receipt);
    return toBatchOutcome(records, outcome);
  }

  #giveUp(entries: readonly Entry[], condition: FailureCondition, last: BatchOutcome | undefined): void {
    const mapping = this.reader.mapping;
    mapping.stats.givenUp += entries.length;
    mapping.deps.trace.add(
      mapping.deps.clock.now(),
      entries[0]?.receipt,
      `give up ${mapping.name} ${entries.length} records (${condition})`,
    );
    mapping.deps.observer.givenUp(
      mapping.name,
      entries.map((entry) => entry.record),
      condition,
      last?.error,
    );
    for (const entry of entries) mapping.settle(entry);
  }
}

function toBatchOutcome(records: readonly DynamoDBRecord[], outcome: InvocationOutcome): BatchOutcome {
  switch (outcome.status) {
    case 'returned':
      return batchOutcome(records, outcome.value);
    case 'threw':
      return functionFailed(outcome.error);
    case 'timed_out':
      return functionFailed(new Error('the invocation timed out'));
    case 'crashed':
      return functionFailed(new Error(`the process died after ${outcome.afterWrites} writes`));
  }
}

const seq = (record: DynamoDBRecord | undefined) => Number(record?.dynamodb?.SequenceNumber ?? 0);

/** A record in a few words: its event, item type and key. */
export function describe(record: DynamoDBRecord): string {
  const image = record.dynamodb?.NewImage ?? record.dynamodb?.OldImage;
  return `#${seq(record)} ${record.eventName} ${image?.TYPE?.S ?? '?'} ${record.dynamodb?.Keys?.SK?.S ?? ''}`;
}
