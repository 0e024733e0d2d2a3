import { type AttributeValue, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshTable } from '../../../test/dynamodb.js';
import type { Item } from './attribute-values.js';
import { itemLimitProblems, MAX_ITEM_BYTES } from './item-limits.js';

// The limits as measured here against DynamoDB Local itself: for each item, our check refuses it exactly when
// DynamoDB does (so an upload is refused up front, never midway).

let table: Awaited<ReturnType<typeof freshTable>>;
beforeAll(async () => {
  table = await freshTable('limits');
});
afterAll(async () => {
  await table?.drop();
});

const key = { PK: { S: 'IMAGE#x' }, SK: { S: 'S' } };
// 12 bytes of key and 1 of the name `v`: a string of this length makes an item of exactly 400 KB.
const FULL = MAX_ITEM_BYTES - 13;
const nested = (levels: number, leaf: AttributeValue): AttributeValue =>
  levels === 0 ? leaf : { M: { a: nested(levels - 1, leaf) } };

const cases: Record<string, Item> = {
  'a string filling 400 KB': { ...key, v: { S: 'a'.repeat(FULL) } },
  'a string one byte over': { ...key, v: { S: 'a'.repeat(FULL + 1) } },
  'a two-byte character filling 400 KB': { ...key, v: { S: `é${'a'.repeat(FULL - 2)}` } },
  'a two-byte character one byte over': { ...key, v: { S: `é${'a'.repeat(FULL - 1)}` } },
  'a map element filling 400 KB': { ...key, v: { M: { k: { S: 'a'.repeat(FULL - 5) } } } },
  'a map element one byte over': { ...key, v: { M: { k: { S: 'a'.repeat(FULL - 4) } } } },
  'a list element filling 400 KB': { ...key, v: { L: [{ S: 'a'.repeat(FULL - 4) }] } },
  'a list element one byte over': { ...key, v: { L: [{ S: 'a'.repeat(FULL - 3) }] } },
  'a 1-digit number filling 400 KB': { ...key, n: { N: '7' }, v: { S: 'a'.repeat(FULL - 3) } },
  'a 1-digit number one byte over': { ...key, n: { N: '7' }, v: { S: 'a'.repeat(FULL - 2) } },
  'a 20-digit number filling 400 KB': {
    ...key,
    n: { N: '12345678901234567890' },
    v: { S: 'a'.repeat(FULL - 12) },
  },
  'a 20-digit number one byte over': {
    ...key,
    n: { N: '12345678901234567890' },
    v: { S: 'a'.repeat(FULL - 11) },
  },
  'a NULL filling 400 KB': { ...key, b: { NULL: true }, v: { S: 'a'.repeat(FULL - 2) } },
  'a NULL one byte over': { ...key, b: { NULL: true }, v: { S: 'a'.repeat(FULL - 1) } },
  'a string set filling 400 KB': { ...key, b: { SS: ['ab', 'cd'] }, v: { S: 'a'.repeat(FULL - 5) } },
  'a string set one byte over': { ...key, b: { SS: ['ab', 'cd'] }, v: { S: 'a'.repeat(FULL - 4) } },
  '32 levels': { ...key, v: nested(31, { S: 'x' }) },
  '33 levels': { ...key, v: nested(32, { S: 'x' }) },
  'an empty map on level 32': { ...key, v: nested(31, { M: {} }) },
  'an empty list on level 31': { ...key, v: nested(30, { L: [] }) },
  'an empty map key': { ...key, v: { M: { '': { S: 'x' } } } },
  '38 digits': { ...key, v: { N: '12345678901234567890123456789012345678' } },
  '39 digits': { ...key, v: { N: '123456789012345678901234567890123456789' } },
  'just below 1e126': { ...key, v: { N: '9.9999999999999999999999999999999999999e125' } },
  '1e126': { ...key, v: { N: '1e126' } },
  '-1e200': { ...key, v: { N: '-1e200' } },
  '1e-130': { ...key, v: { N: '1e-130' } },
  '1e-131': { ...key, v: { N: '1e-131' } },
  'trailing zeros past 38 digits': { ...key, v: { N: '1.000000000000000000000000000000000000000000' } },
  'a partition key of 2048 bytes': { PK: { S: `IMAGE#${'a'.repeat(2042)}` }, SK: { S: 'S' } },
  'a partition key of 2049 bytes': { PK: { S: `IMAGE#${'a'.repeat(2043)}` }, SK: { S: 'S' } },
  'a sort key of 1024 bytes': { PK: { S: 'IMAGE#x' }, SK: { S: 'a'.repeat(1024) } },
  'a sort key of 1025 bytes': { PK: { S: 'IMAGE#x' }, SK: { S: 'a'.repeat(1025) } },
  'an index partition key of 2048 bytes': { ...key, GSI1PK: { S: 'a'.repeat(2048) }, GSI1SK: { S: 'x' } },
  'an index partition key of 2049 bytes': { ...key, GSI1PK: { S: 'a'.repeat(2049) }, GSI1SK: { S: 'x' } },
  'an index sort key of 1024 bytes': { ...key, GSI3PK: { S: 'x' }, GSI3SK: { S: 'a'.repeat(1024) } },
  'an index sort key of 1025 bytes': { ...key, GSI3PK: { S: 'x' }, GSI3SK: { S: 'a'.repeat(1025) } },
  'an empty index key': { ...key, GSI2PK: { S: '' }, GSI2SK: { S: 'x' } },
  'a TYPE of 2049 bytes': { ...key, TYPE: { S: 'a'.repeat(2049) } },
  'a map key of 50,000 bytes': { ...key, v: { M: { ['é'.repeat(25_000)]: { S: 'x' } } } },
  'a map key of 50,002 bytes': { ...key, v: { M: { ['é'.repeat(25_001)]: { S: 'x' } } } },
  'an attribute name of 50,000 bytes': { ...key, ['a'.repeat(50_000)]: { S: 'x' } },
  'an attribute name of 50,001 bytes': { ...key, ['a'.repeat(50_001)]: { S: 'x' } },
};

describe('the codec check of DynamoDB limits, against DynamoDB Local', () => {
  it.each(Object.entries(cases))('agrees on %s', async (_, item) => {
    const stored = await table.client
      .send(new PutItemCommand({ TableName: table.tableName, Item: item }))
      .then(
        () => true,
        (error: Error) => {
          // A name too long fails inside DynamoDB Local (500) rather than as a validation error.
          expect(['ValidationException', 'InternalFailure']).toContain(error.name);
          return false;
        },
      );
    expect(itemLimitProblems('ITEM', item).length === 0).toBe(stored);
  });
});
