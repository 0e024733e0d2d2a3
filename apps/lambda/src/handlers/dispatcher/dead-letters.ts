import type { DynamoDBRecord } from 'aws-lambda';

/** A stream record that can never be applied, as the dead-letter store keeps it: where it is, and why. */
export interface DeadLetter {
  readonly reason: string;
  readonly eventId: string;
  readonly eventName: string;
  readonly sequenceNumber: string;
  /** The item's key attributes, as the stream gives them. */
  readonly keys: Readonly<Record<string, unknown>>;
  /** The whole record when small enough to keep beside the reason (see DEAD_LETTER_RECORD_BYTES). */
  readonly record?: DynamoDBRecord;
  /** When it was dead-lettered (ISO 8601). */
  readonly at: string;
}

/** Where poison records go, for an operator to inspect and redrive: a queue in production, a file or list locally. */
export interface DeadLetterStore {
  /** Resolves once every letter is stored; rejects (the records are then retried) when it could not be. */
  put(letters: readonly DeadLetter[]): Promise<void>;
}

/** A record above this size (as JSON) is kept by its key only: a queue message holds at most 256 KiB. */
export const DEAD_LETTER_RECORD_BYTES = 200 * 1024;

export function deadLetterOf(record: DynamoDBRecord, reason: string, at: string): DeadLetter {
  const whole = JSON.stringify(record);
  return {
    reason,
    eventId: record.eventID ?? '',
    eventName: record.eventName ?? '',
    sequenceNumber: record.dynamodb?.SequenceNumber ?? '',
    keys: record.dynamodb?.Keys ?? {},
    ...(Buffer.byteLength(whole) <= DEAD_LETTER_RECORD_BYTES && { record: JSON.parse(whole) }),
    at,
  };
}
