/**
 * Test-only: validation use cases broken on purpose, one flaw each, with validateReceipt's signature. Each
 * property test must fail against the variant that breaks its invariant, or it proves nothing. Most wrap the
 * real use case and change one thing around it, so the flaw is the only difference.
 */
import { toTimestamp } from '../domain/timestamps.js';
import type { CompactionGate, GateResult } from '../ports/compaction-gate.js';
import type { LabelRepository, SaveLabelsResult } from '../ports/label-repository.js';
import { proposalsToLabels } from './proposals-to-labels.js';
import { validateReceipt } from './validate-receipt.js';
import type { SeedableLabelRepository, ValidateReceiptFn } from './validation-world.test-support.js';

/** (a) Broken on purpose: writes the labels the moment the analysis returns, before the gate has settled. */
export const writeBeforeRelease: ValidateReceiptFn = (deps, request) =>
  validateReceipt(
    {
      ...deps,
      analyzer: {
        name: deps.analyzer.name,
        async analyze(input, options) {
          const analysis = await deps.analyzer.analyze(input, options);
          const { labels } = proposalsToLabels(
            request.run,
            input.words,
            analysis.proposals,
            analysis.analyzer,
            toTimestamp(deps.clock.now()),
          );
          if (labels.length > 0) await deps.labels.saveLabels(labels);
          return analysis;
        },
      },
    },
    request,
  );

/**
 * (b) Broken on purpose: acknowledges the label write at once and makes it only after the use case returns, so
 * the metadata correction reaches the store before the labels.
 */
export const metadataBeforeLabels: ValidateReceiptFn = async (deps, request) => {
  const deferred: (() => Promise<SaveLabelsResult>)[] = [];
  const labels: LabelRepository = {
    getLabels: (receipt) => deps.labels.getLabels(receipt),
    getWordLabels: (word) => deps.labels.getWordLabels(word),
    async saveLabels(batch, options) {
      deferred.push(() => deps.labels.saveLabels(batch, options));
      return { written: [...batch], alreadyPresent: [], frozen: [] };
    },
  };
  const report = await validateReceipt({ ...deps, labels }, request);
  for (const write of deferred) await write();
  return report;
};

/**
 * (c) Broken on purpose: ignores FAILED, as the seed's wait did (only COMPLETED or the deadline ended it), so a
 * failed compaction looks like a timeout and the default policy proceeds to write.
 */
export const writeOnFailed: ValidateReceiptFn = (deps, request) =>
  validateReceipt(
    {
      ...deps,
      gate: {
        async waitForCompaction(key, options) {
          const result = await deps.gate.waitForCompaction(key, options);
          return result.outcome === 'failed' ? { ...result, outcome: 'timed_out' } : result;
        },
      },
    },
    request,
  );

/** (d) Broken on purpose: drops `requireCompleted`, so even a completed gate's labels go out unguarded. */
export const unguardedWhenCompleted: ValidateReceiptFn = (deps, request) =>
  validateReceipt(
    {
      ...deps,
      labels: {
        getLabels: (receipt) => deps.labels.getLabels(receipt),
        getWordLabels: (word) => deps.labels.getWordLabels(word),
        saveLabels: (batch) => deps.labels.saveLabels(batch),
      },
    },
    request,
  );

/**
 * (e) Broken on purpose: overwrites instead of putting conditionally; every label someone decided that it
 * proposes again goes back to PENDING. Needs a store that can put (the in-memory one).
 */
export const overwriteDecided: ValidateReceiptFn = (deps, request) => {
  const store = deps.labels as SeedableLabelRepository;
  return validateReceipt(
    {
      ...deps,
      labels: {
        getLabels: (receipt) => store.getLabels(receipt),
        getWordLabels: (word) => store.getWordLabels(word),
        async saveLabels(batch, options) {
          const result = await store.saveLabels(batch, options);
          for (const label of result.frozen) store.put(label);
          return result;
        },
      },
    },
    request,
  );
};

/**
 * (f) Broken on purpose: never passes the stop signal to the gate; on an abort (the caller's, or an analysis
 * failure's) it just stops waiting for it, so the gate keeps polling after the use case has returned.
 */
export const leaveGateRunning: ValidateReceiptFn = (deps, request) => {
  const gate: CompactionGate = {
    waitForCompaction(key, { signal, ...options } = {}) {
      const startedAt = deps.clock.now();
      const polling = deps.gate.waitForCompaction(key, options);
      return new Promise<GateResult>((resolve, reject) => {
        polling.then(resolve, reject);
        const giveUp = () =>
          resolve({ outcome: 'aborted', waitedMs: deps.clock.now() - startedAt, polls: 0 });
        if (signal?.aborted) giveUp();
        signal?.addEventListener('abort', giveUp, { once: true });
      });
    },
  };
  return validateReceipt({ ...deps, gate }, request);
};
