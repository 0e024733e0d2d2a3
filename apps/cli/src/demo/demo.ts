import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  analyzerConfigFromEnv,
  ConsoleTelemetry,
  configuredRedactor,
  MS_RANGES,
  parseUrlSetting,
  TOKENS,
} from '@receipt-gate/lambda';
import { checkInvariants, RunRecorder } from '@receipt-gate/local-runtime';
import { type LocalSystem, startLocalSystem } from '../local-system/local-system.js';
import { demoUploads } from './demo-uploads.js';
import { compactionInterval, mostOverlapping } from './overlap.js';
import { textTable } from './summary-table.js';
import { checkTableFormat } from './table-format.js';

const USAGE = `Usage: demo [--mode inline|event] [--receipts N] [--compaction-ms MS] [--endpoint URL] [--no-failure]
            [--analyzer offline|ollama] [--keep-running] [--json]

Runs the whole flow on DynamoDB Local (or the DynamoDB at --endpoint): uploads sample receipts, compacts their
embeddings from the table's stream, validates them behind the compaction gate, then checks the invariants.
  --mode           inline: the upload awaits the validation (default); event: the run's stream record starts it
  --receipts       how many receipts to upload (default 10: each sample once)
  --compaction-ms  how long each merge takes, standing in for production's 30-60 s (default 3000)
  --endpoint       an existing DynamoDB endpoint instead of starting DynamoDB Local
  --no-failure     do not make the gas station's compaction fail
  --analyzer       offline (default) or ollama: the LangGraph analyzer on the Ollama at OLLAMA_HOST (OLLAMA_MODEL,
                   OLLAMA_API_KEY), traced to LangSmith when LANGSMITH_TRACING=true, falling back to offline
  --keep-running   after the checks, keep DynamoDB Local, the local S3 server and the stream mappings running
                   (and print the settings the other receipt-gate commands need) until Ctrl-C
  --json           print the summary as JSON on stdout (the flow's log lines go to stderr)`;

/** "grocery: Sunnyside Market" -> "Sunnyside Market" (at most 18 characters). */
const shortName = (name: string) =>
  (name.split(':')[1] ?? name)
    .replace(/\(.*\)/, '')
    .trim()
    .slice(0, 18);

// pnpm passes a literal `--` through when given one.
const readArgs = (argv: readonly string[]) =>
  parseArgs({
    args: argv.filter((arg) => arg !== '--'),
    options: {
      mode: { type: 'string', default: 'inline' },
      receipts: { type: 'string', default: '10' },
      'compaction-ms': { type: 'string', default: '3000' },
      endpoint: { type: 'string' },
      'no-failure': { type: 'boolean', default: false },
      analyzer: { type: 'string', default: 'offline' },
      'keep-running': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });

/** The demo: runs the flow, prints it and its summary, checks the invariants; exits non-zero if one is broken. */
export async function runDemo(argv: readonly string[]): Promise<number> {
  let parsed: ReturnType<typeof readArgs>;
  try {
    parsed = readArgs(argv);
  } catch (error) {
    console.error(`${USAGE}\n\n${error instanceof Error ? error.message : String(error)}`);
    return 2;
  }
  const { values } = parsed;

  const mode = values.mode;
  const count = Number(values.receipts);
  const compactionMs = Number(values['compaction-ms']);
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const delayRange = MS_RANGES.COMPACTION_DELAY_MS;
  if (
    (mode !== 'inline' && mode !== 'event') ||
    !Number.isInteger(count) ||
    count < 1 ||
    !(Number.isInteger(compactionMs) && compactionMs >= delayRange.min && compactionMs <= delayRange.max)
  ) {
    console.error(
      `${USAGE}\n\nbad arguments: --mode ${mode} --receipts ${values.receipts} --compaction-ms ${values['compaction-ms']} (${delayRange.min} to ${delayRange.max})`,
    );
    return 2;
  }
  // Checked like the DYNAMODB_ENDPOINT setting; only its host is printed.
  const endpoint =
    values.endpoint === undefined
      ? undefined
      : parseUrlSetting('--endpoint', values.endpoint, {
          schemes: ['http:', 'https:'],
          example: 'http://127.0.0.1:8000',
        });
  if (endpoint?.problem) {
    console.error(`${USAGE}\n\nbad arguments: ${endpoint.problem}`);
    return 2;
  }

  if (values.analyzer !== 'offline' && values.analyzer !== 'ollama') {
    console.error(`${USAGE}\n\nbad arguments: --analyzer ${values.analyzer}`);
    return 2;
  }
  const analyzerConfig = analyzerConfigFromEnv({ ...process.env, RECEIPT_ANALYZER: values.analyzer });
  const uploads = demoUploads(count);
  const names = new Map(uploads.map((upload) => [upload.imageId, shortName(upload.sample.name)]));
  const redact = configuredRedactor(analyzerConfig);
  // With --json, stdout carries the summary alone.
  const say = (line: string) => (values.json ? console.error(line) : console.log(line));
  const console_ = new ConsoleTelemetry(
    (line) => say(redact(line)),
    Date.now,
    (imageId) => (names.get(imageId) ?? imageId.slice(0, 8)).padEnd(18),
  );
  const recorder = new RunRecorder(console_);
  const failing = new Set(
    values['no-failure']
      ? []
      : uploads.filter((u) => u.sample.name.startsWith('gas station')).map((u) => u.imageId),
  );
  say(
    `receipt-gate demo: ${count} receipts, mode ${mode}, ${values.analyzer} analyzer, compaction ${compactionMs} ms, ${endpoint?.url?.host ?? 'DynamoDB Local'}${failing.size > 0 ? ", the gas station's compaction fails (simulated lost delta)" : ''}\n`,
  );
  const startedAt = Date.now();
  const keepRunning = values['keep-running'];
  // Kept running, the mappings' on-failure destination is a file, for `receipt-gate redrive --from`.
  const failuresDir = keepRunning ? await mkdtemp(join(tmpdir(), 'receipt-gate-failures-')) : undefined;
  const onFailureFile = failuresDir && join(failuresDir, 'on-failure.jsonl');
  const system = await startLocalSystem({
    mode,
    ...(onFailureFile && { onFailureFile }),
    ...(values.endpoint && { endpoint: values.endpoint }),
    compactionDelayMs: compactionMs,
    telemetry: recorder,
    analyzerConfig,
    lostDeltas: ({ prefix, imageId }) =>
      imageId !== undefined && failing.has(imageId) && prefix.startsWith('words/'),
  });
  try {
    const results = await Promise.all(uploads.map((upload) => system.upload(upload.payload)));
    await system.settle(120_000);
    const keys = results.map((result) => result.run);
    const stores = {
      runs: system.container.get(TOKENS.CompactionRunRepository),
      labels: system.container.get(TOKENS.LabelRepository),
      metadata: system.container.get(TOKENS.MerchantRecordRepository),
      snapshots: system.snapshots,
    };
    const invariants = await checkInvariants(stores, keys, recorder, system.givenUp());
    const { receipts } = invariants;
    const format = await checkTableFormat(system.client, system.tableName);
    const violations = [...invariants.violations, ...format.violations];
    const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    const intervals = receipts.flatMap(({ run }) => {
      const interval = run && compactionInterval(run);
      return interval ? [interval] : [];
    });
    const summaries = receipts.map(({ key, run, metadataInVectors }) => {
      const record = recorder.record(key);
      const interval = run && compactionInterval(run);
      const failed = run?.linesState === 'FAILED' || run?.wordsState === 'FAILED';
      return {
        name: names.get(key.imageId) ?? key.imageId,
        run: key,
        compaction: failed ? 'FAILED' : interval ? 'COMPLETED' : 'never',
        compactionStartedAtMs: interval && interval[0] - startedAt,
        compactionEndedAtMs: interval && interval[1] - startedAt,
        gate: record.gate?.outcome,
        waitedMs: record.gate?.waitedMs,
        reads: record.gate?.polls,
        labels: record.labelsWritten,
        merchantCorrected: record.metadataCorrected,
        secondCompaction: record.metadataCorrected
          ? record.metadataPatches > 0 && metadataInVectors
          : undefined,
      };
    });
    const rows = summaries.map((summary) => [
      summary.name,
      summary.compactionStartedAtMs !== undefined && summary.compactionEndedAtMs !== undefined
        ? `${summary.compaction === 'FAILED' ? 'FAILED ' : ''}${seconds(summary.compactionStartedAtMs)} to ${seconds(summary.compactionEndedAtMs)}`
        : summary.compaction,
      summary.gate ?? '-',
      summary.waitedMs !== undefined ? seconds(summary.waitedMs) : '-',
      String(summary.reads ?? '-'),
      String(summary.labels),
      summary.merchantCorrected ? 'yes' : 'no',
      summary.secondCompaction === undefined ? '-' : summary.secondCompaction ? 'yes' : 'NO',
    ]);
    say(
      `\n${textTable(
        [
          'receipt',
          'compaction',
          'gate',
          'waited',
          'reads',
          'labels',
          'merchant corrected',
          'second compaction',
        ],
        rows,
      )}\n`,
    );
    say(
      `compactions: ${intervals.length} runs, at most ${mostOverlapping(intervals)} under way at once (the receipts of a dispatcher batch merge side by side)`,
    );
    say(`finished in ${seconds(Date.now() - startedAt)}`);
    say(await whereTheEmbeddingsLanded(system, keys.length));
    const types = Object.entries(format.counts)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([type, count]) => `${count} ${type}`)
      .join(', ');
    say(`merchant records corrected in RECEIPT_PLACE: ${format.corrected.join(', ') || 'none'}`);
    say(
      `table: ${format.items} items checked against the current format (${types}, ${format.counts.RECEIPT_METADATA ?? 0} RECEIPT_METADATA); GSI4 on every line, word, label and place; the table ${format.hasGsi4 ? 'has' : 'LACKS'} its GSI4 index`,
    );
    if (values.json) {
      console.log(
        JSON.stringify(
          {
            mode,
            tableName: system.tableName,
            finishedInMs: Date.now() - startedAt,
            mostCompactionsAtOnce: mostOverlapping(intervals),
            receipts: summaries,
            items: format.items,
            violations,
          },
          null,
          2,
        ),
      );
    }
    if (violations.length > 0) {
      say(`\nINVARIANTS BROKEN (${violations.length}):\n${violations.map((v) => `  - ${v}`).join('\n')}`);
    } else {
      say(
        'all invariants hold: no label before its compaction, merchant corrections (in RECEIPT_PLACE) after labels, every change in every vector, every item in the current format, nothing left unprocessed',
      );
    }
    if (onFailureFile) await keepRunningUntilInterrupted(system, onFailureFile, summaries, say);
    return violations.length > 0 ? 1 : 0;
  } finally {
    await system.stop();
    if (failuresDir) await rm(failuresDir, { recursive: true, force: true });
  }
}

/**
 * Prints what the operator commands need to reach the running system, then waits for Ctrl-C (or SIGTERM). The
 * stream mappings go on: a run created meanwhile (`receipt-gate recompact`) is compacted as in production.
 */
async function keepRunningUntilInterrupted(
  system: LocalSystem,
  onFailureFile: string,
  receipts: readonly { name: string; run: { imageId: string; receiptId: number }; compaction: string }[],
  say: (line: string) => void,
): Promise<void> {
  const settings = [
    `TABLE_NAME=${system.tableName}`,
    `DYNAMODB_ENDPOINT=${system.endpoint}`,
    `DELTAS_BUCKET=${system.deltasBucket}`,
    `S3_ENDPOINT=${system.s3Endpoint}`,
    `EMBEDDINGS_URI=${system.embeddingsUri}`,
  ];
  say(
    [
      '',
      'Kept running: DynamoDB Local, the local S3 server and the stream mappings (the compactor goes on).',
      'In another terminal, from the repository:',
      `  export ${settings.join(' ')}`,
      '  npx --yes pnpm@9.15.9 rg status <imageId> <receiptId>    (rg --help lists the commands)',
      'The receipts (image id, receipt id):',
      ...receipts.map(
        ({ name, run, compaction }) =>
          `  ${name.padEnd(18)}  ${run.imageId} ${run.receiptId}${compaction === 'FAILED' ? '  (its compaction FAILED)' : ''}`,
      ),
      `The mappings' on-failure destination: ${onFailureFile} (receipt-gate redrive --from it).`,
      'Ctrl-C stops everything and deletes it.',
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  say('stopping...');
}

/** Where the embeddings and deltas are, and how much is there (all of it is deleted when the demo exits). */
async function whereTheEmbeddingsLanded(system: LocalSystem, runs: number): Promise<string> {
  const [lines, words] = await Promise.all([
    system.snapshots.list('lines', 'IMAGE#'),
    system.snapshots.list('words', 'IMAGE#'),
  ]);
  const [lineVersions, wordVersions] = await Promise.all([
    system.snapshots.versions('lines'),
    system.snapshots.versions('words'),
  ]);
  return [
    `embeddings: LanceDB tables lines (${lines.length} vectors, ${lineVersions} versions) and words (${words.length} vectors, ${wordVersions} versions) in ${system.embeddingsUri}`,
    `deltas: ${2 * runs} objects at s3://${system.deltasBucket}/{lines,words}/delta/<run_id>/delta.json.gz on the local S3 server ${system.s3Endpoint}`,
    '(both deleted on exit; set EMBEDDINGS_URI=s3://bucket/prefix and DELTAS_BUCKET to keep them in S3, see the README)',
  ].join('\n');
}
