import { describe, expect, it } from 'vitest';
import type {
  Clock,
  CompactionGate,
  CompactionRunRepository,
  GateResult,
  LabelRepository,
  MerchantRecordRepository,
  ReceiptAnalyzer,
  ReceiptRepository,
  Telemetry,
} from './index.js';
import * as core from './index.js';
import * as testing from './testing/index.js';

describe('public API', () => {
  it('exports the gate, the validation use case, the analyzer and the domain parsers from @receipt-gate/core', () => {
    for (const name of [
      'PollingCompactionGate',
      'SEED_GATE_POLICY',
      'validateReceipt',
      'DEFAULT_OUTCOME_POLICY',
      'OfflineReceiptAnalyzer',
      'compactRun',
      'parseCompactionRun',
      'parseWordLabel',
      'parseStoredWordLabel',
      'parseMerchantRecord',
      'correctMerchantRecord',
      'WORD_LABELS',
      'COMPACTION_TRANSITIONS',
      'TransientStoreError',
      'CompactionNotCompletedError',
      'storeReceiptVersion',
      'UploadNotStoredError',
      'ReceiptVersionRefusedError',
    ]) {
      expect(core, name).toHaveProperty(name);
    }
    expect(core.SEED_GATE_POLICY).toMatchObject({ pollIntervalMs: 2_000, maxWaitMs: 120_000 });
  });

  it('exports the virtual clock, a fake of every port and the contract suites from @receipt-gate/core/testing', () => {
    for (const name of [
      'VirtualClock',
      'InMemoryCompactionRunRepository',
      'InMemoryLabelRepository',
      'InMemoryReceiptRepository',
      'InMemoryMerchantRecordRepository',
      'InMemoryEmbeddingSnapshotStore',
      'InMemoryEmbeddingDeltaStore',
      'RecordingTelemetry',
      'compactionRunRepositoryContract',
      'labelRepositoryContract',
      'receiptRepositoryContract',
      'merchantRecordRepositoryContract',
      'InMemoryReceiptVersionStore',
      'receiptVersionStoreContract',
      'SAMPLE_RECEIPTS',
      'VARIED_SAMPLE_RECEIPTS',
    ]) {
      expect(testing, name).toHaveProperty(name);
    }
  });

  it('names the ports as the design does (a compile-time check: each fake implements its port)', () => {
    const clock: Clock = new testing.VirtualClock();
    const runs: CompactionRunRepository = new testing.InMemoryCompactionRunRepository();
    const gate: CompactionGate = new core.PollingCompactionGate({ runs, clock });
    const labels: LabelRepository = new testing.InMemoryLabelRepository({
      runs: new testing.InMemoryCompactionRunRepository(),
    });
    const receipts: ReceiptRepository = new testing.InMemoryReceiptRepository();
    const metadata: MerchantRecordRepository = new testing.InMemoryMerchantRecordRepository();
    const analyzer: ReceiptAnalyzer = new core.OfflineReceiptAnalyzer();
    const telemetry: Telemetry = new testing.RecordingTelemetry();
    const result: Pick<GateResult, 'outcome'> = { outcome: 'completed' };
    expect([gate, labels, receipts, metadata, analyzer, telemetry, result]).toHaveLength(7);
  });
});
