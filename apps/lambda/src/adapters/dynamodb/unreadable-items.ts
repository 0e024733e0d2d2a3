import { InvalidValueError, type ReceiptRef, type Telemetry } from '@receipt-gate/core';
import type { Item } from './attribute-values.js';

/**
 * Reports an item that does not fit the data model (another service wrote it so): an event with its key and why,
 * and the UnreadableItems metric. The caller leaves it out of what it read and never rewrites it.
 */
export function reportUnreadable(
  telemetry: Telemetry,
  receipt: ReceiptRef,
  entity: string,
  item: Item,
  error: InvalidValueError,
): void {
  telemetry.event({
    type: 'store.item_unreadable',
    receipt: { imageId: receipt.imageId, receiptId: receipt.receiptId },
    entity: item.TYPE?.S ?? entity,
    key: `${item.PK?.S ?? '?'}|${item.SK?.S ?? '?'}`,
    error: error.message,
  });
  telemetry.metric('UnreadableItems', 1, 'Count');
}

/**
 * Each item read with `read`; an item it refuses (InvalidValueError) is reported and left out, so one bad item
 * never fails the whole receipt. Any other error propagates.
 */
export function readEach<T>(
  items: readonly Item[],
  read: (item: Item) => T,
  unreadable: (item: Item, error: InvalidValueError) => void,
): T[] {
  return items.flatMap((item) => {
    try {
      return [read(item)];
    } catch (error) {
      if (!(error instanceof InvalidValueError)) throw error;
      unreadable(item, error);
      return [];
    }
  });
}
