/** A subscription or pump setting that `CreateEventSourceMapping` would refuse; the message names the setting. */
export class StreamPumpConfigError extends Error {
  override readonly name = 'StreamPumpConfigError';
}

/**
 * Records of a shard were trimmed (past the stream's 24 h retention) after the pump had read part of it: the
 * records between `lastReadSequence` and the oldest one left may be lost. Reading resumes at the oldest one left.
 */
export class StreamRecordsTrimmedError extends Error {
  override readonly name = 'StreamRecordsTrimmedError';
  constructor(
    readonly shardId: string,
    readonly lastReadSequence: string,
    options?: ErrorOptions,
  ) {
    super(
      `${shardId}: records after ${lastReadSequence} were trimmed from the stream before they were read; ` +
        'reading resumes at the oldest record left',
      options,
    );
  }
}

/** The SDK handed over attributes without a value; the record is delivered without them (see `toLambdaRecord`). */
export class AttributeValueLostError extends Error {
  override readonly name = 'AttributeValueLostError';
  constructor(
    readonly sequenceNumber: string | undefined,
    readonly paths: readonly string[],
  ) {
    super(
      `record ${sequenceNumber ?? '(no sequence number)'}: the stream client returned no value for ` +
        `${paths.join(', ')}; the record is delivered without ${paths.length === 1 ? 'it' : 'them'}`,
    );
  }
}

/** A line of an on-failure file that is not an invocation record; names the file and the line. */
export class OnFailureFileError extends Error {
  override readonly name = 'OnFailureFileError';
}
