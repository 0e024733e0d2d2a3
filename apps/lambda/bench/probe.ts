import { startDynamoDbLocal } from '../src/local/dynamodb-local.js';
import { startCountingProxy } from './counting-proxy.js';
import { runMode } from './run-mode.js';
const n = Number(process.argv[2] ?? 10);
const modes = (process.argv[3] ?? 'inline,event').split(',') as ('inline' | 'event')[];
const t0 = Date.now();
const local = await startDynamoDbLocal();
const proxy = await startCountingProxy(local.endpoint);
console.log('started in', Date.now() - t0);
try {
  for (const mode of modes) {
    const r = await runMode({ mode, receipts: n, compactionDelayMs: 200, gatePolicy: { pollIntervalMs: 250 }, proxy, settleTimeoutMs: 600_000 });
    console.log(JSON.stringify({ ...r, tableRequests: Object.fromEntries(r.tableRequests), streamRequests: Object.fromEntries(r.streamRequests), validatedMs: Math.max(...r.validatedMs) }, null, 1));
  }
} finally {
  await proxy.close();
  await local.stop();
}
console.log('total', Date.now() - t0);
