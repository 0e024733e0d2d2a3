import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { MerchantRecord, ReceiptRef } from '@receipt-gate/core';
import type { Item } from './attribute-values.js';

/** What an update writes: attributes to set, and attributes to remove. */
export interface AttributeChanges {
  readonly set: Item;
  readonly remove: readonly string[];
}

/** How a merchant record is stored: the item format of RECEIPT_PLACE, or of the legacy RECEIPT_METADATA. */
export interface MerchantRecordCodec {
  /** The items' TYPE. */
  readonly type: string;
  /**
   * Every attribute the format defines (keys and GSI keys included): an update is conditional on those absent
   * when the record was read being absent still.
   */
  readonly attributes: readonly string[];
  /** The attribute each index key is made of (`GSI1PK` of `merchant_name`...): a key too long names it. */
  readonly keySources: Readonly<Record<string, string>>;
  /** Whether a change of merchant name is also set on the receipt's RECEIPT_SUMMARY, as the format's writers do. */
  readonly namesSummary: boolean;
  key(receipt: ReceiptRef): Item;
  /** The whole item of a new record. */
  toItem(record: MerchantRecord): Item;
  /** The record of an item; InvalidValueError when the item does not fit the format. */
  fromItem(item: Item): MerchantRecord;
  /** What turns the record `expected`, stored as `stored`, into `next`: nothing else of the item is touched. */
  changes(expected: MerchantRecord, next: MerchantRecord, stored: Item): AttributeChanges;
}

/** Whether two attribute values are the same (both as the codec writes them). */
export function sameAttribute(a: AttributeValue | undefined, b: AttributeValue | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The attributes among `names` whose value differs between `before` and `after`: set to the new value, or
 * removed when `after` has none (and `stored` has one).
 */
export function attributeChanges(
  before: Item,
  after: Item,
  stored: Item,
  names: Iterable<string>,
): AttributeChanges {
  const set: Item = {};
  const remove: string[] = [];
  for (const name of new Set(names)) {
    const value = after[name];
    if (sameAttribute(before[name], value)) continue;
    if (value !== undefined) set[name] = value;
    else if (stored[name] !== undefined) remove.push(name);
  }
  return { set, remove };
}

/** Joins changes; a later one wins for an attribute both name. */
export function mergeChanges(...all: AttributeChanges[]): AttributeChanges {
  const set: Item = Object.assign({}, ...all.map((changes) => changes.set));
  const remove = [...new Set(all.flatMap((changes) => changes.remove))].filter((name) => !(name in set));
  return { set, remove };
}
