import { describe, expect, it } from 'vitest';
import { SimRandom } from '../random/sim-random.js';
import { faultProfile } from './fault-profile.js';
import { drawRunShape } from './workload.js';

const TIMINGS = { gateMaxWaitMs: 120_000, compactionTimeoutMs: 300_000 };
const CAPACITY = { lanesPerShard: 4 };
const shapes = (profile: string) =>
  Array.from({ length: 40 }, (_, seed) =>
    drawRunShape(new SimRandom(seed).fork('shape'), faultProfile(profile), TIMINGS, CAPACITY),
  );

describe('drawRunShape', () => {
  it('draws 1 to 4 shards when no merge is planned slow', () => {
    const drawn = shapes('none').map((shape) => shape.shards);
    expect(new Set(drawn)).toEqual(new Set([1, 2, 3, 4]));
  });

  it('gives a run enough shards that its slow merges keep at most 60% of the lanes busy', () => {
    for (const shape of shapes('standard')) {
      // 1% of receipts merge for 121 to 280 s, each holding its lane meanwhile.
      const busyLanes = shape.arrivalsPerSecond * 0.01 * 200.5;
      expect(busyLanes / (shape.shards * CAPACITY.lanesPerShard)).toBeLessThanOrEqual(0.6);
    }
    expect(shapes('standard').some((shape) => shape.shards > 4)).toBe(true);
  });

  it('draws the same rate and mode mix whatever the profile, so a seed keeps its shape', () => {
    const strip = ({
      arrivalsPerSecond,
      inlineShare,
    }: {
      arrivalsPerSecond: number;
      inlineShare: number;
    }) => ({
      arrivalsPerSecond,
      inlineShare,
    });
    expect(shapes('heavy').map(strip)).toEqual(shapes('none').map(strip));
  });
});
