import { newCompactionRun } from '../domain/compaction-run.js';
import type { CompactionCollection } from '../domain/compaction-state.js';
import { parseReceiptMetadata } from '../domain/receipt-metadata.js';
import { parseReceiptWord } from '../domain/receipt-text.js';
import { toTimestamp } from '../domain/timestamps.js';
import type { GatePolicy } from '../gate/gate-policy.js';
import { PollingCompactionGate } from '../gate/polling-compaction-gate.js';
import type { ReceiptAnalysis, ReceiptAnalyzer } from '../ports/receipt-analyzer.js';
import { InMemoryCompactionRunRepository } from '../testing/in-memory-compaction-run-repository.js';
import { InMemoryLabelRepository } from '../testing/in-memory-label-repository.js';
import { InMemoryReceiptMetadataRepository } from '../testing/in-memory-receipt-metadata-repository.js';
import { InMemoryReceiptRepository } from '../testing/in-memory-receipt-repository.js';
import { RecordingTelemetry } from '../testing/recording-telemetry.js';
import { VirtualClock } from '../testing/virtual-clock.js';
import type { OutcomePolicy } from './outcome-policy.js';
import type { ValidateReceiptDeps } from './validate-receipt.js';

export const RUN = {
  imageId: '3f2504e0-4f89-41d3-9a0c-0305e82c3301',
  receiptId: 1,
  runId: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
};

/** A two-line receipt: "COFFEE HUT" / "TOTAL 4.50". */
export const WORDS = [
  [1, 1, 'COFFEE'],
  [1, 2, 'HUT'],
  [2, 1, 'TOTAL'],
  [2, 2, '4.50'],
].map(([lineId, wordId, text]) =>
  parseReceiptWord({
    ...RUN,
    lineId,
    wordId,
    text,
    boundingBox: { x: 0.1, y: 0.9, width: 0.2, height: 0.02 },
    topLeft: { x: 0.1, y: 0.92 },
    topRight: { x: 0.3, y: 0.92 },
    bottomLeft: { x: 0.1, y: 0.9 },
    bottomRight: { x: 0.3, y: 0.9 },
    angleDegrees: 0,
    angleRadians: 0,
    confidence: 0.99,
  }),
);

export const PROPOSALS: ReceiptAnalysis['proposals'] = [
  { lineId: 1, wordId: 1, label: 'MERCHANT_NAME', reasoning: 'header' },
  { lineId: 1, wordId: 2, label: 'MERCHANT_NAME', reasoning: 'header' },
  { lineId: 2, wordId: 2, label: 'GRAND_TOTAL', reasoning: 'amount after TOTAL' },
];

/** An analyzer that answers after `delayMs` of clock time with fixed proposals and, optionally, a correction. */
export class ScriptedAnalyzer implements ReceiptAnalyzer {
  readonly name = 'SCRIPTED';
  calls = 0;

  constructor(
    private readonly clock: VirtualClock,
    private readonly script: {
      delayMs?: number;
      proposals?: ReceiptAnalysis['proposals'];
      merchantName?: string;
      error?: Error;
    } = {},
  ) {}

  async analyze(_input: unknown, options: { signal?: AbortSignal } = {}): Promise<ReceiptAnalysis> {
    this.calls++;
    await this.clock.sleep(this.script.delayMs ?? 0, options.signal);
    if (this.script.error) throw this.script.error;
    const { merchantName } = this.script;
    return {
      analyzer: this.name,
      proposals: this.script.proposals ?? PROPOSALS,
      metadata: merchantName
        ? { matches: false, corrections: { merchantName }, reasoning: 'header says otherwise' }
        : { matches: true, corrections: {}, reasoning: 'consistent' },
    };
  }
}

/** Everything validateReceipt needs, in memory, on one virtual clock, with the run created PENDING. */
export async function validationWorld(
  options: {
    gatePolicy?: Partial<GatePolicy>;
    policy?: Partial<OutcomePolicy>;
    analyzer?: ScriptedAnalyzer['script'];
  } = {},
) {
  const clock = new VirtualClock();
  const t0 = clock.now();
  const runs = new InMemoryCompactionRunRepository({ clock });
  const labels = new InMemoryLabelRepository({ runs, clock });
  const receipts = new InMemoryReceiptRepository();
  const metadata = new InMemoryReceiptMetadataRepository({ clock });
  const telemetry = new RecordingTelemetry();
  const analyzer = new ScriptedAnalyzer(clock, options.analyzer);
  await runs.createCompactionRun(
    newCompactionRun({ ...RUN, linesDeltaPrefix: 'l/', wordsDeltaPrefix: 'w/', createdAt: toTimestamp(t0) }),
  );
  await receipts.saveReceiptContent({ lines: [], words: WORDS });
  await metadata.saveMetadata(
    parseReceiptMetadata({
      ...RUN,
      placeId: 'place-1',
      merchantName: 'COFFEE HUT',
      matchedFields: ['name'],
      timestamp: toTimestamp(t0),
    }),
  );
  const gate = new PollingCompactionGate({ runs, clock, telemetry }, options.gatePolicy);
  const deps: ValidateReceiptDeps = {
    gate,
    analyzer,
    receipts,
    metadata,
    labels,
    clock,
    telemetry,
    ...(options.policy && { policy: options.policy }),
  };
  /** Moves a collection to `to` (through PROCESSING) once the clock reaches t0 + ms. */
  const finishAt = (
    ms: number,
    to: 'COMPLETED' | 'FAILED',
    collections: CompactionCollection[] = ['lines', 'words'],
  ) =>
    Promise.all(
      collections.map(async (collection) => {
        await clock.sleep(ms);
        const at = toTimestamp(clock.now());
        await runs.transitionCollection(RUN, collection, { to: 'PROCESSING', at });
        await runs.transitionCollection(
          RUN,
          collection,
          to === 'COMPLETED' ? { to, at, mergedVectors: 2 } : { to, at, error: 'snapshot unreachable' },
        );
      }),
    );
  const labelNames = async () =>
    (await labels.getLabels(RUN)).map((l) => `${l.lineId}/${l.wordId}/${l.label}`);
  return {
    clock,
    t0,
    runs,
    labels,
    receipts,
    metadata,
    telemetry,
    analyzer,
    gate,
    deps,
    finishAt,
    labelNames,
  };
}
