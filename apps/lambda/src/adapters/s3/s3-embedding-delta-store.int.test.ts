import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { deltaPrefix, InvalidValueError, TransientStoreError } from '@receipt-gate/core';
import { embeddingDeltaStoreContract } from '@receipt-gate/core/testing';
import { LOCAL_REGION, LOCAL_S3_CREDENTIALS, type LocalS3, startLocalS3 } from '@receipt-gate/local-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from './s3-client.js';
import { S3EmbeddingDeltaStore } from './s3-embedding-delta-store.js';

const BUCKET = 'receipt-gate-deltas-test';
let s3: LocalS3;
const clients: { destroy(): void }[] = [];
beforeAll(async () => {
  s3 = await startLocalS3({ buckets: [BUCKET] });
});
afterAll(async () => {
  for (const client of clients) client.destroy();
  await s3?.stop();
});

function store(endpoint = s3.endpoint, maxAttempts = 3) {
  const client = createS3Client({
    region: LOCAL_REGION,
    endpoint,
    maxAttempts,
    credentials: LOCAL_S3_CREDENTIALS,
  });
  clients.push(client);
  return { client, deltas: new S3EmbeddingDeltaStore({ client, bucket: BUCKET }) };
}

/**
 * A loopback server in front of the local S3 that answers the first `failures` requests with `status` (an S3
 * error body), then forwards; counts every request.
 */
async function faultyS3(failures: number, status: number, code: string) {
  let seen = 0;
  const { hostname, port } = new URL(s3.endpoint);
  const server = createServer((incoming, outgoing) => {
    seen++;
    if (seen <= failures) {
      incoming.resume();
      outgoing.writeHead(status, { 'content-type': 'application/xml' });
      outgoing.end(
        `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>injected</Message></Error>`,
      );
      return;
    }
    const forwarded = request(
      { hostname, port, method: incoming.method, path: incoming.url, headers: incoming.headers },
      (reply) => {
        outgoing.writeHead(reply.statusCode ?? 502, reply.headers);
        reply.pipe(outgoing);
      },
    );
    incoming.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

embeddingDeltaStoreContract(
  { describe, it, expect },
  'S3EmbeddingDeltaStore',
  async () => ({ deltas: store().deltas }),
  { idSeed: Date.now() },
);

const key = {
  imageId: '3f2504e0-4f89-41d3-9a0c-0305e82c3301',
  receiptId: 1,
  runId: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
};
const delta = [
  {
    id: 'IMAGE#x#RECEIPT#00001#LINE#00001',
    values: [0.25, 1 / 3],
    metadata: { text: 'TOTAL', valid_labels_array: ['TAX'] },
  },
];

describe('S3EmbeddingDeltaStore', () => {
  it('writes one object per run and collection under the run prefix, as the existing services lay them out', async () => {
    const { client, deltas } = store();
    await deltas.putDelta(deltaPrefix(key, 'lines'), delta);
    await deltas.putDelta(deltaPrefix(key, 'words'), delta);
    const listed = await client.send(
      new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `lines/delta/${key.runId}/` }),
    );
    expect(listed.Contents?.map((object) => object.Key)).toEqual([`lines/delta/${key.runId}/delta.json.gz`]);
    expect(await deltas.getDelta(`words/delta/${key.runId}`)).toEqual(delta);
  });

  it('retries a transient failure a bounded number of times, then succeeds', async () => {
    const proxy = await faultyS3(2, 503, 'SlowDown');
    try {
      const { deltas } = store(proxy.endpoint, 3);
      await deltas.putDelta('lines/delta/retried/', delta);
      expect(proxy.requests()).toBe(3);
      expect(await deltas.getDelta('lines/delta/retried/')).toEqual(delta);
    } finally {
      await proxy.close();
    }
  });

  it('fails transiently once the attempts are spent, making exactly that many requests', async () => {
    const proxy = await faultyS3(Number.POSITIVE_INFINITY, 503, 'ServiceUnavailable');
    try {
      const { deltas } = store(proxy.endpoint, 3);
      await expect(deltas.getDelta('lines/delta/unreachable/')).rejects.toBeInstanceOf(TransientStoreError);
      expect(proxy.requests()).toBe(3);
    } finally {
      await proxy.close();
    }
  });

  it('fails at once, untouched, on a permanent error such as access denied', async () => {
    const proxy = await faultyS3(Number.POSITIVE_INFINITY, 403, 'AccessDenied');
    try {
      const { deltas } = store(proxy.endpoint, 3);
      const failure = deltas.putDelta('lines/delta/denied/', delta);
      await expect(failure).rejects.not.toBeInstanceOf(TransientStoreError);
      await expect(failure).rejects.toMatchObject({ name: 'AccessDenied' });
      expect(proxy.requests()).toBe(1);
    } finally {
      await proxy.close();
    }
  });

  it('refuses an empty or absolute prefix, and an object that is not a delta', async () => {
    const { client, deltas } = store();
    await expect(deltas.putDelta('', delta)).rejects.toBeInstanceOf(InvalidValueError);
    await expect(deltas.getDelta('/lines/delta/x/')).rejects.toBeInstanceOf(InvalidValueError);
    const { PutObjectCommand } = await import('@aws-sdk/client-s3');
    const { gzipSync } = await import('node:zlib');
    await client.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'lines/delta/corrupt/delta.json.gz',
        Body: gzipSync('{"id":1}'),
      }),
    );
    await expect(deltas.getDelta('lines/delta/corrupt/')).rejects.toThrow(
      `delta: s3://${BUCKET}/lines/delta/corrupt/delta.json.gz is not a list of vectors`,
    );
  });
});
