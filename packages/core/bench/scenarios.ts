import type { CompactionCollection } from '../src/index.js';
import { mulberry32 } from '../src/testing/mulberry32.js';
import { deriveSeed, uniformMs } from './prng.js';

/** What happens to one collection after the wait starts; absent: it stays PROCESSING for good. */
export interface CollectionFate {
  readonly to: 'COMPLETED' | 'FAILED';
  readonly atMs: number;
}

export type ScenarioKind = 'typical' | 'slow' | 'never' | 'failed';

/** One compaction run as the gate will see it; times are ms after the wait's first read. */
export interface Scenario {
  readonly index: number;
  readonly kind: ScenarioKind;
  readonly fates: Readonly<Partial<Record<CompactionCollection, CollectionFate>>>;
}

interface KindSpec {
  readonly kind: ScenarioKind;
  readonly share: number;
  readonly description: string;
}

// The seed says compaction takes "typically 30-60 seconds"; the tail is our guess at what production adds.
export const SCENARIO_MIX: readonly KindSpec[] = [
  {
    kind: 'typical',
    share: 0.75,
    description: 'both collections COMPLETED, the last at 30-60 s (triangular, mode 45 s)',
  },
  {
    kind: 'slow',
    share: 0.13,
    description: 'both COMPLETED, the last at 60-180 s (uniform; about half beyond the 120 s budget)',
  },
  {
    kind: 'never',
    share: 0.05,
    description: 'one collection COMPLETED at 30-60 s, the other never leaves PROCESSING',
  },
  {
    kind: 'failed',
    share: 0.07,
    description: 'one collection FAILED at 2-40 s (uniform), the other COMPLETED at 30-60 s',
  },
];

/** Read latency of the in-memory repository, drawn per read: a DynamoDB GetItem, strongly consistent. */
export const READ_LATENCY_MS = { min: 5, max: 40 } as const;

function kindOf(draw: number): ScenarioKind {
  let cumulative = 0;
  for (const { kind, share } of SCENARIO_MIX) {
    cumulative += share;
    if (draw < cumulative) return kind;
  }
  return 'typical';
}

function drawScenario(seed: number, index: number): Scenario {
  const random = mulberry32(deriveSeed(seed, 'scenario', index));
  const kind = kindOf(random());
  // Either collection may be the one that finishes last, fails or hangs.
  const [first, second]: readonly [CompactionCollection, CompactionCollection] =
    random() < 0.5 ? ['lines', 'words'] : ['words', 'lines'];
  const typicalMs = () =>
    Math.round((uniformMs(random, 30_000, 60_000) + uniformMs(random, 30_000, 60_000)) / 2);
  const completed = (atMs: number): CollectionFate => ({ to: 'COMPLETED', atMs });
  switch (kind) {
    case 'typical':
    case 'slow': {
      const lastMs = kind === 'typical' ? typicalMs() : uniformMs(random, 60_000, 180_000);
      const earlierMs = Math.round(lastMs * (0.5 + random() * 0.5));
      return { index, kind, fates: { [first]: completed(lastMs), [second]: completed(earlierMs) } };
    }
    case 'never':
      return { index, kind, fates: { [second]: completed(typicalMs()) } };
    case 'failed':
      return {
        index,
        kind,
        fates: {
          [first]: { to: 'FAILED', atMs: uniformMs(random, 2_000, 40_000) },
          [second]: completed(typicalMs()),
        },
      };
  }
}

/** The same `n` scenarios for a given seed, whatever else runs: each is drawn from its own stream. */
export function generateScenarios(seed: number, n: number): Scenario[] {
  return Array.from({ length: n }, (_, index) => drawScenario(seed, index));
}

/** When the run as a whole is COMPLETED (both collections), if ever. */
export function completesAtMs(scenario: Scenario): number | undefined {
  const { lines, words } = scenario.fates;
  return lines?.to === 'COMPLETED' && words?.to === 'COMPLETED'
    ? Math.max(lines.atMs, words.atMs)
    : undefined;
}

/** When a collection first turns FAILED, if ever. */
export function failsAtMs(scenario: Scenario): number | undefined {
  const failures = Object.values(scenario.fates).filter((fate) => fate.to === 'FAILED');
  return failures.length > 0 ? Math.min(...failures.map((fate) => fate.atMs)) : undefined;
}
