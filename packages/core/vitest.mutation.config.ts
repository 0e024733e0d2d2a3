import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.js';

// The suite as StrykerJS runs it against each mutant (`pnpm mutate`): without the tests that load mutants of
// their own from the source text (Stryker's instrumented copy has not that text), without the published-types
// compile, and with a fixed seed and fewer runs per property, so a kill is reproducible and the run affordable.
export default mergeConfig(
  base,
  defineConfig({
    test: {
      exclude: ['**/node_modules/**', 'src/**/*.mutants.test.ts', 'src/published-types.test.ts'],
      env: { FC_SEED: '424242424', FC_NUM_RUNS: '100' },
    },
  }),
);
