import {
  CompactionRunExistsError,
  InvalidValueError,
  newCompactionRun,
  TransientStoreError,
} from '@receipt-gate/core';
import { compactionRunRepositoryContract } from '@receipt-gate/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshTable, localClient } from '../../../test/dynamodb.js';
import { DynamoCompactionRunRepository } from './dynamo-compaction-run-repository.js';

let table: Awaited<ReturnType<typeof freshTable>>;
beforeAll(async () => {
  table = await freshTable();
});
afterAll(() => table.drop());

compactionRunRepositoryContract(
  { describe, it, expect },
  'DynamoCompactionRunRepository',
  async () => ({ runs: new DynamoCompactionRunRepository(table) }),
  { idSeed: Date.now() },
);

describe('DynamoCompactionRunRepository on DynamoDB Local', () => {
  const key = {
    imageId: '3c1d0f2e-5a6b-4c7d-8e9f-a0b1c2d3e4f5',
    receiptId: 7,
    runId: 'c0ffee00-1234-4abc-8def-0123456789ab',
  };
  const run = newCompactionRun({
    ...key,
    linesDeltaPrefix: 'deltas/lines/',
    wordsDeltaPrefix: 'deltas/words/',
    createdAt: '2026-11-29T12:00:00.000Z',
  });

  it('reads strongly consistently, projected to the fields of a run', async () => {
    const client = localClient();
    const inputs: unknown[] = [];
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'GetItemCommand') inputs.push(args.input);
        return next(args);
      },
      { step: 'initialize' },
    );
    await new DynamoCompactionRunRepository({ client, tableName: table.tableName }).getCompactionRun(key);
    client.destroy();
    expect(inputs).toEqual([
      expect.objectContaining({ ConsistentRead: true, ProjectionExpression: expect.stringContaining('#n') }),
    ]);
    const names = Object.values((inputs[0] as { ExpressionAttributeNames: object }).ExpressionAttributeNames);
    expect(names).toEqual(expect.arrayContaining(['PK', 'SK', 'lines_state', 'words_state', 'created_at']));
    expect(names).not.toContain('GSI1PK');
  });

  it('passes the signal: an abort by the caller rejects as it is, an abort by a timeout is transient', async () => {
    const runs = new DynamoCompactionRunRepository(table);
    const read = (reason: DOMException) => runs.getCompactionRun(key, { signal: AbortSignal.abort(reason) });
    const byCaller = await read(new DOMException('caller gave up', 'AbortError')).catch((error) => error);
    expect(byCaller).not.toBeInstanceOf(TransientStoreError);
    expect(byCaller).toMatchObject({ name: 'AbortError' });
    await expect(read(new DOMException('read timed out', 'TimeoutError'))).rejects.toBeInstanceOf(
      TransientStoreError,
    );
  });

  it('creates the same run again harmlessly after its collections moved on', async () => {
    const runs = new DynamoCompactionRunRepository(table);
    await runs.createCompactionRun(run);
    await runs.transitionCollection(key, 'lines', { to: 'PROCESSING', at: '2026-11-29T12:00:01.000Z' });
    await runs.createCompactionRun(run);
    expect((await runs.getCompactionRun(key))?.linesState).toBe('PROCESSING');
    await expect(
      runs.createCompactionRun({ ...run, createdAt: '2026-11-29T13:00:00.000Z' }),
    ).rejects.toBeInstanceOf(CompactionRunExistsError);
  });

  it('refuses a transition with a timestamp it could not read back, writing nothing', async () => {
    const runs = new DynamoCompactionRunRepository(table);
    await expect(
      runs.transitionCollection(key, 'words', { to: 'PROCESSING', at: 'yesterday' }),
    ).rejects.toBeInstanceOf(InvalidValueError);
    expect((await runs.getCompactionRun(key))?.wordsState).toBe('PENDING');
  });
});
