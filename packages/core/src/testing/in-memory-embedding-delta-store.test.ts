import { describe, expect, it } from 'vitest';
import { TransientStoreError } from '../errors/transient-store-error.js';
import { InjectedPermanentError } from './fault-injector.js';
import { InMemoryEmbeddingDeltaStore } from './in-memory-embedding-delta-store.js';

const delta = [{ id: 'IMAGE#x#LINE#00001', values: [0.5], metadata: { text: 'line' } }];

describe('InMemoryEmbeddingDeltaStore', () => {
  it('stores nothing when a write fault fires, and fails a read on a read fault, then works again', async () => {
    const deltas = new InMemoryEmbeddingDeltaStore();
    deltas.writeFaults.failNext(1, 'permanent');
    await expect(deltas.putDelta('deltas/a/', delta)).rejects.toBeInstanceOf(InjectedPermanentError);
    expect(await deltas.getDelta('deltas/a/')).toBeUndefined();
    await deltas.putDelta('deltas/a/', delta);
    deltas.readFaults.failNext(1, 'transient');
    await expect(deltas.getDelta('deltas/a/')).rejects.toBeInstanceOf(TransientStoreError);
    expect(await deltas.getDelta('deltas/a/')).toEqual(delta);
  });

  it('keeps its own copy of what was put and hands out copies', async () => {
    const deltas = new InMemoryEmbeddingDeltaStore();
    const vectors = structuredClone(delta);
    await deltas.putDelta('deltas/a/', vectors);
    for (const vector of vectors) vector.values.push(1);
    for (const vector of (await deltas.getDelta('deltas/a/')) ?? []) {
      (vector.metadata as Record<string, unknown>).text = 'mutated';
    }
    expect(await deltas.getDelta('deltas/a/')).toEqual(delta);
  });
});
