import { formatDuration, formatViolation, INVARIANTS } from '../invariants/violation.js';
import { formatTrace, replayCommand } from '../run/report.js';
import { shrink } from '../run/shrink.js';
import { type SimulationOptions, simulate } from '../run/simulate.js';
import { parseSimArgs, SimArgsError, USAGE } from './sim-args.js';

/**
 * `pnpm sim`: runs the simulation, shows progress, lists violations with a shrunk trace of the first, prints the
 * trace hash, and ends with exactly one summary line. Exits 1 on a violation, 2 on bad arguments.
 */
async function main(): Promise<number> {
  let args: ReturnType<typeof parseSimArgs>;
  try {
    args = parseSimArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof SimArgsError)) throw error;
    console.error(`${error.message}\n${USAGE}`);
    return 2;
  }
  const started = performance.now();
  const seconds = () => ((performance.now() - started) / 1000).toFixed(1);
  const options: SimulationOptions = {
    receipts: args.receipts,
    seed: args.seed,
    profile: args.profile,
    ...(args.only && { only: args.only }),
    ...(args.disabled.size > 0 && { filter: { disabled: args.disabled } }),
    keepTrace: args.trace,
  };
  const total = args.only?.size ?? args.receipts;
  console.log(`simulating ${total} receipts, seed ${args.seed} (${args.seedSource}), faults ${args.profile}`);
  let shown = 0;
  const step = Math.max(1, Math.ceil(total / 20));
  const result = await simulate({
    ...options,
    onProgress: (progress) => {
      if (progress.done < shown + step && progress.done !== progress.total) return;
      shown = progress.done;
      console.log(
        `  ${progress.done}/${progress.total} receipts checked, ${formatDuration(progress.virtualMs)} virtual, ${progress.faults} faults, ${progress.violations} violations (${seconds()} s)`,
      );
    },
  });
  const { shape, stats } = result;
  console.log(
    `  run: ${shape.arrivalsPerSecond} receipts/s, ${shape.shards} shards, ${Math.round(shape.inlineShare * 100)}% inline; ${stats.streamRecords} stream records, ${stats.invocations} batches, ${stats.retries} retries, ${stats.redelivered} redelivered; ended ${result.end} at ${formatDuration(result.virtualMs)} virtual, ${seconds()} s`,
  );
  if (args.trace) for (const line of formatTrace(result.trace)) console.log(line);
  if (result.violations.length > 0) {
    const byInvariant = new Map<string, number>();
    for (const violation of result.violations) {
      byInvariant.set(violation.invariant, (byInvariant.get(violation.invariant) ?? 0) + 1);
    }
    console.log(`violations (seed ${args.seed}):`);
    for (const [invariant, count] of byInvariant) {
      console.log(`  ${count} × ${invariant}: ${INVARIANTS[invariant as keyof typeof INVARIANTS]}`);
    }
    for (const violation of result.violations.slice(0, 20)) console.log(`  ${formatViolation(violation)}`);
    if (result.violations.length > 20) console.log(`  ... and ${result.violations.length - 20} more`);
    if (args.shrink) {
      console.log(`shrinking the first violation (seed ${args.seed}) ...`);
      const shrinking = performance.now();
      const shrunk = await shrink(options, result, { trials: 40 });
      const first = shrunk.result.violations.find((violation) => violation.invariant === shrunk.invariant);
      console.log(
        `shrunk in ${shrunk.trials} runs (${((performance.now() - shrinking) / 1000).toFixed(1)} s) to ${shrunk.result.receipts} receipts and ${shrunk.result.faults.length} faults:`,
      );
      if (first) console.log(`  ${formatViolation(first)}`);
      console.log(`  replay: ${replayCommand(shrunk.options)}`);
      console.log(`  faults: ${shrunk.result.faults.map((fault) => fault.id).join(', ') || 'none'}`);
      console.log(`  trace ${shrunk.result.traceHash}:`);
      for (const line of formatTrace(shrunk.result.trace)) console.log(line);
    }
  }
  console.log(`trace ${result.traceHash} (${result.traceLength} events)`);
  console.log(
    `sim: ${total} receipts, seed ${args.seed}, ${result.faults.length} faults injected, ${result.violations.length} violations`,
  );
  return result.violations.length > 0 ? 1 : 0;
}

process.exitCode = await main();
