// A second process for the cross-process test: patches one collection `count` times, each patch setting a field
// of its own (`<who>_<i>`) on every vector under the prefix, one after another, as a compactor would.
import { LanceDbEmbeddingSnapshotStore } from '../src/adapters/lancedb/lancedb-embedding-snapshot-store.js';

const [uri, who, count, prefix] = process.argv.slice(2);
const snapshots = new LanceDbEmbeddingSnapshotStore({ uri: uri ?? '', dimensions: 4, optimizeEvery: 0 });
let patched = 0;
for (let i = 0; i < Number(count); i++) {
  const [vectors] = await snapshots.patch('words', [
    { idPrefix: prefix ?? '', fields: { [`${who}_${i}`]: i } },
  ]);
  patched += vectors ?? 0;
}
await snapshots.close();
process.stdout.write(JSON.stringify({ who, patched }));
