// A process of the cross-process test: patches one collection `count` times, one after another, as a compactor
// would, every vector under the prefix each time. `extra`: each patch sets a field of its own (`<who>_<i>`, no
// column: a conditional merge-insert); `column`: each sets `label_status` to `<who>_<i>` (a server-side update).
import { LanceDbEmbeddingSnapshotStore } from '../src/adapters/lancedb/lancedb-embedding-snapshot-store.js';

const [uri, who, count, prefix, kind] = process.argv.slice(2);
const snapshots = new LanceDbEmbeddingSnapshotStore({ uri: uri ?? '', dimensions: 4, optimizeEvery: 0 });
let patched = 0;
for (let i = 0; i < Number(count); i++) {
  const fields = kind === 'column' ? { label_status: `${who}_${i}` } : { [`${who}_${i}`]: i };
  const [vectors] = await snapshots.patch('words', [{ idPrefix: prefix ?? '', fields }]);
  patched += vectors ?? 0;
}
await snapshots.close();
process.stdout.write(JSON.stringify({ who, patched }));
