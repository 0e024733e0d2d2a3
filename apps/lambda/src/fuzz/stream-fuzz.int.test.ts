import { randomUUID } from 'node:crypto';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { type CompactionRunKey, receiptVectorPrefix } from '@receipt-gate/core';
import { COFFEE_SHOP_RECEIPT } from '@receipt-gate/core/testing';
import {
  AttributeValueLostError,
  LOCAL_REGION,
  localStreamsClient,
  StreamPump,
} from '@receipt-gate/local-runtime';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dynamoEndpoint, useOwnDynamoDbLocal } from '../../test/dynamodb.js';
import { TOKENS } from '../container/tokens.js';
import type { DeadLetter, DeadLetterStore } from '../handlers/dispatcher/dead-letters.js';
import { dispatcherFilters } from '../handlers/dispatcher/dispatcher-filters.js';
import { DISPATCHER_STREAM_SETTINGS } from '../handlers/event-source-settings.js';
import { startUploadSystem } from '../handlers/upload.test-support.js';
import { type HostileStreamItem, hostileStreamItems } from './hostile-stream-items.test-support.js';

useOwnDynamoDbLocal();

// The stream half of the fuzz suite: items no reader can make sense of, claiming the types the dispatcher acts on
// (a COMPACTION_RUN INSERT, a RECEIPT_PLACE MODIFY, a RECEIPT_WORD_LABEL INSERT or MODIFY), drawn by fast-check
// from the run's seed (FUZZ_STREAM_CASES sets how many cases) and written to DynamoDB Local, each case followed by
// a sentinel: an ordinary upload, whose run INSERT comes after them in the stream and shares their batches. The
// table's real stream feeds them through the stream pump, with the deployed mapping's settings and filters, to the
// shipped dispatcher (event mode: settled runs handed to the validation).
//
// The contract, of issue 8 ("poison records never block a shard"): every malformed record is applied (or
// acknowledged: ignored, deferred) or dead-lettered, and each dead-lettered one is logged once with its key and the
// reason; none is reported as a failure to retry (`batchItemFailures`, or a thrown batch), so none reaches the
// on-failure destination and no record behind it waits; every sentinel's run is merged and handed on.

const CASES = Number(process.env.FUZZ_STREAM_CASES ?? 100);
/** Cases run against the broken variant: enough to meet a poison record whatever the seed (one is added). */
const BROKEN_CASES = 4;
const SAMPLE = COFFEE_SHOP_RECEIPT;
const strip = ({ imageId: _i, receiptId: _r, ...rest }: { imageId?: unknown; receiptId?: unknown }) => rest;
const kept = SAMPLE.lines.slice(0, 2);
const sentinel = (imageId: string) => ({
  imageId,
  receiptId: 1,
  lines: kept.map(strip),
  words: SAMPLE.words.filter((word) => kept.some((line) => line.lineId === word.lineId)).map(strip),
  metadata: strip(SAMPLE.metadata),
});
const keyOf = (keys: { PK?: { S?: string }; SK?: { S?: string } } | undefined) =>
  `${keys?.PK?.S}|${keys?.SK?.S}`;

/** A record no reader can make sense of: a run whose sort key names no receipt. */
const CERTAIN_POISON: HostileStreamItem = {
  kind: 'run',
  modify: false,
  item: {
    PK: { S: `IMAGE#${randomUUID()}` },
    SK: { S: 'RECEIPT#abcde#COMPACTION_RUN#x' },
    TYPE: { S: 'COMPACTION_RUN' },
  },
};

type Variant =
  /** The shipped dispatcher and a dead-letter store that keeps what it is given. */
  | 'shipped'
  /** Poison records fail their partition key, to be retried, as the original compactor's did. */
  | 'retries-poison';

async function fuzzStream(cases: readonly (readonly HostileStreamItem[])[], variant: Variant) {
  const deadLetters: DeadLetter[] = [];
  const store: DeadLetterStore =
    variant === 'shipped'
      ? { put: async (letters) => void deadLetters.push(...letters) }
      : {
          put: async (letters) => {
            throw new Error(`cannot apply ${letters.map((letter) => letter.reason).join('; ')}`);
          },
        };
  const dispatched: CompactionRunKey[] = [];
  const system = await startUploadSystem(
    {},
    { deadLetters: store, validationDispatch: { dispatch: async (run) => void dispatched.push(run) } },
  );
  const dispatcher = system.container.get(TOKENS.DispatcherHandler);
  const malformed = new Map<string, HostileStreamItem>();
  const sentinels: CompactionRunKey[] = [];
  const sentinelPks = new Set<string>();
  /** Malformed records the handler reported as failures to retry (a thrown batch fails all of its records). */
  const retried = new Map<string, number>();
  const unprocessed: DynamoDBRecord[] = [];
  let mixedBatches = 0;
  const watched = async (event: DynamoDBStreamEvent, context: Parameters<typeof dispatcher>[1]) => {
    const keys = event.Records.map((record) => keyOf(record.dynamodb?.Keys as never));
    if (
      keys.some((key) => malformed.has(key)) &&
      keys.some((key) => sentinelPks.has(key.split('|')[0] ?? ''))
    )
      mixedBatches += 1;
    const failedOf = (ids: Set<string>) => {
      for (const [i, record] of event.Records.entries()) {
        const key = keys[i] ?? '';
        if (malformed.has(key) && ids.has(record.dynamodb?.SequenceNumber ?? '')) {
          retried.set(key, (retried.get(key) ?? 0) + 1);
        }
      }
    };
    try {
      const response = await dispatcher(event, context);
      failedOf(new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier)));
      return response;
    } catch (error) {
      failedOf(new Set(event.Records.map((record) => record.dynamodb?.SequenceNumber ?? '')));
      throw error;
    }
  };
  const streamsClient = localStreamsClient(dynamoEndpoint());
  const { reportBatchItemFailures: _alwaysOn, ...settings } = DISPATCHER_STREAM_SETTINGS;
  // The SDK's stream client drops map keys such as `__proto__` from the images it reads; the pump says so and
  // delivers the record without them (a Lambda would get them): counted, and any other stream error kept.
  let attributesLost = 0;
  const streamErrors: unknown[] = [];
  const onError = (error: unknown) => {
    if (error instanceof AttributeValueLostError) attributesLost += 1;
    else streamErrors.push(error);
  };
  const pump = new StreamPump(
    { streamsClient, streamArn: system.table.streamArn, region: LOCAL_REGION, onError },
    [
      {
        ...settings,
        name: 'dispatcher',
        handler: watched,
        filters: dispatcherFilters(system.container.get(TOKENS.MerchantRecordCodec).type, true),
        startingPosition: 'TRIM_HORIZON',
        // Fewer than deployed, so a variant that retries poison still ends soon: any retry breaks the contract.
        maximumRetryAttempts: 2,
        onFailure: (records) => void unprocessed.push(...records),
      },
    ],
  );
  let refusedByDynamo = 0;
  try {
    await pump.start();
    for (const items of cases) {
      for (const entry of items) {
        try {
          for (let put = 0; put < (entry.modify ? 2 : 1); put++) {
            await system.table.client.send(
              new PutItemCommand({ TableName: system.table.tableName, Item: entry.item }),
            );
          }
          malformed.set(keyOf(entry.item), entry);
        } catch (error) {
          // An item DynamoDB itself refuses never reaches the stream.
          if ((error as Error).name !== 'ValidationException') throw error;
          refusedByDynamo += 1;
        }
      }
      const imageId = randomUUID();
      sentinelPks.add(`IMAGE#${imageId}`);
      sentinels.push((await system.upload(sentinel(imageId))).run);
    }
    await pump.drain({ idleMs: 2_000, timeoutMs: 600_000 });
  } finally {
    await pump.stop();
    streamsClient.destroy();
  }

  try {
    const runs = system.container.get(TOKENS.CompactionRunRepository);
    const compacted = await Promise.all(sentinels.map((run) => runs.getCompactionRun(run)));
    const words = await system.snapshots.list('words', '');
    const unmerged = sentinels.filter(
      (run, i) =>
        compacted[i]?.linesState !== 'COMPLETED' ||
        compacted[i]?.wordsState !== 'COMPLETED' ||
        !words.some((vector) => vector.id.startsWith(receiptVectorPrefix(run))),
    );
    const notDispatched = sentinels.filter((run) => !dispatched.some((d) => d.runId === run.runId));
    const logged = system.telemetry
      .eventsOf('stream.record_failed')
      .filter((event) => event.disposition === 'dead_lettered');
    const loggedTimes = (eventId: string) => logged.filter((event) => event.eventId === eventId).length;
    return {
      figures: {
        cases: cases.length,
        malformedRecords: malformed.size,
        refusedByDynamo,
        deadLettered: deadLetters.length,
        mixedBatches,
        attributesLost,
        sentinels: sentinels.length,
        invocations: pump.stats().dispatcher?.invocations,
        retries: pump.stats().dispatcher?.retries,
      },
      retriedMalformed: [...retried.keys()].map((key) => `${malformed.get(key)?.kind}: ${key.slice(0, 120)}`),
      streamErrors: streamErrors.map(String),
      toOnFailure: unprocessed.map((record) => keyOf(record.dynamodb?.Keys as never)),
      unmerged,
      notDispatched,
      /** Dead letters not logged exactly once with their key and a reason, or of a record that is not malformed. */
      badLetters: deadLetters
        .filter(
          (letter) =>
            loggedTimes(letter.eventId) !== 1 ||
            !malformed.has(keyOf(letter.keys as never)) ||
            letter.reason === '' ||
            !logged.some(
              (event) => event.eventId === letter.eventId && event.key === keyOf(letter.keys as never),
            ),
        )
        .map((letter) => `${keyOf(letter.keys as never).slice(0, 120)}: ${letter.reason.slice(0, 200)}`),
      /** Logged as dead-lettered but not in the store. */
      unstored: logged.filter((event) => !deadLetters.some((letter) => letter.eventId === event.eventId)),
    };
  } finally {
    await system.stop();
  }
}

const sample = (numRuns: number) =>
  fc.sample(fc.array(hostileStreamItems(fc.uuid({ version: 4 })), { minLength: 1, maxLength: 4 }), {
    seed: fc.readConfigureGlobal().seed,
    numRuns,
  });

describe('stream fuzz', () => {
  it(`never lets ${CASES} cases of malformed records block the records behind them`, {
    timeout: 900_000,
  }, async () => {
    const report = await fuzzStream(sample(CASES), 'shipped');
    console.info(`stream fuzz: ${JSON.stringify(report.figures)}`);
    expect(report.retriedMalformed.slice(0, 10), 'malformed records reported as failures to retry').toEqual(
      [],
    );
    expect(report.toOnFailure.slice(0, 10)).toEqual([]);
    expect(report.figures.retries).toBe(0);
    expect(report.streamErrors).toEqual([]);
    expect(report.unmerged).toEqual([]);
    expect(report.notDispatched).toEqual([]);
    expect(report.badLetters.slice(0, 10)).toEqual([]);
    expect(report.unstored).toEqual([]);
    // The suite met poison records, in the same batches as good ones.
    expect(report.figures.deadLettered).toBeGreaterThan(0);
    expect(report.figures.mixedBatches).toBeGreaterThan(0);
  });

  it('catches a dispatcher that retries poison records instead of dead-lettering them', {
    timeout: 300_000,
  }, async () => {
    const report = await fuzzStream([[CERTAIN_POISON], ...sample(BROKEN_CASES)], 'retries-poison');
    console.info(`stream fuzz, retries-poison variant: ${JSON.stringify(report.figures)}`);
    expect(report.retriedMalformed.length).toBeGreaterThan(0);
    expect(report.toOnFailure.length).toBeGreaterThan(0);
  });
});
