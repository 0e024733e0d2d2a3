/**
 * The local system's handlers and stream pump in a process of their own, driven by its parent over IPC: what the
 * crash tests kill with SIGKILL in the middle of a batch and start again. Its argument is the JSON of
 * `HandlersProcessOptions`; it says `ready`, forwards every telemetry event, says `compacting` when a compaction
 * reads a delta, and answers `upload` and `settle`. It exits when its parent goes.
 */
import type { CompactionRunKey, EmbeddingDeltaStore, ReceiptRef, Telemetry } from '@receipt-gate/core';
import type { RunMode } from '@receipt-gate/lambda';
import type { GivenUp } from '@receipt-gate/local-runtime';
import { startLocalSystem } from './local-system.js';

export interface HandlersProcessOptions {
  readonly mode: RunMode;
  readonly endpoint: string;
  readonly s3Endpoint: string;
  readonly tableName: string;
  readonly deltasBucket: string;
  readonly embeddingsDir: string;
  readonly compactionDelayMs: number;
  /** Where the validation's accepted invocations wait (Lambda's queue): they outlive this process. */
  readonly validationQueueDir: string;
  /** The pump's pause before re-delivering a failed batch. */
  readonly streamRetryDelayMs: number;
}

/** What the parent sends. */
export type ToHandlers =
  | { readonly kind: 'upload'; readonly id: number; readonly payload: unknown }
  | { readonly kind: 'settle'; readonly timeoutMs: number };

/** What the process sends back. */
export type FromHandlers =
  | { readonly kind: 'ready' }
  | { readonly kind: 'telemetry'; readonly event: Parameters<Telemetry['event']>[0] }
  | { readonly kind: 'compacting'; readonly prefix: string; readonly receipt: ReceiptRef | undefined }
  | { readonly kind: 'uploaded'; readonly id: number; readonly run: CompactionRunKey }
  | { readonly kind: 'upload-failed'; readonly id: number; readonly error: string }
  | { readonly kind: 'settled'; readonly givenUp: GivenUp }
  | { readonly kind: 'settle-failed'; readonly error: string };

const send = (message: FromHandlers) => process.send?.(message);
const options = JSON.parse(process.argv[2] ?? '{}') as HandlersProcessOptions;
process.on('disconnect', () => process.exit(0));

const telemetry: Telemetry = {
  event: (event) => send({ kind: 'telemetry', event }),
  metric: () => {},
};
// The receipt of each delta this process stored (vector ids name it), for the parent to tell which run it caught.
const receipts = new Map<string, ReceiptRef>();
const announceCompactions = (store: EmbeddingDeltaStore): EmbeddingDeltaStore => ({
  putDelta: (prefix, vectors) => {
    const [, imageId, receiptId] = /^IMAGE#([^#]+)#RECEIPT#(\d+)/.exec(vectors[0]?.id ?? '') ?? [];
    if (imageId) receipts.set(prefix, { imageId, receiptId: Number(receiptId) });
    return store.putDelta(prefix, vectors);
  },
  getDelta: (prefix) => {
    send({ kind: 'compacting', prefix, receipt: receipts.get(prefix) });
    return store.getDelta(prefix);
  },
  deleteDelta: (prefix) => store.deleteDelta(prefix),
});
const system = await startLocalSystem({ ...options, telemetry, wrapDeltas: announceCompactions });
process.on('message', (message: ToHandlers) => {
  if (message.kind === 'upload') {
    system.upload(message.payload).then(
      (result) => send({ kind: 'uploaded', id: message.id, run: result.run }),
      (error: unknown) => send({ kind: 'upload-failed', id: message.id, error: String(error) }),
    );
  } else {
    system.settle(message.timeoutMs).then(
      () => send({ kind: 'settled', givenUp: system.givenUp() }),
      (error: unknown) => send({ kind: 'settle-failed', error: String(error) }),
    );
  }
});
send({ kind: 'ready' });
