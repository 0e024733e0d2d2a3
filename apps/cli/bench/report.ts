import type { GatePolicy } from '@receipt-gate/core';
import { GATE_OUTCOMES, type ModeResult } from './run-mode.js';

export interface ReportInput {
  readonly command: string;
  readonly generatedAt: Date;
  readonly runTimeMs: number;
  readonly receipts: number;
  /** How many distinct sample receipts the uploads cycle through. */
  readonly samples: number;
  readonly compactionDelayMs: number;
  readonly policy: GatePolicy;
  readonly cores: number;
  readonly nodeVersion: string;
  readonly inline: ModeResult;
  readonly event: ModeResult;
}

// Known operations in a fixed order; any other seen is appended alphabetically.
const TABLE_OPERATIONS = [
  'GetItem',
  'PutItem',
  'UpdateItem',
  'TransactWriteItems',
  'BatchWriteItem',
  'BatchGetItem',
  'Query',
  'Scan',
];
const STREAM_OPERATIONS = ['GetRecords', 'GetShardIterator', 'DescribeStream', 'ListStreams'];
const VIOLATIONS_SHOWN = 10;

const s = (ms: number) => (ms / 1000).toFixed(1);
const num = (value: number) => (Math.abs(value) >= 10 ? value.toFixed(1) : value.toFixed(2));
const ratio = (value: number, base: number) => (base > 0 ? `${(value / base).toFixed(2)}x` : '-');
const percent = (part: number, whole: number) => `${Math.round((100 * part) / whole)}%`;
const sum = (values: Iterable<number>) => [...values].reduce((total, value) => total + value, 0);
const code = (text: string) => `\`${text}\``;

/** Nearest-rank percentile: a value that was observed, never interpolated. */
function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1] ?? Number.NaN;
}

const mean = (values: readonly number[]) => (values.length > 0 ? sum(values) / values.length : Number.NaN);
const receiptsPerSecond = (run: ModeResult) => run.receipts / (run.wallMs / 1000);
const perReceipt = (run: ModeResult, count: number) => count / run.receipts;
const tableTotal = (run: ModeResult) => sum(run.tableRequests.values());
const streamTotal = (run: ModeResult) => sum(run.streamRequests.values());
const count = (counts: ReadonlyMap<string, number>, name: string) => counts.get(name) ?? 0;
const lastValidatedMs = (run: ModeResult) => Math.max(0, ...run.validatedMs);
const recordsOf = (run: ModeResult, subscription: string) => run.pump[subscription]?.recordsDelivered ?? 0;

function operationsSeen(known: readonly string[], ...counts: ReadonlyMap<string, number>[]): string[] {
  const seen = new Set(counts.flatMap((map) => [...map.keys()]));
  return [
    ...known.filter((name) => seen.has(name)),
    ...[...seen].filter((name) => !known.includes(name)).sort(),
  ];
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

function describeGatePolicy(policy: GatePolicy): string {
  const { backoff } = policy;
  const reads = backoff
    ? `first interval ${policy.pollIntervalMs} ms, x${backoff.multiplier} per read, capped at ${backoff.maxIntervalMs} ms${backoff.jitter ? ', jittered' : ''}`
    : `read every ${policy.pollIntervalMs} ms`;
  return `${reads}; give up after ${s(policy.maxWaitMs)} s; a run still missing after ${s(policy.notFoundGraceMs)} s is not found; each read bounded to ${s(policy.pollTimeoutMs)} s`;
}

function resultsTable({ inline, event }: ReportInput): string {
  const runs = [inline, event];
  const row = (metric: string, cell: (run: ModeResult) => string, compare?: (run: ModeResult) => number) => [
    metric,
    ...runs.map(cell),
    compare ? ratio(compare(event), compare(inline)) : '',
  ];
  const perReceiptRow = (metric: string, total: (run: ModeResult) => number) =>
    row(
      metric,
      (run) => num(perReceipt(run, total(run))),
      (run) => perReceipt(run, total(run)),
    );
  const spread = (values: (run: ModeResult) => readonly number[]) => (run: ModeResult) =>
    values(run).length > 0 ? `${s(percentile(values(run), 50))} / ${s(percentile(values(run), 100))}` : '-';
  const subscriptions = [...new Set(runs.flatMap((run) => Object.keys(run.pump)))];
  return table(
    ['Metric', code('inline'), code('event'), 'event / inline'],
    [
      row(
        'Wall time, first upload to stream caught up (s)',
        (run) => s(run.wallMs),
        (run) => run.wallMs,
      ),
      row(
        '**Receipts per second, whole flow**',
        (run) => receiptsPerSecond(run).toFixed(2),
        receiptsPerSecond,
      ),
      row(
        'Node CPU time, handlers + pump + proxy (s)',
        (run) => s(run.cpuMs),
        (run) => run.cpuMs,
      ),
      row('1-minute load average at the start', (run) => run.loadAverage.toFixed(2)),
      row('Last upload returned at (s)', (run) => s(run.uploadsReturnedMs)),
      row(
        'Compaction, run created to last collection finished, p50 / max (s)',
        spread((run) => run.compactionMs),
      ),
      row(
        'Compaction finished to validation completed, p50 / max (s)',
        spread((run) => run.releaseMs),
      ),
      row(
        'Validated at, p50 / max (s)',
        spread((run) => run.validatedMs),
      ),
      ...operationsSeen(TABLE_OPERATIONS, inline.tableRequests, event.tableRequests).map((name) =>
        perReceiptRow(`${name} per receipt`, (run) => count(run.tableRequests, name)),
      ),
      perReceiptRow('**Table requests per receipt**', tableTotal),
      perReceiptRow(
        'Table requests per receipt on the wire (with SDK retries)',
        (run) => run.tableRequestsOnWire,
      ),
      ...operationsSeen(STREAM_OPERATIONS, inline.streamRequests, event.streamRequests).map((name) =>
        perReceiptRow(`Stream ${name} per receipt`, (run) => count(run.streamRequests, name)),
      ),
      perReceiptRow('**Stream requests per receipt**', streamTotal),
      perReceiptRow('**All DynamoDB requests per receipt**', (run) => tableTotal(run) + streamTotal(run)),
      row(
        'Gate reads per receipt, mean / p50 / max',
        (run) =>
          `${num(mean(run.gateReads))} / ${percentile(run.gateReads, 50)} / ${percentile(run.gateReads, 100)}`,
        (run) => mean(run.gateReads),
      ),
      row(`Gate outcomes ${GATE_OUTCOMES.join(' / ')}`, (run) =>
        GATE_OUTCOMES.map((outcome) => run.outcomes[outcome]).join(' / '),
      ),
      row('Validations', (run) => String(run.validations)),
      row(
        'Labels written / metadata corrected',
        (run) => `${run.labelsWritten} / ${run.metadataCorrections}`,
      ),
      ...subscriptions.map((name) =>
        row(`${code(name)} subscription: invocations / records delivered / filtered out / retries`, (run) => {
          const stats = run.pump[name];
          return stats
            ? [stats.invocations, stats.recordsDelivered, stats.recordsFiltered, stats.retries].join(' / ')
            : '-';
        }),
      ),
      row('Stream records given up on', (run) => String(run.unprocessed)),
      row('Invariant violations', (run) => String(run.violations.length)),
    ],
  );
}

/** Sentences drawn from the numbers, so they follow the handlers and adapters as they change. */
function interpretation(input: ReportInput): string {
  const { inline, event, receipts, compactionDelayMs, policy } = input;
  const runs = [inline, event];
  const both = (describe: (run: ModeResult) => string) =>
    `${describe(inline)} in ${code('inline')}, ${describe(event)} in ${code('event')}`;
  const sentences: string[] = [];

  sentences.push(
    `${code('event')} took the ${receipts} receipts through the whole flow at ${receiptsPerSecond(event).toFixed(2)} ` +
      `receipts/s, ${code('inline')} at ${receiptsPerSecond(inline).toFixed(2)} ` +
      `(${ratio(receiptsPerSecond(event), receiptsPerSecond(inline))}). The last upload returned after ` +
      `${both((run) => `${s(run.uploadsReturnedMs)} s`)}` +
      (inline.uploadsReturnedMs > 1.5 * event.uploadsReturnedMs
        ? `: an ${code('event')} upload only stores, an ${code('inline')} one is held through the gate's wait and ` +
          'the validation.'
        : '.'),
  );

  const busy = runs.filter((run) => run.loadAverage > input.cores);
  if (busy.length > 0) {
    sentences.push(
      `The machine was busy with other work (1-minute load average ${both((run) => run.loadAverage.toFixed(2))} ` +
        `at the start, on ${input.cores} cores; this process used ${both((run) => `${s(run.cpuMs)} s of CPU`)}): ` +
        'wall times and receipts per second vary from run to run, request counts do not.',
    );
  }

  const tail = (run: ModeResult) => run.wallMs - lastValidatedMs(run);
  const compactorRecords = (run: ModeResult) => perReceipt(run, recordsOf(run, 'compaction'));
  if (runs.every((run) => tail(run) > run.wallMs / 3)) {
    sentences.push(
      `Much of the wall time came after the last validation (${both((run) => percent(tail(run), run.wallMs))}): ` +
        'the compactor, one consumer taking the stream in order, still had records to handle, ' +
        `${num(compactorRecords(event))} per receipt of which ${num(perReceipt(event, event.labelsWritten))} are ` +
        'label records, each patching its word vector in the snapshot. Receipts per second here measures the ' +
        'compactor as much as the mode.',
    );
  } else {
    sentences.push(`The stream caught up ${both((run) => `${s(tail(run))} s`)} after the last validation.`);
  }

  const p50 = (values: readonly number[]) => s(percentile(values, 50));
  const max = (values: readonly number[]) => s(percentile(values, 100));
  const mergingAloneMs = receipts * compactionDelayMs;
  sentences.push(
    `A compaction of ${compactionDelayMs} ms took ${both((run) => `${p50(run.compactionMs)} s (p50) and ${max(run.compactionMs)} s (max)`)} ` +
      "from its run's creation" +
      (runs.some((run) => percentile(run.compactionMs, 100) > 1.5 * mergingAloneMs)
        ? `, longer than the ${s(mergingAloneMs)} s of merging every receipt one after another: the compactor ` +
          'takes the stream in order, one record at a time, so a run waits behind every record written before it.'
        : '.'),
  );

  const releasedLater = percentile(event.releaseMs, 50) > percentile(inline.releaseMs, 50);
  sentences.push(
    `A receipt was validated ${both((run) => `${p50(run.releaseMs)} s (p50) and ${max(run.releaseMs)} s (max)`)} ` +
      'after its compaction finished, label writes included' +
      (releasedLater
        ? `: an ${code('event')} validation waits for the stream to deliver the run's MODIFY and for the ` +
          'validations before it on the shard, which its subscription runs one at a time, while the ' +
          `${code('inline')} gate sees the change at its next read.`
        : `: an ${code('event')} validation starts once the stream delivers the run's MODIFY, while the ` +
          `${code('inline')} gate sees the change only at its next read, up to ${policy.pollIntervalMs} ms later.`),
  );

  const differences = operationsSeen(TABLE_OPERATIONS, inline.tableRequests, event.tableRequests)
    .map((name) => ({
      name,
      delta:
        perReceipt(event, count(event.tableRequests, name)) -
        perReceipt(inline, count(inline.tableRequests, name)),
    }))
    .filter(({ delta }) => delta !== 0)
    .sort((a, b) => Math.abs(b.delta) - Math.abs(a.delta));
  const gateReadsSaved = mean(inline.gateReads) - mean(event.gateReads);
  const explained = differences[0]?.name === 'GetItem' && gateReadsSaved > 0;
  sentences.push(
    `${code('event')} made ${num(perReceipt(event, tableTotal(event)))} table requests per receipt, ` +
      `${code('inline')} ${num(perReceipt(inline, tableTotal(inline)))} ` +
      `(${ratio(tableTotal(event), tableTotal(inline))}). ` +
      (differences.length === 0
        ? 'Every operation is as frequent in both modes.'
        : `Per receipt, ${code('event')} minus ${code('inline')}: ` +
          `${differences.map(({ name, delta }) => `${name} ${delta > 0 ? '+' : ''}${num(delta)}`).join(', ')}; ` +
          'every other operation is as frequent in both modes.') +
      (explained
        ? ` The ${code('inline')} gate reads the run every ${policy.pollIntervalMs} ms until it has settled, ` +
          `${num(mean(inline.gateReads))} GetItem per receipt on average (max ${percentile(inline.gateReads, 100)}), ` +
          `while in ${code('event')} mode the run's stream record starts the validation and the gate's first read ` +
          `confirms it (${num(mean(event.gateReads))} per receipt): the gate accounts for ${num(gateReadsSaved)} of ` +
          'the GetItem difference.'
        : ''),
  );

  const [busiest, busiestCount] = [...event.tableRequests].reduce<[string, number]>(
    (best, entry) => (entry[1] > best[1] ? entry : best),
    ['-', 0],
  );
  const queryPerRecord =
    busiest === 'Query' && perReceipt(event, busiestCount) >= 0.8 * compactorRecords(event);
  sentences.push(
    `The most frequent table request is ${busiest}, ${num(perReceipt(event, busiestCount))} per receipt ` +
      `(${percent(busiestCount, tableTotal(event))} of ${code('event')}'s table requests)` +
      (queryPerRecord
        ? `, about one per record the compactor handled (${num(compactorRecords(event))} per receipt): for each ` +
          "label record it reads that word's labels, by a Query on the word's label keys alone, so each one reads " +
          'a few items however large the receipt.'
        : '.'),
  );

  const subscriptionsOf = (run: ModeResult) => Object.keys(run.pump).length;
  const readsPerSecond = (run: ModeResult) => count(run.streamRequests, 'GetRecords') / (run.wallMs / 1000);
  sentences.push(
    `Stream requests: ${both((run) => `${num(perReceipt(run, streamTotal(run)))} per receipt`)} ` +
      `(${ratio(streamTotal(event), streamTotal(inline))}). They follow wall time and subscriptions rather than ` +
      'receipts: each subscription reads the stream on its own, polling while it is idle ' +
      `(${both((run) => `${readsPerSecond(run).toFixed(1)} GetRecords/s with ${subscriptionsOf(run)} subscription${subscriptionsOf(run) === 1 ? '' : 's'}`)}). ` +
      'Counting all DynamoDB requests, event / inline is ' +
      `${ratio(tableTotal(event) + streamTotal(event), tableTotal(inline) + streamTotal(inline))}.`,
  );

  const retried = runs.filter((run) => run.tableRequestsOnWire > tableTotal(run));
  if (retried.length > 0) {
    sentences.push(
      `The SDK retried ${retried.map((run) => `${run.tableRequestsOnWire - tableTotal(run)} table requests in ${code(run.mode)}`).join(' and ')}.`,
    );
  }

  const notCompleted = runs.filter((run) => run.outcomes.completed < run.gateReads.length);
  sentences.push(
    notCompleted.length === 0
      ? `Every gate ended ${code('completed')}.`
      : notCompleted
          .map(
            (run) =>
              `In ${code(run.mode)}, ${run.gateReads.length - run.outcomes.completed} gates did not end ${code('completed')} ` +
              `(${GATE_OUTCOMES.filter((outcome) => outcome !== 'completed' && run.outcomes[outcome] > 0)
                .map((outcome) => `${run.outcomes[outcome]} ${outcome}`)
                .join(', ')}).`,
          )
          .join(' '),
  );

  const broken = runs.filter((run) => run.violations.length > 0);
  sentences.push(
    broken.length === 0
      ? 'The invariants held in both modes: no label before its compaction, metadata corrected after the labels, ' +
          'every change in every vector, every receipt validated, no stream record given up on.'
      : `**The invariants did not hold** in ${broken.map((run) => code(run.mode)).join(' and ')} (below); the bench exits non-zero.`,
  );
  return sentences.map((sentence) => `- ${sentence}`).join('\n');
}

function violationsSection({ inline, event }: ReportInput): string {
  return [inline, event]
    .map((run) =>
      run.violations.length === 0
        ? `- ${code(run.mode)}: none.`
        : `- ${code(run.mode)}: **${run.violations.length}**, first: ${run.violations
            .slice(0, VIOLATIONS_SHOWN)
            .map(code)
            .join('; ')}`,
    )
    .join('\n');
}

const OPERATIONS = [
  'deltas.putDelta',
  'deltas.getDelta',
  'snapshots.list',
  'snapshots.merge',
  'snapshots.patch',
];
const mb = (bytes: number) => (bytes / 1_000_000).toFixed(1);

function storesSection({ inline, event, receipts }: ReportInput): string {
  const runs = [inline, event];
  const seen = operationsSeen(
    OPERATIONS,
    ...runs.map((run) => new Map([...run.stores.operations].map(([name, stats]) => [name, stats.calls]))),
  );
  const row = (metric: string, cell: (run: ModeResult) => string) => [metric, ...runs.map(cell)];
  const perThousand = (run: ModeResult, bytes: number) => `${mb((bytes / run.receipts) * 1000)} MB`;
  const rows = [
    ...seen.map((name) =>
      row(`${code(name)} calls per receipt (ms per call)`, (run) => {
        const stats = run.stores.operations.get(name);
        return stats ? `${num(stats.calls / run.receipts)} (${num(stats.ms / stats.calls)})` : '-';
      }),
    ),
    row('Store calls per receipt, all', (run) =>
      num(sum([...run.stores.operations.values()].map((stats) => stats.calls)) / run.receipts),
    ),
    row(
      'Time in the stores per receipt (calls overlap)',
      (run) =>
        `${Math.round(sum([...run.stores.operations.values()].map((stats) => stats.ms)) / run.receipts)} ms`,
    ),
    row('Table versions (lines + words) when settled', (run) => String(run.stores.versionsBefore)),
    row('Table versions after `optimize()`', (run) => String(run.stores.versionsAfter)),
    row('`optimize()` of both tables', (run) => `${Math.round(run.stores.optimizeMs)} ms`),
    row(
      'Tables on disk when settled / after `optimize()`',
      (run) => `${mb(run.stores.tableBytesBefore)} / ${mb(run.stores.tableBytesAfter)} MB`,
    ),
    row('Delta objects (bytes)', (run) => `${run.stores.deltaObjects} (${mb(run.stores.deltaBytes)} MB)`),
    row('Disk per 1000 receipts: tables after `optimize()` + deltas', (run) =>
      perThousand(run, run.stores.tableBytesAfter + run.stores.deltaBytes),
    ),
  ];
  return `${table(['metric', ...runs.map((run) => code(run.mode))], rows)}

Store calls are the handlers' calls of the ports (each \`patch\` here carries one patch: the compactor sends one
per stream record), timed around the call. Every merge and patch is one table version; the scheduled
\`optimize()\` (every 100 writes per table) compacts files but keeps versions younger than an hour, so the
versions when settled are about the writes; the bench then runs \`optimize()\` pruning every older version.
Vectors have 256 float32 values (HashingEmbedder); ${receipts} receipts per mode.`;
}

export function renderReport(input: ReportInput): string {
  const { receipts, compactionDelayMs, policy } = input;
  return `# The whole flow on DynamoDB Local: \`inline\` vs \`event\`

Generated by \`${input.command}\` (\`apps/lambda/bench/e2e.bench.ts\`) on ${input.generatedAt.toISOString()}:
${receipts} receipts per mode, compaction delay ${compactionDelayMs} ms, gate policy: ${describeGatePolicy(policy)}.
Machine: ${input.cores} cores, Node ${input.nodeVersion} (load averages below); ${s(input.runTimeMs)} s of wall time
for the whole bench. Reproduce with
\`pnpm bench:e2e --receipts ${receipts} --compaction-ms ${compactionDelayMs} --poll-ms ${policy.pollIntervalMs}\`.
This file is overwritten by each run; do not edit it by hand.

## Setup

- Each mode runs on its own DynamoDB Local (a fresh JVM), table, stream and stream pump, wired by
  \`startLocalSystem\`: the upload handler, the compactor on the stream and, in \`event\` mode, the validation
  handler on the stream, filtered to runs with both collections COMPLETED or one FAILED.
- The ${receipts} receipts cycle through the ${input.samples} sample receipts (copies get fresh image ids) and are
  uploaded all at once, as a burst of Lambda invocations would be. The compactor waits ${compactionDelayMs} ms before
  each merge, standing in for production's 30-60 s. Outcome policy: the defaults.
- Wall time runs from the first upload until \`settle()\` returns: every upload has returned, the stream is caught
  up and no handler has run for 500 ms (included).
- Table requests are the commands the handlers send through the main client, counted by its middleware.
  Stream requests, and table requests "on the wire", are counted by an HTTP proxy between the clients and
  DynamoDB Local, one per HTTP request, SDK retries included. Only that window is counted: not the table's
  creation, not the invariant checks.
- Gate reads and outcomes come from the \`RunRecorder\`'s records (each receipt's last wait).
- On AWS, the GetRecords calls of Lambda's event source mappings are not billed; the gate's reads are
  (consistent GetItem).

## Results

${resultsTable(input)}

## Embedding stores (LanceDB tables in a local directory, deltas on the local S3 server)

${storesSection(input)}

## Interpretation

${interpretation(input)}

## Invariant violations (\`checkInvariants\`)

${violationsSection(input)}
`;
}
