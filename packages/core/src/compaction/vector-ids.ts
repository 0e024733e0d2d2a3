import { type CompactionRunKey, parseCompactionRunKey } from '../domain/compaction-run.js';
import type { CompactionCollection } from '../domain/compaction-state.js';
import { pad5, parseKeyNumber } from '../domain/ids.js';
import { parseReceiptRef, type ReceiptRef } from '../domain/receipt-ref.js';

/** One word of one receipt, as a label or a word vector names it. */
export interface WordRef extends ReceiptRef {
  readonly lineId: number;
  readonly wordId: number;
}

/**
 * `IMAGE#{id}#RECEIPT#{r:05d}#`: the start of every line and word vector id of one receipt. The trailing `#`
 * keeps receipt 1 apart from receipt 10 (and from 100000, should ids ever outgrow the padding).
 */
export function receiptVectorPrefix(receipt: ReceiptRef): string {
  const { imageId, receiptId } = parseReceiptRef(receipt);
  return `IMAGE#${imageId}#RECEIPT#${pad5(receiptId)}#`;
}

/** `IMAGE#{id}#RECEIPT#{r:05d}#LINE#{l:05d}`, the id of a line vector (data-model.md). */
export function lineVectorId(line: ReceiptRef & { readonly lineId: number }): string {
  return `${receiptVectorPrefix(line)}LINE#${pad5(parseKeyNumber('line_id', line.lineId, 0))}`;
}

/** `IMAGE#{id}#RECEIPT#{r:05d}#LINE#{l:05d}#WORD#{w:05d}`, the id of a word vector (data-model.md). */
export function wordVectorId(word: WordRef): string {
  return `${lineVectorId(word)}#WORD#${pad5(parseKeyNumber('word_id', word.wordId, 0))}`;
}

/**
 * `{collection}/delta/{runId}/`: where the upload puts one collection's delta of a run, the layout the existing
 * services use (`lines/delta/<run_id>/`, `words/delta/<run_id>/`). Run ids are unique, so the prefix needs no
 * image or receipt id.
 */
export function deltaPrefix(key: CompactionRunKey, collection: CompactionCollection): string {
  const { runId } = parseCompactionRunKey(key);
  return `${collection}/delta/${runId}/`;
}

/** Both delta prefixes of a run, named as the run's fields. */
export function deltaPrefixes(key: CompactionRunKey): { linesDeltaPrefix: string; wordsDeltaPrefix: string } {
  return { linesDeltaPrefix: deltaPrefix(key, 'lines'), wordsDeltaPrefix: deltaPrefix(key, 'words') };
}
