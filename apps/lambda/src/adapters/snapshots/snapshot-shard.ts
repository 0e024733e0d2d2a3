// Shards of a local snapshot: one file per receipt, named after the `IMAGE#{image_id}#RECEIPT#{r}` that starts
// its vector ids (data-model.md), so a change to one receipt reads and rewrites that receipt's vectors only.

// The image id's characters are those of a UUID, so the shard name is a safe file name; it is lower-cased so
// ids differing in case only share one file (and one lock) on a case-insensitive file system too.
const RECEIPT_OF_ID = /^IMAGE#([0-9A-Za-z-]{1,128})#RECEIPT#(\d{1,20})(?:#|$)/;
// A prefix pins one receipt only when `#` closes its digits: `RECEIPT#00001` alone would also match `000010`.
const RECEIPT_OF_PREFIX = /^IMAGE#([0-9A-Za-z-]{1,128})#RECEIPT#(\d{1,20})#/;

/** The shard of ids that name no receipt the data-model way; it starts with `_`, which no receipt shard does. */
export const UNSHARDED = '_unsharded';

/** The shard holding the vector `id`. */
export function shardOfId(id: string): string {
  const match = RECEIPT_OF_ID.exec(id);
  return match ? shardName(match) : UNSHARDED;
}

/** The one shard holding every id that starts with `prefix`, or undefined when they may be in any shard. */
export function shardOfPrefix(prefix: string): string | undefined {
  const match = RECEIPT_OF_PREFIX.exec(prefix);
  return match ? shardName(match) : undefined;
}

function shardName([, imageId, receiptId]: RegExpExecArray): string {
  return `${(imageId ?? '').toLowerCase()}_${receiptId}`;
}
