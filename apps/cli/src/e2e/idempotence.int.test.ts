import { PHARMACY_RECEIPT } from '@receipt-gate/core/testing';
import { TOKENS } from '@receipt-gate/lambda';
import { describe, expect } from 'vitest';
import { E2E_TIMEOUT, e2e, MODES, uploadOf } from './e2e.test-support.js';

const payload = uploadOf(PHARMACY_RECEIPT);

describe.concurrent.each(MODES)('%s mode, the same receipt validated again', (mode) => {
  e2e(
    'leaves every item of the table and both snapshots as they were, and its second upload creates no second run',
    E2E_TIMEOUT,
    async ({ start }) => {
      const system = await start({ mode });
      const first = await system.upload(payload);
      await system.settle();
      const items = await system.items();
      const { labels, vectors } = await system.state(first.run);
      expect(labels).not.toHaveLength(0);
      expect(system.recorder.record(first.run).metadataCorrected).toBe(true);

      // A retried upload: same content, so the same run.
      const second = await system.upload(payload);
      expect(second.run).toStrictEqual(first.run);
      if (mode === 'inline') {
        expect(second.validation).toMatchObject({
          gate: { outcome: 'completed' },
          labels: { written: 0, alreadyPresent: labels.length, frozen: 0 },
          metadata: { status: 'matches' },
        });
      }
      // And the validation once more, as a redelivered validation record would run it.
      const again = await system.container.get(TOKENS.Validate)({ run: first.run });
      expect(again).toMatchObject({
        gate: { outcome: 'completed' },
        decision: 'write_guarded',
        labels: { written: 0, alreadyPresent: labels.length, frozen: 0 },
        metadata: { status: 'matches' },
      });
      await system.settle();

      expect(await system.items()).toStrictEqual(items);
      expect(items.filter((item) => item.TYPE?.S === 'COMPACTION_RUN')).toHaveLength(1);
      expect((await system.state(first.run)).vectors).toStrictEqual(vectors);
      expect(await system.violations([first.run])).toEqual([]);
    },
  );
});
