interface Entry {
  readonly sequenceNumber: string | undefined;
  done: boolean;
}

/**
 * Which records read from a shard are done (handled, filtered out or given up on), in read order. The checkpoint
 * is the last record of the done prefix: where Lambda would resume reading the shard. With several lanes, records
 * finish out of order; the checkpoint never passes a record that is still waiting, running or being retried.
 */
export class ShardCheckpoint {
  private entries: Entry[] = [];
  /** Read index of `entries[0]`: the record read `i`-th lives at `entries[i - base]`. */
  private base = 0;
  private head = 0;
  private last: string | undefined;

  /** Registers the next record read; returns its index for {@link complete}. */
  add(sequenceNumber: string | undefined): number {
    this.entries.push({ sequenceNumber, done: false });
    return this.base + this.entries.length - 1;
  }

  complete(index: number): void {
    const entry = this.entries[index - this.base];
    if (!entry) throw new RangeError(`no pending record at read index ${index}`);
    entry.done = true;
    for (let next = this.entries[this.head]; next?.done; next = this.entries[this.head]) {
      this.last = next.sequenceNumber ?? this.last;
      this.head++;
    }
    // Drop the done prefix now and then, so a long run keeps only what is outstanding.
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.base += this.head;
      this.head = 0;
    }
  }

  /** Sequence number of the last record of the done prefix; undefined before the first is done. */
  get checkpoint(): string | undefined {
    return this.last;
  }

  /** Records read and not done yet. */
  get outstanding(): number {
    let count = 0;
    for (let i = this.head; i < this.entries.length; i++) if (!this.entries[i]?.done) count++;
    return count;
  }
}
