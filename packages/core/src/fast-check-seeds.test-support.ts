/**
 * Test-only: how property tests pick their seeds. Every run uses the session seed that vitest.setup.ts configures
 * (FC_SEED when given; in CI, one derived from the commit; otherwise a random one, printed). In CI, without
 * FC_SEED, every property also runs under each regression seed below, so a failure once found stays covered and
 * a mutant a property kills is killed under several fixed seeds, not by luck. When a property fails on some
 * seed, add that seed here.
 */
import fc from 'fast-check';
import { expect } from 'vitest';

export const REGRESSION_SEEDS: readonly number[] = [1, 20_260_101, 424_242_424, 1_234_567_890];

function envFlag(value: string | undefined): boolean {
  return value !== undefined && value !== '' && value !== '0' && value !== 'false';
}

/** The regression seeds this run adds to the session seed: all of them in CI unless FC_SEED pins one. */
export function regressionSeeds(env: Readonly<Record<string, string | undefined>> = process.env): number[] {
  return envFlag(env.CI) && !env.FC_SEED ? [...REGRESSION_SEEDS] : [];
}

type Property<Ts> = fc.IRawProperty<Ts>;

/** fc.assert under the session seed, then under each regression seed of this run. */
export async function assertProperty<Ts>(
  property: Property<Ts>,
  params: fc.Parameters<Ts> = {},
): Promise<void> {
  await fc.assert(property, params);
  for (const seed of regressionSeeds()) {
    try {
      await fc.assert(property, { ...params, seed });
    } catch (error) {
      throw new Error(`regression seed ${seed} (replay: FC_SEED=${seed}) failed`, { cause: error });
    }
  }
}

// Only the failure matters, not the smallest counterexample; the violation's text goes into the report so the
// test can see which invariant failed.
const CATCH = { endOnFailure: true, includeErrorInReport: true } as const;

/** Asserts that `property` fails, with a report matching `message`, under the session seed and each regression seed. */
export async function expectCaught<Ts>(
  property: Property<Ts>,
  message: RegExp,
  params: fc.Parameters<Ts> = {},
): Promise<void> {
  await expect(Promise.resolve().then(() => fc.assert(property, { ...CATCH, ...params }))).rejects.toThrow(
    message,
  );
  for (const seed of regressionSeeds()) {
    await expect(
      Promise.resolve().then(() => fc.assert(property, { ...CATCH, ...params, seed })),
      `regression seed ${seed}`,
    ).rejects.toThrow(message);
  }
}
