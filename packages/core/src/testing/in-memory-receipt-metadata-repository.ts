import { withoutUndefined } from '../domain/optional.js';
import {
  isCorrectableField,
  type MetadataCorrection,
  parseReceiptMetadata,
  type ReceiptMetadata,
} from '../domain/receipt-metadata.js';
import type { ReceiptRef } from '../domain/receipt-ref.js';
import { InvalidValueError } from '../errors/invalid-value-error.js';
import type { Clock } from '../ports/clock.js';
import type {
  MetadataUpdateResult,
  ReceiptMetadataRepository,
} from '../ports/receipt-metadata-repository.js';
import { FaultInjector } from './fault-injector.js';

export interface InMemoryReceiptMetadataRepositoryOptions {
  /** With a clock, each logged update carries the time it was made. */
  readonly clock?: Clock;
}

/** One updateMetadata call that reached the store (past fault injection and validation). */
export interface MetadataUpdate {
  readonly at?: number;
  readonly changes: MetadataCorrection;
  /** False when the item was missing or a changed field no longer held the expected value. */
  readonly applied: boolean;
}

/**
 * ReceiptMetadataRepository in memory, with the DynamoDB adapter's semantics: updates are conditional on the
 * changed fields still holding the values read. Logs every update for ordering proofs; injects write faults.
 */
export class InMemoryReceiptMetadataRepository implements ReceiptMetadataRepository {
  /** Applied to saveMetadata and updateMetadata. */
  readonly writeFaults = new FaultInjector();
  readonly updates: MetadataUpdate[] = [];
  readonly #items = new Map<string, ReceiptMetadata>();
  readonly #options: InMemoryReceiptMetadataRepositoryOptions;

  constructor(options: InMemoryReceiptMetadataRepositoryOptions = {}) {
    this.#options = options;
  }

  async getMetadata(receipt: ReceiptRef): Promise<ReceiptMetadata | undefined> {
    const metadata = this.#items.get(keyOf(receipt));
    return metadata && copy(metadata);
  }

  async saveMetadata(metadata: ReceiptMetadata): Promise<void> {
    await this.writeFaults.apply('saveMetadata');
    const parsed = parseReceiptMetadata(metadata);
    this.#items.set(keyOf(parsed), parsed);
  }

  async updateMetadata(
    expected: ReceiptMetadata,
    changes: MetadataCorrection,
    at: string,
  ): Promise<MetadataUpdateResult> {
    await this.writeFaults.apply('updateMetadata');
    // A field given as undefined is no change; a blind spread would erase it.
    const defined = withoutUndefined({ ...changes });
    const fields = changedFields(defined);
    // The new values (and `at`) are validated before anything is written.
    parseReceiptMetadata({ ...expected, ...defined, timestamp: at });

    const stored = this.#items.get(keyOf(expected));
    const unchanged =
      stored !== undefined && fields.every((field) => orAbsent(stored[field]) === orAbsent(expected[field]));
    const loggedAt = this.#options.clock?.now();
    this.updates.push({
      ...(loggedAt === undefined ? {} : { at: loggedAt }),
      changes: defined,
      applied: unchanged,
    });
    if (stored === undefined || !unchanged) return { applied: false, current: stored && copy(stored) };

    const updated = parseReceiptMetadata({ ...stored, ...defined, timestamp: at });
    this.#items.set(keyOf(updated), updated);
    return { applied: true, metadata: copy(updated) };
  }
}

function changedFields(changes: MetadataCorrection): (keyof MetadataCorrection)[] {
  const fields = Object.keys(changes);
  if (fields.length === 0)
    throw new InvalidValueError('RECEIPT_METADATA', 'an update must change at least one field');
  for (const field of fields) {
    if (!isCorrectableField(field)) {
      throw new InvalidValueError(`RECEIPT_METADATA.${field}`, 'is not a field a validation may correct');
    }
  }
  return fields as (keyof MetadataCorrection)[];
}

// "" is stored as NULL, so it compares equal to an absent value.
function orAbsent(value: string | undefined): string | undefined {
  return value === '' ? undefined : value;
}

function keyOf(receipt: ReceiptRef): string {
  return `${receipt.imageId}#${receipt.receiptId}`;
}

function copy(metadata: ReceiptMetadata): ReceiptMetadata {
  return { ...metadata, matchedFields: [...metadata.matchedFields] };
}
