import type { TelemetryEvent } from '../ports/telemetry.js';

const seconds = (ms: number) => `${Math.round(ms / 100) / 10}s`;

/** The seed's CloudWatch log vocabulary for an event, so dashboards and people reading logs find what they know. */
export function seedLogLine(event: TelemetryEvent): string {
  switch (event.type) {
    case 'gate.waiting':
      return `Waiting for compaction run ${event.run.runId} to complete...`;
    case 'gate.progress':
      return `⏳ Compaction in progress: lines=${event.linesState}, words=${event.wordsState}`;
    case 'gate.read_failed':
      return `⚠️ Reading compaction run ${event.run.runId} failed (read ${event.polls}), retrying: ${event.error}`;
    case 'gate.settled':
      switch (event.outcome) {
        case 'completed':
          return `✅ Compaction completed (waited ${seconds(event.waitedMs)})`;
        case 'timed_out':
          return `⚠️ Timeout waiting for compaction after ${seconds(event.waitedMs)}`;
        case 'failed':
          return `❌ Compaction failed after ${seconds(event.waitedMs)}: ${event.error ?? 'no error text'}`;
        case 'not_found':
          return `⚠️ Compaction run ${event.run.runId} not found after ${seconds(event.waitedMs)}`;
        case 'aborted':
          return `⚠️ Waiting for compaction aborted after ${seconds(event.waitedMs)}`;
      }
      break;
    case 'validation.unguarded_write':
      return `⚠️ Compaction ${event.outcome}, proceeding anyway: writing ${event.labels} labels unguarded`;
    case 'upload.stored':
      return `Stored ${event.lines} lines and ${event.words} words; compaction run ${event.run.runId} created`;
    case 'compaction.collection_finished':
      return event.state === 'COMPLETED'
        ? `Compaction of ${event.collection} COMPLETED (${event.mergedVectors ?? 0} vectors merged)`
        : `Compaction of ${event.collection} ${event.state}${event.error ? `: ${event.error}` : ''}`;
    case 'compaction.snapshot_patched':
      return `Second compaction: ${event.change} applied to ${event.vectors} vectors`;
    case 'compaction.changes_deferred':
      return `⏳ ${event.records} ${event.change} update(s) for ${event.receipt.imageId}/${event.receipt.receiptId} arrived with no ${event.collections.join(' or ')} vectors to update (not merged yet, or the merge FAILED): acknowledged, the next merge carries them`;
    case 'stream.record_failed':
      return event.disposition === 'dead_lettered'
        ? `❌ Stream record ${event.eventId} (${event.key}) dead-lettered: ${event.reason}`
        : `⚠️ Stream record ${event.eventId} (${event.key}) to be retried: ${event.reason}`;
    case 'store.item_unreadable':
      return `⚠️ Skipped unreadable ${event.entity} ${event.key}: ${event.error}`;
    case 'analysis.fallback':
      return `⚠️ Analyzer ${event.from} failed, using ${event.to}: ${event.reason}`;
    case 'validation.completed':
      return `✅ Validation completed for ${event.run.imageId}/${event.run.receiptId}`;
  }
}
