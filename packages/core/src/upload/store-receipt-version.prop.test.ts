import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ReceiptRef } from '../domain/receipt-ref.js';
import type { ReceiptVersion } from '../ports/receipt-version-store.js';
import { InMemoryReceiptVersionStore } from '../testing/in-memory-receipt-version-store.js';
import { storeReceiptVersion } from './store-receipt-version.js';
import { realClock, runIdOf, uploadWorld, versionOf } from './upload-world.test-support.js';

// Concurrent uploads of one receipt, each step that touches a store delayed by a few ms drawn by fast-check, so
// their steps interleave in many orders: the receipt ends holding exactly one of the uploaded versions, whole, and
// the run created last is that version's (the compaction the pipeline sees last is of what the receipt holds).
// Every upload succeeds.

const receipt: ReceiptRef = { imageId: '0d9c8b7a-6f5e-4d3c-9b2a-1f0e9d8c7b6a', receiptId: 1 };
const VERSIONS = [
  versionOf(receipt, 3),
  versionOf(receipt, 2, (lineId) => `second ${lineId}`),
  versionOf(receipt, 4, (lineId) => `third ${lineId}`),
];

type Variant = 'leased' | 'a lease per upload (no exclusion)';

const upload = fc.record({
  version: fc.integer({ min: 0, max: VERSIONS.length - 1 }),
  delays: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 6, maxLength: 6 }),
});

const concurrentUploads = (variant: Variant) =>
  fc.asyncProperty(fc.array(upload, { minLength: 2, maxLength: 4 }), async (uploads) => {
    const world = uploadWorld();
    const created: string[] = [];
    const create = world.runs.createCompactionRun.bind(world.runs);
    world.runs.createCompactionRun = async (run) => {
      created.push(run.runId);
      return create(run);
    };
    const storeFor = () =>
      variant === 'leased' ? world.versions : new InMemoryReceiptVersionStore({ ...world, clock: realClock });
    await Promise.all(
      uploads.map(({ version: pick, delays }) => {
        const version = VERSIONS[pick] as ReceiptVersion;
        const store = storeFor();
        let step = 0;
        const delayed =
          <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
          async (...args: A): Promise<R> => {
            await realClock.sleep(delays[step++ % delays.length] ?? 0);
            return call(...args);
          };
        const versions = {
          check: store.check.bind(store),
          read: delayed(store.read.bind(store)),
          lease: delayed(async (ref: ReceiptRef, options: { waitUntil: number }) => {
            const lease = await store.lease(ref, options);
            return Object.assign(Object.create(lease), {
              stored: lease.stored,
              writeContent: delayed(lease.writeContent.bind(lease)),
              writeRun: delayed(lease.writeRun.bind(lease)),
              rollback: lease.rollback.bind(lease),
              release: lease.release.bind(lease),
            });
          }),
        };
        return storeReceiptVersion(
          { ...world.deps, versions },
          { version, runId: runIdOf(version), deadlineAt: realClock.now() + 10_000 },
        );
      }),
    );
    const { stored } = await world.state(receipt);
    const held = VERSIONS.find(
      (version) =>
        JSON.stringify([version.lines, version.words]) === JSON.stringify([stored.lines, stored.words]),
    );
    expect(held, 'the receipt holds one uploaded version, whole').toBeDefined();
    expect(created.at(-1), 'the run created last is of the version held').toBe(
      runIdOf(held as ReceiptVersion),
    );
  });

describe('storeReceiptVersion (property)', () => {
  it('ends concurrent uploads with one whole version whose run was created last', {
    timeout: 120_000,
  }, async () => {
    await fc.assert(concurrentUploads('leased'));
  });

  it('(the property catches uploads that do not exclude each other)', { timeout: 120_000 }, async () => {
    await expect(fc.assert(concurrentUploads('a lease per upload (no exclusion)'))).rejects.toThrow(
      /Property failed/,
    );
  });
});
