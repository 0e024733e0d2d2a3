import type { GatePolicy } from '@receipt-gate/core';
import { GATE_OUTCOMES, type ModeResult } from './run-mode.js';

export interface ReportInput {
  readonly command: string;
  readonly generatedAt: Date;
  readonly runTimeMs: number;
  readonly receipts: number;
  /** Receipts of the unmeasured flow each mode ran first. */
  readonly warmupReceipts: number;
  /** How many distinct sample receipts the uploads cycle through. */
  readonly samples: number;
  readonly compactionDelayMs: number;
  readonly policy: GatePolicy;
  readonly cores: number;
  readonly nodeVersion: string;
  /** The dispatcher mapping's settings, as deployed and as the pump ran them. */
  readonly settings: string;
  readonly runs: readonly ModeResult[];
}

/** The targets of the `event` mode at 300 receipts with a 200 ms merge on this 2-core machine. */
export const TARGETS = {
  receiptsPerSecond: 10,
  compactionP99Ms: 3_000,
  tableRequestsPerReceipt: 40,
} as const;

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
const s2 = (ms: number) => (ms / 1000).toFixed(2);
const num = (value: number) => (Math.abs(value) >= 10 ? value.toFixed(1) : value.toFixed(2));
const sum = (values: Iterable<number>) => [...values].reduce((total, value) => total + value, 0);
const code = (text: string) => `\`${text}\``;

/** Nearest-rank percentile: a value that was observed, never interpolated. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1] ?? Number.NaN;
}

export const receiptsPerSecond = (run: ModeResult) => run.receipts / (run.wallMs / 1000);
const perReceipt = (run: ModeResult, count: number) => count / run.receipts;
export const tableTotal = (run: ModeResult) => sum(run.tableRequests.values());
const streamTotal = (run: ModeResult) => sum(run.streamRequests.values());
const count = (counts: ReadonlyMap<string, number>, name: string) => counts.get(name) ?? 0;
/** Item writes per second of the flow, as a share of what a pure BatchWriteItem load managed. */
export const ceilingShare = (run: ModeResult) =>
  (100 * run.itemWrites) / (run.wallMs / 1000) / run.ceiling.itemsPerSecond;
const dispatcher = (run: ModeResult) => run.pump.dispatcher;

/**
 * The least CPU any implementation of the flow spends per receipt on this machine: each of the receipt's item writes
 * done once by BatchWriteItem, read back once by Query and its stream record read once, on a warm DynamoDB Local.
 * Undefined where the JVM's CPU time is not known.
 */
export function floorCpuMs(run: ModeResult): { node: number; database: number } | undefined {
  const { node, database } = run.ceiling.floorCpuMsPerItem;
  const items = run.itemWrites / run.receipts;
  return database === undefined ? undefined : { node: node * items, database: database * items };
}

/** Receipts per second the machine's cores could give if the flow spent no more than the floor. */
export const floorReceiptsPerSecond = (run: ModeResult, cores: number) => {
  const floor = floorCpuMs(run);
  return floor === undefined ? undefined : (cores * 1000) / (floor.node + floor.database);
};
const streamRecords = (run: ModeResult) => dispatcher(run)?.recordLatencyMs.length ?? 0;

/**
 * Receipts per second DynamoDB Local's transactions allow: the actions per second its TransactWriteItems took when
 * nothing else ran, over the actions the flow sends in transactions per receipt.
 */
export const transactionReceiptsPerSecond = (run: ModeResult) =>
  run.transactionActions === 0
    ? undefined
    : run.ceiling.transactional.actionsPerSecond / (run.transactionActions / run.receipts);

/** The line each mode ends the command's output with. */
export function summaryLine(run: ModeResult): string {
  return (
    `e2e: ${run.mode} ${run.receipts} receipts, ${receiptsPerSecond(run).toFixed(2)} receipts/s, ` +
    `${ceilingShare(run).toFixed(1)}% of write ceiling, ${num(perReceipt(run, tableTotal(run)))} requests/receipt, ` +
    `${run.violations.length} violations`
  );
}

function operationsSeen(known: readonly string[], counts: readonly ReadonlyMap<string, number>[]): string[] {
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

const spread = (values: readonly number[]) =>
  values.length > 0
    ? `${s2(percentile(values, 50))} / ${s2(percentile(values, 99))} / ${s2(percentile(values, 100))}`
    : '-';

function resultsTable(input: ReportInput): string {
  const { runs } = input;
  const row = (metric: string, cell: (run: ModeResult) => string) => [metric, ...runs.map(cell)];
  const perReceiptRow = (metric: string, total: (run: ModeResult) => number) =>
    row(metric, (run) => num(perReceipt(run, total(run))));
  return table(
    ['Metric', ...runs.map((run) => code(run.mode))],
    [
      row('Wall time, first upload to everything settled (s)', (run) => s(run.wallMs)),
      row('**Receipts per second, whole flow**', (run) => receiptsPerSecond(run).toFixed(2)),
      row(
        '**Share of the write ceiling** (item writes/s of the flow ÷ BatchWriteItem items/s)',
        (run) =>
          `${ceilingShare(run).toFixed(1)}% (${num(run.itemWrites / (run.wallMs / 1000))} ÷ ${num(run.ceiling.itemsPerSecond)})`,
      ),
      row(
        'Write ceiling: items, mean item size, time',
        (run) =>
          `${run.ceiling.items} items of ${Math.round(run.ceiling.meanItemBytes)} B in ${s2(run.ceiling.ms)} s`,
      ),
      row(
        'Least CPU per receipt (write, read back and stream each item once), Node + DynamoDB Local (ms)',
        (run) => {
          const floor = floorCpuMs(run);
          return floor ? `${Math.round(floor.node)} + ${Math.round(floor.database)}` : '-';
        },
      ),
      row(`Receipts/s the ${input.cores} cores allow at that least CPU`, (run) => {
        const most = floorReceiptsPerSecond(run, input.cores);
        return most === undefined ? '-' : most.toFixed(1);
      }),
      perReceiptRow(
        'Actions in TransactWriteItems per receipt (fenced and guarded writes)',
        (run) => run.transactionActions,
      ),
      row(
        'Transaction ceiling: TransactWriteItems actions/s with nothing else running',
        (run) =>
          `${num(run.ceiling.transactional.actionsPerSecond)} (${run.ceiling.transactional.actions} actions in ${s2(run.ceiling.transactional.ms)} s)`,
      ),
      row('Receipts/s the transaction ceiling allows', (run) => {
        const most = transactionReceiptsPerSecond(run);
        return most === undefined ? '-' : most.toFixed(1);
      }),
      row('1-minute load average at the start', (run) => run.loadAverage.toFixed(2)),
      row('Node CPU time, handlers + pump + S3 server (s)', (run) => s(run.cpuMs)),
      row('DynamoDB Local CPU time (s)', (run) =>
        run.databaseCpuMs === undefined ? '-' : s(run.databaseCpuMs),
      ),
      row('CPU per receipt, Node + DynamoDB Local (ms)', (run) =>
        run.databaseCpuMs === undefined
          ? `${Math.round(run.cpuMs / run.receipts)} + -`
          : `${Math.round(run.cpuMs / run.receipts)} + ${Math.round(run.databaseCpuMs / run.receipts)}`,
      ),
      row(
        'Last upload returned at (s); uploads retried by the caller',
        (run) => `${s(run.uploadsReturnedMs)}; ${run.uploadRetries}`,
      ),
      row('**Compaction, run created to last collection finished, p50 / p99 / max (s)**', (run) =>
        spread(run.compactionMs),
      ),
      row('Compaction finished to validation completed, p50 / p99 / max (s)', (run) => spread(run.releaseMs)),
      row('Compactions under way at once, most', (run) => String(run.overlappingMerges)),
      ...operationsSeen(
        TABLE_OPERATIONS,
        runs.map((run) => run.tableRequests),
      ).map((name) => perReceiptRow(`${name} per receipt`, (run) => count(run.tableRequests, name))),
      perReceiptRow('**Table requests per receipt**', tableTotal),
      perReceiptRow(
        'Table requests per receipt on the wire (with SDK retries)',
        (run) => run.tableRequestsOnWire,
      ),
      ...operationsSeen(
        STREAM_OPERATIONS,
        runs.map((run) => run.streamRequests),
      ).map((name) => perReceiptRow(`Stream ${name} per receipt`, (run) => count(run.streamRequests, name))),
      perReceiptRow('Stream requests per receipt', streamTotal),
      perReceiptRow(
        '**Stream records per receipt** (delivered to the dispatcher, first deliveries)',
        streamRecords,
      ),
      row('Dispatcher: invocations / records delivered / retries / most batches at once', (run) => {
        const stats = dispatcher(run);
        return stats
          ? `${stats.invocations} / ${stats.recordsDelivered} / ${stats.retries} / ${stats.concurrentBatchesHighWater}`
          : '-';
      }),
      row('Dispatcher: record wait from read to first delivery, p50 / p99 (s)', (run) =>
        dispatcher(run)
          ? `${s2(percentile(dispatcher(run)?.recordWaitMs ?? [], 50))} / ${s2(percentile(dispatcher(run)?.recordWaitMs ?? [], 99))}`
          : '-',
      ),
      row('Changes deferred to their merge (records)', (run) => String(run.deferred)),
      row('Validations invoked asynchronously: attempts / retries / given up / most at once', (run) => {
        const stats = run.validationInvocations;
        return stats
          ? `${stats.attempts} / ${stats.retries} / ${stats.failures} / ${stats.concurrencyHighWater}`
          : '- (inline)';
      }),
      row(
        'Gate reads per receipt, p50 / max',
        (run) => `${percentile(run.gateReads, 50)} / ${percentile(run.gateReads, 100)}`,
      ),
      row(`Gate outcomes ${GATE_OUTCOMES.join(' / ')}`, (run) =>
        GATE_OUTCOMES.map((outcome) => run.outcomes[outcome]).join(' / '),
      ),
      row(
        'Validations / labels written / metadata corrected',
        (run) => `${run.validations} / ${run.labelsWritten} / ${run.metadataCorrections}`,
      ),
      row('Stream records given up on / dead-lettered', (run) => `${run.unprocessed} / ${run.deadLetters}`),
      row('**Invariant violations**', (run) => String(run.violations.length)),
    ],
  );
}

function storesSection({ runs, receipts }: ReportInput): string {
  const names = [...new Set(runs.flatMap((run) => [...run.stores.operations.keys()]))].sort();
  const row = (metric: string, cell: (run: ModeResult) => string) => [metric, ...runs.map(cell)];
  const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
  return `${table(
    ['metric', ...runs.map((run) => code(run.mode))],
    [
      ...names.map((name) =>
        row(`${code(name)} calls per receipt (ms per call)`, (run) => {
          const stats = run.stores.operations.get(name);
          return stats ? `${num(stats.calls / run.receipts)} (${num(stats.ms / stats.calls)})` : '-';
        }),
      ),
      row(
        'Table versions (lines + words) when settled / after `optimize()`',
        (run) => `${run.stores.versionsBefore} / ${run.stores.versionsAfter}`,
      ),
      row('`optimize()` of both tables', (run) => `${Math.round(run.stores.optimizeMs)} ms`),
      row(
        'Tables on disk when settled / after `optimize()`',
        (run) => `${mb(run.stores.tableBytesBefore)} / ${mb(run.stores.tableBytesAfter)} MB`,
      ),
      row('Delta objects (bytes)', (run) => `${run.stores.deltaObjects} (${mb(run.stores.deltaBytes)} MB)`),
    ],
  )}

Store calls are the handlers' calls of the ports, timed around the call (calls overlap). Writes of one table that
arrive while it is being written are applied together as one version (the LanceDB adapter's group commit), so
versions count table writes, not calls. Vectors have 256 float32 values (HashingEmbedder); ${receipts} receipts per mode.`;
}

function targetsSection({ runs, receipts, compactionDelayMs, cores }: ReportInput): string {
  const event = runs.find((run) => run.mode === 'event');
  if (!event) return `No ${code('event')} run in this report: the targets are set for ${code('event')} mode.`;
  const check = (ok: boolean) => (ok ? 'met' : '**not met**');
  const rps = receiptsPerSecond(event);
  const p99 = percentile(event.compactionMs, 99);
  const requests = perReceipt(event, tableTotal(event));
  const standard = receipts === 300 && compactionDelayMs === 200;
  return [
    standard
      ? `Targets, ${code('event')} mode, 300 receipts, 200 ms merge stand-in, this machine:`
      : `Targets (set for 300 receipts and a 200 ms merge; this run: ${receipts} receipts, ${compactionDelayMs} ms):`,
    '',
    table(
      ['target', 'measured', ''],
      [
        [
          `at least ${TARGETS.receiptsPerSecond} receipts/s`,
          rps.toFixed(2),
          check(rps >= TARGETS.receiptsPerSecond),
        ],
        [
          `compaction latency p99 at most ${s(TARGETS.compactionP99Ms)} s`,
          `${s2(p99)} s`,
          check(p99 <= TARGETS.compactionP99Ms),
        ],
        [
          `at most ${TARGETS.tableRequestsPerReceipt} table requests per receipt`,
          num(requests),
          check(requests <= TARGETS.tableRequestsPerReceipt),
        ],
        ['0 invariant violations', String(event.violations.length), check(event.violations.length === 0)],
      ],
    ),
    ...floorNote(event, cores),
    ...transactionNote(event),
  ].join('\n');
}

/** What the least CPU a receipt needs allows on this machine, against the throughput target. */
function floorNote(run: ModeResult, cores: number): string[] {
  const floor = floorCpuMs(run);
  const most = floorReceiptsPerSecond(run, cores);
  if (!floor || most === undefined) return [];
  return [
    '',
    `Writing each of a receipt's ${num(run.itemWrites / run.receipts)} item writes once, reading it back once and ` +
      `reading its stream record once takes ${Math.round(floor.node + floor.database)} ms of CPU per receipt on ` +
      `this machine (${Math.round(floor.database)} ms of it in DynamoDB Local), measured in this run: with nothing ` +
      `else done, the ${cores} cores allow at most ${most.toFixed(1)} receipts/s.`,
  ];
}

/** What DynamoDB Local's transaction throughput allows, against the throughput target. */
function transactionNote(run: ModeResult): string[] {
  const most = transactionReceiptsPerSecond(run);
  if (most === undefined) return [];
  return [
    '',
    `The flow sends ${num(run.transactionActions / run.receipts)} actions per receipt in TransactWriteItems (the ` +
      `upload's content and run behind the receipt's lease, the labels behind their run's guard). On its own, with ` +
      `nothing else running, DynamoDB Local took ${num(run.ceiling.transactional.actionsPerSecond)} such actions/s ` +
      `in this run: its transactions alone allow at most ${most.toFixed(1)} receipts/s.`,
  ];
}

function violationsSection({ runs }: ReportInput): string {
  return runs
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

export function renderReport(input: ReportInput): string {
  const { receipts, compactionDelayMs, policy, runs } = input;
  const modes = runs.map((run) => run.mode);
  const modeArg = modes.length === 2 ? 'both' : (modes[0] ?? 'both');
  return `# The whole flow on DynamoDB Local: ${modes.map(code).join(' and ')}

Generated by \`${input.command}\` (\`apps/cli/bench/e2e.bench.ts\`) on ${input.generatedAt.toISOString()}:
${receipts} receipts per mode, compaction delay ${compactionDelayMs} ms, gate policy: ${describeGatePolicy(policy)}.
Machine: ${input.cores} cores, Node ${input.nodeVersion} (load averages below; other work shares the machine);
${s(input.runTimeMs)} s of wall time for the whole bench. Reproduce with
\`pnpm bench:e2e --receipts ${receipts} --mode ${modeArg} --compaction-ms ${compactionDelayMs} --poll-ms ${policy.pollIntervalMs} --warmup ${input.warmupReceipts}\`.
This file is overwritten by each run; do not edit it by hand.

## Setup

- Each mode runs on its own DynamoDB Local (a JVM of its own, with the parallel collector), table, stream and
  handlers, wired by
  \`startLocalSystem\` as deployed: one stream mapping, the dispatcher's (${input.settings}), feeding the
  dispatcher, which compacts and, in \`event\` mode, hands each settled run to the validation through an
  asynchronous invocation (Lambda's retries and on-failure record). The settings are the exported constants the
  CDK app deploys.
- ${input.warmupReceipts > 0 ? `Before it, unmeasured, the same system (table, stream, bucket, snapshot tables, handlers) takes ${input.warmupReceipts} other receipts and settles: a cold JVM takes writes at about a third of its warm speed, and production's DynamoDB has no JIT to warm. The counts start after it; the snapshot tables hold its vectors too.` : 'No warm-up flow ran first (`--warmup 0`): the JVM and this process start cold, and their JIT compilation is measured with the flow.'}
- The ${receipts} receipts cycle through the ${input.samples} sample receipts (copies get fresh image ids) and are
  uploaded all at once, as a burst of Lambda invocations would be. The compactor waits ${compactionDelayMs} ms before
  each merge, standing in for production's merge time. Outcome policy: the defaults.
- Wall time runs from the first upload until everything has settled: every upload has returned, the stream is
  caught up, no handler has run for 500 ms (included) and no validation is pending.
- Compaction latency runs from a run's creation (the upload's \`created_at\`) to its last collection finishing;
  completion-to-validated from there to the end of its validation.
- Table requests are the commands the handlers send through the main client, and stream requests the pump's
  through its streams client, counted by middleware in the clients; requests on the wire count each attempt, the
  SDK's retries included. Only the measured window is counted: not the table's creation, not the checks.
- The write ceiling is measured right after the flow on a fresh DynamoDB Local (the flow's own instance has
  slowed by then under every item and stream record it keeps in memory): the items the flow left, written again
  under new keys into our table's definition by BatchWriteItem alone (25 a request, 16 requests in flight, at most
  6000 items), once to warm the JVM and once measured. The flow's item writes are the items the measured receipts
  added to the table plus every UpdateItem. The transaction ceiling is the same items written by
  TransactWriteItems, 16 in flight, each up to 99 puts of one partition and a condition check on an item of it, as
  the flow's fenced uploads and guarded labels are: once to warm up, then the better of two passes.
- CPU time is this process's (handlers, pump, the S3 server and LanceDB's threads) and the DynamoDB Local
  JVM's over the measured window; the two cores offer 2 s of CPU per second.

## Targets

${targetsSection(input)}

## Results

${resultsTable(input)}

## Embedding stores (LanceDB tables in a local directory, deltas on the local S3 server)

${storesSection(input)}

## Invariant violations (\`checkInvariants\`)

${violationsSection(input)}

## Summary

\`\`\`
${runs.map(summaryLine).join('\n')}
\`\`\`
`;
}
