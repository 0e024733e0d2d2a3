/** The invariants the simulation checks, after every step and at the end, with what each promises. */
export const INVARIANTS = {
  'unguarded-writes':
    'no label is written before its gate settles, none unguarded unless the outcome policy allowed it and it was counted, and a guarded write needs its run COMPLETED',
  'decided-labels': 'a label a person decided (VALID, INVALID, NEEDS_REVIEW) is never changed by anyone else',
  'metadata-after-labels':
    'a validation corrects the merchant record only after its labels are written, and only when it may write',
  'changes-reach-vectors':
    'every change reaches the vectors: the final vectors of each COMPLETED collection equal a merge of the final table state',
  'records-settle': 'no stream record is given up on (on-failure destination) or left blocking its shard',
  'validation-deadline':
    'every validation settles by its deadline (its writes begin no later than one read timeout after it)',
  'quiet-after-gate':
    'no read of a run after its gate settled, no timer left once a validation settled, no work after a handler returned',
  'receipts-validated': 'every receipt is stored, its run settles (COMPLETED or FAILED) and it is validated',
  simulation: 'the simulation can follow the code (each store call concerns one receipt)',
} as const;

export type InvariantName = keyof typeof INVARIANTS;

export interface Violation {
  readonly invariant: InvariantName;
  /** The receipt (workload index) it concerns, if one. */
  readonly receipt: number | undefined;
  /** Virtual ms since the start of the run. */
  readonly at: number;
  readonly message: string;
}

export function formatViolation(violation: Violation): string {
  const receipt = violation.receipt === undefined ? '' : ` r${violation.receipt}`;
  return `[${violation.invariant}]${receipt} at ${formatDuration(violation.at)}: ${violation.message}`;
}

/** Virtual time as `1h02m03.456s`. */
export function formatDuration(ms: number): string {
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.floor((ms % 3_600_000) / 60_000);
  const seconds = ((ms % 60_000) / 1000).toFixed(3);
  if (hours > 0) return `${hours}h${String(minutes).padStart(2, '0')}m${seconds.padStart(6, '0')}s`;
  if (minutes > 0) return `${minutes}m${seconds.padStart(6, '0')}s`;
  return `${seconds}s`;
}
