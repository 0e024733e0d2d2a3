import type { ReceiptRef } from '@receipt-gate/core';

const VECTOR_ID = /IMAGE#([0-9a-f-]{36})#RECEIPT#(\d{5})/;

/** Thrown when a store call names no receipt or several: the simulation keeps each receipt's items apart. */
export class UnroutableCallError extends Error {
  override readonly name = 'UnroutableCallError';
}

export function receiptKey(receipt: ReceiptRef): string {
  return `${receipt.imageId.toLowerCase()}#${receipt.receiptId}`;
}

/**
 * The receipts a store call's arguments name: objects with `imageId` and `receiptId` (keys, labels, records,
 * lines) and strings holding a vector id or prefix (`IMAGE#<id>#RECEIPT#<r>`), at any depth. Number lists
 * (vector values), a vector's metadata, signals and functions are skipped.
 */
export function receiptsNamed(args: readonly unknown[]): Map<string, ReceiptRef> {
  const found = new Map<string, ReceiptRef>();
  for (const arg of args) visit(arg, 0, found);
  return found;
}

function add(found: Map<string, ReceiptRef>, imageId: string, receiptId: number): void {
  const receipt = { imageId, receiptId };
  const key = receiptKey(receipt);
  if (!found.has(key)) found.set(key, receipt);
}

function visit(value: unknown, depth: number, found: Map<string, ReceiptRef>): void {
  if (depth > 6 || value === null || value === undefined) return;
  if (typeof value === 'string') {
    const match = VECTOR_ID.exec(value);
    if (match) add(found, match[1] as string, Number(match[2]));
    return;
  }
  if (typeof value !== 'object' || value instanceof AbortSignal) return;
  if (Array.isArray(value)) {
    if (typeof value[0] === 'number') return;
    for (const item of value) visit(item, depth + 1, found);
    return;
  }
  const record = value as Record<string, unknown>;
  if (typeof record.imageId === 'string' && typeof record.receiptId === 'number') {
    add(found, record.imageId, record.receiptId);
    return;
  }
  // A vector (or a patch) names its receipt in its id (or prefix); its values and metadata need no look.
  if (typeof record.id === 'string' && Array.isArray(record.values)) visit(record.id, depth + 1, found);
  else if (typeof record.idPrefix === 'string') visit(record.idPrefix, depth + 1, found);
  else for (const field of Object.values(record)) visit(field, depth + 1, found);
}
