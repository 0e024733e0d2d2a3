import { Command, Option } from '@commander-js/extra-typings';
import { recompactCommand } from '../commands/recompact.js';
import { type RedriveCommandOptions, redriveCommand } from '../commands/redrive.js';
import { revalidateCommand } from '../commands/revalidate.js';
import { runsCommand } from '../commands/runs.js';
import { statusCommand } from '../commands/status.js';
import { type WaitDisplay, waitCommand } from '../commands/wait.js';
import {
  durationArgument,
  imageIdArgument,
  positiveIntegerArgument,
  receiptIdArgument,
  runIdArgument,
} from './arguments.js';
import { EXIT, GATE_EXIT_CODES_HELP } from './exit-codes.js';
import type { CliIo } from './io.js';

/** The demo, the end-to-end benchmark and the evaluation parse their own arguments. */
export interface ScriptCommands {
  demo(argv: readonly string[]): Promise<number>;
  bench(argv: readonly string[]): Promise<number>;
  eval(argv: readonly string[]): Promise<number>;
}

const CONNECTION_HELP = `
The table: --table or TABLE_NAME. DynamoDB Local: --endpoint or DYNAMODB_ENDPOINT (a loopback endpoint is
signed with fixed local credentials); otherwise AWS, with the SDK's usual credentials (AWS_PROFILE, access keys,
SSO) and region (--region, AWS_REGION or the profile's). Every other setting is read from the environment as the
functions read it (MERCHANT_RECORD, GATE_*, ON_COMPACTION_*, DELTAS_BUCKET, S3_ENDPOINT, EMBEDDINGS_URI, ...).`;

const EXIT_HELP = `
Exit codes: 0 done; 1 an error (no credentials, no such table, AWS refused); 2 bad arguments or configuration.`;

/** The options every command that reads the table takes. */
function tableCommand(parent: Command, name: string, description: string) {
  return parent
    .command(name)
    .description(description)
    .option('--table <name>', 'the DynamoDB table (default: TABLE_NAME)')
    .option('--endpoint <url>', 'a DynamoDB endpoint such as DynamoDB Local (default: DYNAMODB_ENDPOINT)')
    .option('--region <region>', 'the AWS region (default: AWS_REGION or the profile)')
    .option('--json', 'print the result as JSON, for scripts');
}

/**
 * The `receipt-gate` command line. Each action stores its exit code; commander's own errors (unknown option,
 * bad argument) and `--help` end the parse through `exitOverride`.
 */
export function createProgram(io: CliIo, scripts: ScriptCommands, display: WaitDisplay = {}) {
  let exitCode: number = EXIT.ok;
  const done = (code: number) => {
    exitCode = code;
  };
  const program = new Command('receipt-gate')
    .description(
      'Operate receipt-gate: see and wait on compaction runs, find stuck ones, compact or validate a receipt again, redrive failed stream batches.',
    )
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .showHelpAfterError('(add --help for usage)');

  tableCommand(
    program,
    'status',
    "a receipt's runs (per-collection states, timings, errors), its labels by status and its merchant record",
  )
    .argument('<imageId>', 'the image id (a UUID)', imageIdArgument)
    .argument('<receiptId>', 'the receipt id (a positive integer)', receiptIdArgument)
    .addHelpText('after', `${CONNECTION_HELP}\n${EXIT_HELP} 5 the table holds nothing of this receipt.`)
    .action(async (imageId, receiptId, options) =>
      done(await statusCommand(io, { imageId, receiptId }, options)),
    );

  tableCommand(
    program,
    'wait',
    "wait for a receipt's newest compaction run to settle, through the gate the validation uses",
  )
    .argument('<imageId>', 'the image id (a UUID)', imageIdArgument)
    .argument('<receiptId>', 'the receipt id (a positive integer)', receiptIdArgument)
    .option('--timeout <duration>', 'give up after this long (500ms, 90s, 2m, 1h)', durationArgument, 120_000)
    .option(
      '--interval <duration>',
      'between two reads of the run (default: GATE_POLL_INTERVAL_MS or 2s)',
      durationArgument,
    )
    .option('--run <runId>', 'wait on this run instead of the newest', runIdArgument)
    .addHelpText(
      'after',
      `\nProgress goes to stderr: a live line (states, elapsed, reads) on a terminal, plain lines otherwise. The
outcome goes to stdout.\n${CONNECTION_HELP}\n\n${GATE_EXIT_CODES_HELP}`,
    )
    .action(async (imageId, receiptId, options) =>
      done(await waitCommand(io, { imageId, receiptId }, options, display)),
    );

  tableCommand(program, 'runs', 'list compaction runs, newest first, through GSI1 (RUNS / CREATED_AT#...)')
    .option('--stuck', 'only runs with a collection PENDING or PROCESSING for longer than --older-than')
    .option(
      '--older-than <duration>',
      'with --stuck: created at least this long ago',
      durationArgument,
      600_000,
    )
    .option(
      '--since <duration>',
      'only runs created within this long (bounds how much of the index is read)',
      durationArgument,
    )
    .option('--limit <count>', 'at most this many runs per page', positiveIntegerArgument, 50)
    .option('--cursor <token>', 'the next page, as printed by the previous one')
    .addHelpText('after', `${CONNECTION_HELP}\n${EXIT_HELP}`)
    .action(async (options) => done(await runsCommand(io, options)));

  tableCommand(
    program,
    'recompact',
    'create a new compaction run (and its deltas) for a receipt from what the table holds now',
  )
    .argument('<imageId>', 'the image id (a UUID)', imageIdArgument)
    .argument('<receiptId>', 'the receipt id (a positive integer)', receiptIdArgument)
    .option('-y, --yes', 'do not ask for confirmation')
    .addHelpText(
      'after',
      `\nThe deltas are built from the receipt's current lines, words and merchant record, exactly as the upload
builds them, and written to DELTAS_BUCKET (S3_ENDPOINT for a local S3 server); then the run is created, and its
INSERT starts the compactor. Asks first unless --yes; an answer other than y or yes writes nothing.
${CONNECTION_HELP}\n${EXIT_HELP} 5 the receipt has no lines or words.`,
    )
    .action(async (imageId, receiptId, options) =>
      done(await recompactCommand(io, { imageId, receiptId }, options)),
    );

  tableCommand(
    program,
    'revalidate',
    'validate a receipt now (validateReceipt, as the functions run it) and print its report',
  )
    .argument('<imageId>', 'the image id (a UUID)', imageIdArgument)
    .argument('<receiptId>', 'the receipt id (a positive integer)', receiptIdArgument)
    .option('--run <runId>', 'validate against this run instead of the newest', runIdArgument)
    .option(
      '--timeout <duration>',
      "cap the gate's wait and the analysis (default: GATE_MAX_WAIT_MS)",
      durationArgument,
    )
    .addHelpText(
      'after',
      `\nThe gate waits for the run, the analyzer proposes labels, and the outcome policy (ON_COMPACTION_*) decides
what is written: labels are never written twice, and decided ones are never changed. Its log lines go to stderr.
${CONNECTION_HELP}\n\nExit codes follow the gate's outcome, as for wait:\n${GATE_EXIT_CODES_HELP.split('\n').slice(1).join('\n')}`,
    )
    .action(async (imageId, receiptId, options) =>
      done(await revalidateCommand(io, { imageId, receiptId }, options)),
    );

  tableCommand(program, 'redrive', 'handle again the stream batches an on-failure destination holds')
    .requiredOption(
      '--from <queue-url|file>',
      "an SQS on-failure queue's URL, or a local stream pump's on-failure file",
    )
    .option('--dry-run', 'read the entries and their records back, handle nothing, remove nothing')
    .addOption(
      new Option(
        '--mapping <name>',
        "run every entry through this mapping's handler (default: by each entry's function)",
      ),
    )
    .option('--max <count>', 'at most this many queue messages', positiveIntegerArgument, 1000)
    .addHelpText(
      'after',
      `\nEach entry describes a batch given up on (shard, sequence numbers). Its records are read back from the
stream (while the stream still has them, 24 hours on AWS), handled by the same handler as its mapping, and the
entry is removed only when every record succeeded. Compaction needs DELTAS_BUCKET and EMBEDDINGS_URI.
${CONNECTION_HELP}\n${EXIT_HELP.replace('2 bad', '1 also when an entry is kept (with --dry-run: has no mapping); 2 bad')}`,
    )
    .action(async (options: RedriveCommandOptions) => done(await redriveCommand(io, options)));

  for (const [name, description] of [
    ['demo', 'run the whole flow on DynamoDB Local with the sample receipts (demo --help for its options)'],
    ['bench', 'the end-to-end benchmark on DynamoDB Local, both modes (bench --help)'],
    ['eval', "score the analyzers' labels against the sample receipts' ground truth (eval --help)"],
  ] as const) {
    program
      .command(name)
      .description(description)
      .helpOption(false)
      .allowUnknownOption()
      .allowExcessArguments()
      .argument('[args...]')
      .action(async (args) => done(await scripts[name](args)));
  }

  return { program, exitCode: () => exitCode };
}
