import { describe, expect, it } from 'vitest';
import { formatViolation } from '../invariants/violation.js';
import { simulate } from './simulate.js';

// The acceptance bar at test scale: the real pipeline under the standard faults breaks no invariant (CI also runs
// `pnpm sim --receipts 10000` with the commit's seed).
describe('the production pipeline', () => {
  it.each([101, 202])(
    'keeps every invariant on 400 receipts under the standard faults (seed %i)',
    async (seed) => {
      const result = await simulate({ receipts: 400, seed, profile: 'standard' });
      const first = result.violations.slice(0, 5).map(formatViolation).join('\n');
      expect(result.violations.length, `${result.violations.length} violations, the first:\n${first}`).toBe(
        0,
      );
    },
  );
});
