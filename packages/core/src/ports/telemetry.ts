import type { CompactionRunKey } from '../domain/compaction-run.js';
import type { CompactionCollection, CompactionState } from '../domain/compaction-state.js';
import type { ReceiptRef } from '../domain/receipt-ref.js';
import type { GateOutcome } from './compaction-gate.js';
import type { AnalysisOutcome } from './receipt-analyzer.js';

/** What the domain reports. Adapters map events to log lines and metrics; the seed's log lines map one to one. */
export type TelemetryEvent =
  | { readonly type: 'gate.waiting'; readonly run: CompactionRunKey; readonly deadlineInMs: number }
  | {
      readonly type: 'gate.progress';
      readonly run: CompactionRunKey;
      readonly linesState: CompactionState | 'MISSING';
      readonly wordsState: CompactionState | 'MISSING';
      readonly elapsedMs: number;
      readonly polls: number;
    }
  | {
      readonly type: 'gate.read_failed';
      readonly run: CompactionRunKey;
      readonly error: string;
      readonly polls: number;
    }
  | {
      readonly type: 'gate.settled';
      readonly run: CompactionRunKey;
      readonly outcome: GateOutcome;
      readonly waitedMs: number;
      readonly polls: number;
      readonly error?: string;
    }
  | {
      readonly type: 'validation.unguarded_write';
      readonly run: CompactionRunKey;
      readonly outcome: GateOutcome;
      readonly labels: number;
    }
  | {
      readonly type: 'upload.stored';
      readonly run: CompactionRunKey;
      readonly lines: number;
      readonly words: number;
    }
  | {
      readonly type: 'compaction.collection_finished';
      readonly run: CompactionRunKey;
      readonly collection: CompactionCollection;
      readonly state: CompactionState;
      readonly mergedVectors?: number;
      readonly error?: string;
    }
  | {
      readonly type: 'compaction.snapshot_patched';
      readonly receipt: ReceiptRef;
      readonly change: 'metadata' | 'labels';
      readonly vectors: number;
    }
  | {
      /**
       * Label or merchant records for a receipt without vectors in some collection (its delta not merged yet, or
       * its merge FAILED): acknowledged, and carried by the next merge, which builds the vectors from the table.
       */
      readonly type: 'compaction.changes_deferred';
      readonly receipt: ReceiptRef;
      readonly change: 'metadata' | 'labels';
      /** How many stream records of that change. */
      readonly records: number;
      readonly collections: readonly CompactionCollection[];
    }
  | {
      /**
       * A stream record this invocation did not apply: retried (reported in `batchItemFailures`), or dead-lettered
       * (it can never be applied) and acknowledged. Logged once per record and invocation.
       */
      readonly type: 'stream.record_failed';
      /** The receipt the record is about, when its key names one. */
      readonly receipt?: ReceiptRef;
      /** The item's key (`PK|SK` on DynamoDB). */
      readonly key: string;
      readonly eventId: string;
      readonly sequenceNumber: string;
      readonly disposition: 'retried' | 'dead_lettered';
      readonly reason: string;
    }
  | {
      /**
       * A stored item that does not fit the data model (another service wrote it so): left out of what was read,
       * and never rewritten.
       */
      readonly type: 'store.item_unreadable';
      readonly receipt: ReceiptRef;
      /** Its TYPE, or the entity it was read as. */
      readonly entity: string;
      /** Its primary key (`PK|SK` on DynamoDB). */
      readonly key: string;
      readonly error: string;
    }
  | {
      readonly type: 'analysis.fallback';
      readonly receipt: ReceiptRef;
      readonly from: string;
      readonly to: string;
      readonly reason: string;
    }
  | {
      readonly type: 'validation.completed';
      readonly run: CompactionRunKey;
      readonly outcome: GateOutcome;
      readonly analysis: AnalysisOutcome;
      /** The caller aborted (see ValidationReport.aborted). */
      readonly aborted: boolean;
      readonly labelsWritten: number;
      readonly metadataCorrected: boolean;
      readonly totalMs: number;
    };

export type MetricName =
  | 'GateWaitMs'
  | 'GateReads'
  | 'GateOutcomeCompleted'
  | 'GateOutcomeFailed'
  | 'GateOutcomeTimedOut'
  | 'GateOutcomeNotFound'
  | 'GateOutcomeAborted'
  | 'LabelsWritten'
  | 'LabelsFrozen'
  | 'UnguardedLabelWrites'
  | 'MetadataCorrections'
  | 'ProposalsRejected'
  | 'UnreadableItems'
  | 'LabelsOutsideVocabulary'
  /** Metadata corrections of the analyzer refused as untrusted input. */
  | 'CorrectionsRejected'
  /** Analyses let go at the validation's deadline. */
  | 'AnalysisOverruns'
  | 'AnalyzerFallbacks'
  | 'LlmCalls'
  | 'LlmRetries'
  | 'LlmProposalsDropped'
  | 'SnapshotOptimizations'
  | 'SnapshotOptimizeFailures'
  | 'CompactionChangesDeferred'
  | 'StreamRecordsRetried'
  | 'StreamRecordsDeadLettered'
  | 'ValidationsDispatched';

export interface Telemetry {
  event(event: TelemetryEvent): void;
  metric(name: MetricName, value: number, unit: 'Count' | 'Milliseconds'): void;
}
