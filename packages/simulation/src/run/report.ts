import { formatDuration } from '../invariants/violation.js';
import type { TraceLine } from '../world/trace.js';
import type { SimulationOptions } from './simulate.js';

/**
 * A trace for reading: one line per event with its virtual time and receipt, and a block of lines repeated back to
 * back (a record retried a hundred times) written once with its count.
 */
export function formatTrace(lines: readonly TraceLine[]): string[] {
  const out: string[] = [];
  // Invocation and environment numbers differ between repeats of the same step.
  const text = (line: TraceLine) =>
    `${line.receipt ?? '-'} ${line.text
      .replace(/#\d+/g, '#n')
      .replace(/env \d+/g, 'env n')
      .replace(/\d+\.\.\d+/g, 'n..n')}`;
  const show = (line: TraceLine) =>
    `  ${formatDuration(line.at).padStart(12)}  ${line.receipt === undefined ? '   ' : `r${line.receipt}`.padEnd(3)}  ${line.text}`;
  let i = 0;
  while (i < lines.length) {
    let best = { size: 0, repeats: 1 };
    for (let size = 1; size <= 40 && i + 2 * size <= lines.length; size++) {
      let repeats = 1;
      while (
        i + (repeats + 1) * size <= lines.length &&
        Array.from({ length: size }, (_, k) => k).every(
          (k) => text(lines[i + k] as TraceLine) === text(lines[i + repeats * size + k] as TraceLine),
        )
      ) {
        repeats++;
      }
      if (repeats > 1 && repeats * size > best.repeats * best.size) best = { size, repeats };
    }
    if (best.size === 0) {
      out.push(show(lines[i] as TraceLine));
      i++;
      continue;
    }
    const end = lines[i + best.repeats * best.size - 1] as TraceLine;
    out.push(`  ┌ ${best.repeats} times, until ${formatDuration(end.at)}:`);
    for (let k = 0; k < best.size; k++) out.push(`  │${show(lines[i + k] as TraceLine).slice(3)}`);
    out.push('  └');
    i += best.repeats * best.size;
  }
  return out;
}

/** The command that replays a run exactly (with its receipts and faults). */
export function replayCommand(options: SimulationOptions): string {
  const parts = [
    'pnpm sim',
    `--receipts ${options.receipts}`,
    `--seed ${options.seed}`,
    `--faults ${options.profile ?? 'standard'}`,
  ];
  if (options.only) parts.push(`--only ${[...options.only].sort((a, b) => a - b).join(',')}`);
  const disabled = [...(options.filter?.disabled ?? [])];
  if (disabled.length > 0) parts.push(`--disable ${disabled.join(',')}`);
  if (options.keepTrace) parts.push('--trace');
  return parts.join(' ');
}
