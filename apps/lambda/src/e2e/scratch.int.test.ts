import { randomUUID } from 'node:crypto';
import { DescribeStreamCommand, DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { describe, expect, inject, it } from 'vitest';
import { demoUploads } from '../cli/demo-uploads.js';
import { TOKENS } from '../container/tokens.js';
import { checkInvariants } from '../local/check-invariants.js';
import { startLocalSystem } from '../local/local-system.js';
import { RunRecorder } from '../local/run-recorder.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../local/dynamodb-local.js';

describe.each(['inline', 'event'] as const)('scratch %s', (mode) => {
  it('happy', async () => {
    const events: unknown[] = [];
    const recorder = new RunRecorder({ event: (e) => events.push({ t: Date.now(), ...e }), metric: () => {} });
    const t0 = Date.now();
    const system = await startLocalSystem({
      endpoint: inject('dynamoEndpoint'),
      tableName: `e2e-${randomUUID().slice(0, 8)}`,
      mode,
      compactionDelayMs: 300,
      gatePolicy: { pollIntervalMs: 100, maxWaitMs: 3000 },
      telemetry: recorder,
    });
    console.log(mode, 'started', Date.now() - t0);
    try {
      const uploads = demoUploads(10);
      const results = await Promise.all(uploads.map((u) => system.upload(u.payload)));
      console.log(mode, 'uploaded', Date.now() - t0);
      await system.settle();
      console.log(mode, 'settled', Date.now() - t0);
      const streams = new DynamoDBStreamsClient({ endpoint: inject('dynamoEndpoint'), region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
      const { Table } = await system.client.send(new (await import('@aws-sdk/client-dynamodb')).DescribeTableCommand({ TableName: system.tableName }));
      const d = await streams.send(new DescribeStreamCommand({ StreamArn: Table?.LatestStreamArn }));
      console.log('shards', d.StreamDescription?.Shards?.length);
      streams.destroy();
      const stores = {
        runs: system.container.get(TOKENS.CompactionRunRepository),
        labels: system.container.get(TOKENS.LabelRepository),
        metadata: system.container.get(TOKENS.ReceiptMetadataRepository),
        snapshots: system.snapshots,
      };
      const { violations } = await checkInvariants(stores, results.map((r) => r.run), recorder, system.unprocessed.length);
      console.log(violations, system.pump.stats(), Object.fromEntries(system.requests));
      console.log(events.filter((e) => (e as {type:string}).type === 'compaction.retry_later').length);
      expect(violations).toEqual([]);
    } finally {
      await system.stop();
      console.log(mode, 'stopped', Date.now() - t0);
    }
  });
});
