// `pnpm bench:cold`: how long each function bundle takes to load in a fresh Node.js 22 process — the part of a
// Lambda cold start the code controls — beside an empty module in the same run, and what loading the LLM chunk
// costs on first use. Writes docs/benchmarks/cold-start.md. Options: --runs N (default 20).
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { LambdaFunctionName } from '@receipt-gate/lambda/deployment';
import { bundleSizes, outputsOf } from '../src/bundling/bundle-sizes.js';
import {
  BUNDLE_NODE_MAJOR,
  buildFunctionBundles,
  ENTRY_FILE,
  type FunctionBundle,
} from '../src/bundling/function-bundles.js';
import { nodeBinary } from '../src/bundling/node-binary.js';
import { type ColdStartResult, coldStartReport, type Target } from './cold-start-report.js';

const infraDir = fileURLToPath(new URL('..', import.meta.url));
const repoDir = join(infraDir, '..', '..');
const DRIVER = fileURLToPath(new URL('./import-module.mjs', import.meta.url));
const { values } = parseArgs({ options: { runs: { type: 'string', default: '20' } } });
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 3)
  throw new Error(`--runs must be an integer of at least 3, got ${values.runs}`);

// What a deployed function has at init (the module builds its container then); no request is made.
const ENV = {
  TABLE_NAME: 'receipt-gate-bench',
  AWS_REGION: 'us-east-1',
  POWERTOOLS_SERVICE_NAME: 'receipt-gate',
  NODE_OPTIONS: '--enable-source-maps',
  DEAD_LETTER_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/receipt-gate-dead-letters',
  VALIDATION_FUNCTION_NAME: 'receipt-gate-validation',
};
const MODES: Record<LambdaFunctionName, string> = {
  upload: 'inline',
  dispatcher: 'inline',
  validation: 'event',
};

interface Sample {
  readonly importMs: number[];
  readonly processMs: number;
}

async function coldStart(node: string, modules: string[], env: Record<string, string>): Promise<Sample> {
  const started = performance.now();
  const child = spawn(node, [DRIVER, ...modules], {
    env: { PATH: process.env.PATH ?? '', ...env },
    cwd: tmpdir(),
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const code = await new Promise<number | null>((exited, failed) => {
    child.on('error', failed);
    child.on('close', exited);
  });
  const processMs = performance.now() - started;
  if (code !== 0) throw new Error(`importing ${modules.join(', ')} failed (${code}): ${stderr}`);
  const { importMs } = JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as { importMs: number[] };
  return { importMs, processMs };
}

/** The chunk holding the LLM analyzer (the one the entry imports dynamically that contains llm-runtime.ts). */
function llmChunk(bundle: FunctionBundle): string {
  for (const [path, output] of outputsOf(bundle.metafile)) {
    if (Object.keys(output.inputs).some((input) => input.endsWith('src/adapters/llm/llm-runtime.ts')))
      return path;
  }
  throw new Error(`no LLM chunk in the ${bundle.name} bundle`);
}

const started = Date.now();
const loadBefore = loadavg();
const scratch = await mkdtemp(join(tmpdir(), 'receipt-gate-cold-'));
try {
  const bundles = await buildFunctionBundles(join(infraDir, '.bundles', 'bench'));
  const node = await nodeBinary(BUNDLE_NODE_MAJOR);
  const empty = join(scratch, 'empty.mjs');
  await writeFile(empty, 'export {};\n');
  const targets: Target[] = [
    { name: 'empty module (baseline)', modules: [empty], env: {} },
    ...Object.values(bundles).map((bundle) => ({
      name: bundle.name,
      modules: [join(bundle.dir, ENTRY_FILE)],
      env: { ...ENV, RECEIPT_GATE_MODE: MODES[bundle.name] },
      function: bundle.name,
    })),
    {
      name: 'validation, then the LLM chunk',
      modules: [join(bundles.validation.dir, ENTRY_FILE), llmChunk(bundles.validation)],
      env: { ...ENV, RECEIPT_GATE_MODE: 'event' },
    },
  ];
  const samples = new Map<Target, Sample[]>(targets.map((target) => [target, []]));
  const nodeVersion = await versionOf(node);
  for (let round = 0; round < runs; round++) {
    // Interleaved, each round starting elsewhere, so drift in the machine's load spreads over every target.
    for (let i = 0; i < targets.length; i++) {
      const target = targets[(round + i) % targets.length] as Target;
      samples.get(target)?.push(await coldStart(node, target.modules, target.env));
    }
    process.stdout.write(`\rround ${round + 1}/${runs}`);
  }
  process.stdout.write('\n');
  const sizes = Object.fromEntries(
    await Promise.all(Object.values(bundles).map(async (bundle) => [bundle.name, await bundleSizes(bundle)])),
  );
  const result: ColdStartResult = {
    generatedAt: new Date(),
    runs,
    nodeVersion,
    cores: availableParallelism(),
    loadBefore,
    loadAfter: loadavg(),
    wallMs: Date.now() - started,
    targets: targets.map((target) => ({ target, samples: samples.get(target) ?? [] })),
    sizes,
  };
  const report = coldStartReport(result);
  await writeFile(join(repoDir, 'docs', 'benchmarks', 'cold-start.md'), report.markdown);
  for (const line of report.summary) console.log(line);
} finally {
  await rm(scratch, { recursive: true, force: true });
}

async function versionOf(binary: string): Promise<string> {
  const child = spawn(binary, ['--version']);
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString('utf8');
  });
  await new Promise((closed) => child.on('close', closed));
  return out.trim();
}
