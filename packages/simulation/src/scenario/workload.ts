import type { LabelValidationStatus, WordLabelName } from '@receipt-gate/core';
import { WORD_LABELS } from '@receipt-gate/core';
import { SAMPLE_RECEIPTS, type SampleReceipt, VARIED_SAMPLE_RECEIPTS } from '@receipt-gate/core/testing';
import type { SimRandom } from '../random/sim-random.js';
import { deepFreeze } from '../world/deep-freeze.js';
import type { FaultProfile } from './fault-profile.js';

export type RunMode = 'inline' | 'event';

/** Every sample receipt; each simulated receipt is a copy of one (or of its first lines) under a fresh image id. */
export const SIM_SAMPLES: readonly SampleReceipt[] = [...SAMPLE_RECEIPTS, ...VARIED_SAMPLE_RECEIPTS];

/** A decided status a person may set (someone else's decision, never overwritten). */
export type Decision = Extract<LabelValidationStatus, 'VALID' | 'INVALID' | 'NEEDS_REVIEW'>;
const DECISIONS: readonly Decision[] = ['VALID', 'INVALID', 'NEEDS_REVIEW'];

/** A merchant record field another service may change. */
export type MerchantField = 'merchantName' | 'phoneNumber' | 'address';

/** A fault or outside action planned for one receipt before the run; its id names it for shrinking. */
export type PlannedFault = { readonly id: string } & (
  | { readonly kind: 'lost-delta'; readonly collection: 'lines' | 'words' }
  | { readonly kind: 'slow-merge'; readonly mergeMs: number }
  | { readonly kind: 'duplicate-upload'; readonly afterMs: number }
  | {
      readonly kind: 'person-decision';
      readonly afterMs: number;
      readonly lineId: number;
      readonly wordId: number;
      readonly label: WordLabelName;
      readonly status: Decision;
    }
  | {
      readonly kind: 'merchant-change';
      readonly afterMs: number;
      readonly field: MerchantField;
      readonly value: string;
    }
  | { readonly kind: 'analyzer-failure' }
  | { readonly kind: 'analyzer-overrun'; readonly analysisMs: number }
);

export type PlannedFaultKind = PlannedFault['kind'];

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** One receipt of the workload: what is uploaded, when, in which mode, and what happens to it. */
export interface ReceiptPlan {
  readonly index: number;
  readonly imageId: string;
  readonly receiptId: number;
  readonly sample: SampleReceipt;
  readonly mode: RunMode;
  /** Virtual ms after the start of the run. */
  readonly arrivalAt: number;
  /** The upload handler's event. */
  readonly payload: Record<string, unknown>;
  /** The uploaded merchant record names another business (the validation should correct it). */
  readonly wrongMerchant: boolean;
  readonly faults: readonly PlannedFault[];
}

/** What the seed draws for the whole run ("swarm" parameters), so different seeds stress different shapes. */
export interface RunShape {
  /** Mean receipts uploaded per second. */
  readonly arrivalsPerSecond: number;
  /** Shards of each system's table stream. */
  readonly shards: number;
  /** Share of receipts uploaded to the `inline` system (the rest go to the `event` system). */
  readonly inlineShare: number;
}

/** What a stream can take: the lanes of each shard (the dispatcher's parallelization factor). */
export interface StreamCapacity {
  readonly lanesPerShard: number;
}

/** The share of a shard's lanes the planned slow merges may keep busy, on average. */
const SLOW_MERGE_LANE_SHARE = 0.6;

/**
 * The run's shape. Shards are drawn from 1 to 4, but never fewer than the planned slow merges need: each holds its
 * lane for minutes (longer than the gate's whole budget), so at 5 receipts/s one shard's 4 lanes would all be held
 * and the stream would fall hours behind. That is a question of capacity (`bench:e2e` measures it), not of
 * correctness, which is what the simulation is for.
 */
export function drawRunShape(
  random: SimRandom,
  profile: FaultProfile,
  timings: WorkloadTimings,
  capacity: StreamCapacity,
): RunShape {
  const arrivalsPerSecond = random.pick([0.5, 1, 2, 5]);
  const drawn = random.int(1, 4);
  const inlineShare = random.pick([0.25, 0.5, 0.75]);
  const busyLanes = arrivalsPerSecond * profile.receipt.slowMerge * (slowMergeMeanMs(timings) / 1000);
  const needed = Math.ceil(busyLanes / (capacity.lanesPerShard * SLOW_MERGE_LANE_SHARE));
  return { arrivalsPerSecond, shards: Math.max(drawn, needed), inlineShare };
}

/** The planned slow merges' bounds: past the gate's whole budget, within the compactor's timeout. */
function slowMergeRangeMs(timings: WorkloadTimings): readonly [number, number] {
  return [timings.gateMaxWaitMs + 1_000, timings.compactionTimeoutMs - 20_000];
}

function slowMergeMeanMs(timings: WorkloadTimings): number {
  const [low, high] = slowMergeRangeMs(timings);
  return (low + high) / 2;
}

/** The gate's wait budget the planned slow merges must exceed (the seed policy's 120 s). */
export interface WorkloadTimings {
  readonly gateMaxWaitMs: number;
  /** The longest an invocation of the compactor may run: a slow merge still fits in it. */
  readonly compactionTimeoutMs: number;
}

/**
 * The plan of receipt `index`, from its own stream: the same whatever other receipts the run holds. Arrival times
 * come from the gaps of all receipts before it, so they too stay put when receipts are left out.
 */
export function planReceipt(
  root: SimRandom,
  index: number,
  arrivalAt: number,
  shape: RunShape,
  profile: FaultProfile,
  timings: WorkloadTimings,
): ReceiptPlan {
  const random = root.fork(`receipt-${index}`).fork('plan');
  const whole = random.pick(SIM_SAMPLES);
  // Most receipts are a sample's first lines (a shorter receipt: fewer words, labels and stream records, the same
  // paths through the pipeline); one in ten is whole.
  const lineCount = random.chance(0.1) ? whole.lines.length : random.int(8, 16);
  const sample = firstLines(whole, lineCount);
  const imageId = random.uuid();
  const mode: RunMode = random.chance(shape.inlineShare) ? 'inline' : 'event';
  const wrongMerchant = random.chance(0.15);
  const others = SIM_SAMPLES.filter((other) => other.metadata.merchantName !== sample.metadata.merchantName);
  const merchantName = wrongMerchant
    ? random.pick(others).metadata.merchantName
    : sample.metadata.merchantName;
  const faults: PlannedFault[] = [];
  const add = (fault: DistributiveOmit<PlannedFault, 'id'>, n = 0) => {
    faults.push({ ...fault, id: `r${index}.${fault.kind}${n > 0 ? `.${n}` : ''}` } as PlannedFault);
  };
  // Each decision draws the same numbers whether or not it injects, so one fault does not move another's draws.
  const p = profile.receipt;
  const lost = random.chance(p.lostDelta);
  const lostCollection = random.chance(0.5) ? 'lines' : 'words';
  if (lost) add({ kind: 'lost-delta', collection: lostCollection });
  const slow = random.chance(p.slowMerge);
  const mergeMs = Math.round(random.between(...slowMergeRangeMs(timings)));
  if (slow) add({ kind: 'slow-merge', mergeMs });
  const duplicate = random.chance(p.duplicateUpload);
  const duplicateAfterMs = random.chance(0.5) ? 0 : Math.round(random.between(1, 600_000));
  if (duplicate) add({ kind: 'duplicate-upload', afterMs: duplicateAfterMs });
  const decides = random.chance(p.personDecisions);
  const decisions = random.int(1, 3);
  for (let n = 0; n < 3; n++) {
    const afterMs = actorDelay(random);
    const truth = random.chance(0.6) && sample.groundTruth.length > 0;
    const word = truth ? random.pick(sample.groundTruth) : random.pick(sample.words);
    const label = truth && 'label' in word ? word.label : random.pick(WORD_LABELS);
    const status = random.pick(DECISIONS);
    if (decides && n < decisions) {
      add({ kind: 'person-decision', afterMs, lineId: word.lineId, wordId: word.wordId, label, status }, n);
    }
  }
  const changes = random.chance(p.merchantChange);
  const changeAfterMs = actorDelay(random);
  const field = random.pick(['merchantName', 'phoneNumber', 'address'] as const);
  const value = merchantValue(field, random, others);
  if (changes) add({ kind: 'merchant-change', afterMs: changeAfterMs, field, value });
  if (random.chance(p.analyzerFailure)) add({ kind: 'analyzer-failure' });
  const overrun = random.chance(p.analyzerOverrun);
  const analysisMs = Math.round(random.between(timings.compactionTimeoutMs, 3 * timings.compactionTimeoutMs));
  if (overrun) add({ kind: 'analyzer-overrun', analysisMs });

  const strip = ({ imageId: _image, receiptId: _receipt, ...rest }: { imageId: string; receiptId: number }) =>
    rest;
  return {
    index,
    imageId,
    receiptId: sample.receiptId,
    sample,
    mode,
    arrivalAt,
    wrongMerchant,
    // Frozen: every upload attempt hands the handler this same event, which it must not change.
    payload: deepFreeze({
      imageId,
      receiptId: sample.receiptId,
      lines: sample.lines.map(strip),
      words: sample.words.map(strip),
      metadata: { ...strip(sample.metadata), merchantName },
    }),
    faults,
  };
}

/** The sample cut to its first `count` lines (with their words and ground truth). */
function firstLines(sample: SampleReceipt, count: number): SampleReceipt {
  if (count >= sample.lines.length) return sample;
  const kept = (item: { readonly lineId: number }) => item.lineId <= count;
  return {
    ...sample,
    name: `${sample.name} (first ${count} lines)`,
    lines: sample.lines.filter(kept),
    words: sample.words.filter(kept),
    groundTruth: sample.groundTruth.filter(kept),
  };
}

/** When an outside actor acts after the upload: early (racing the upload), around the validation, or much later. */
function actorDelay(random: SimRandom): number {
  const when = random.next();
  if (when < 0.3) return Math.round(random.between(0, 3_000));
  if (when < 0.7) return Math.round(random.between(3_000, 200_000));
  return Math.round(random.between(200_000, 900_000));
}

function merchantValue(field: MerchantField, random: SimRandom, others: readonly SampleReceipt[]): string {
  if (field === 'merchantName') return random.pick(others).metadata.merchantName;
  if (field === 'phoneNumber') return `(555) ${random.int(100, 999)}-${random.int(1000, 9999)}`;
  return `${random.int(1, 9999)} ${random.pick(['Oak', 'Elm', 'Pine', 'Cedar'])} St, Springfield`;
}

/** Arrival times of receipts 0 to count - 1: exponential gaps, each drawn from its receipt's own stream. */
export function arrivalTimes(root: SimRandom, count: number, shape: RunShape): number[] {
  const times: number[] = [];
  let at = 0;
  for (let index = 0; index < count; index++) {
    const u = root.fork(`receipt-${index}`).fork('arrival').next();
    at += Math.round((-Math.log(1 - u) * 1000) / shape.arrivalsPerSecond);
    times.push(at);
  }
  return times;
}
