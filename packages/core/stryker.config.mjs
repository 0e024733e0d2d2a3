// Mutation testing of the gate, the validation use case and the compaction logic (`pnpm mutate` at the repo
// root). The score per folder and every surviving mutant go to docs/benchmarks/mutation.md.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner'],
  vitest: { configFile: 'vitest.mutation.config.ts' },
  mutate: [
    'src/gate/**/*.ts',
    'src/validation/**/*.ts',
    'src/compaction/**/*.ts',
    '!src/**/*.test.ts',
    '!src/**/*.test-support.ts',
    '!src/**/index.ts',
  ],
  coverageAnalysis: 'perTest',
  concurrency: 2,
  timeoutMS: 10_000,
  reporters: ['json', 'progress', 'clear-text'],
  jsonReporter: { fileName: '.reports/mutation/mutation.json' },
  clearTextReporter: { reportMutants: false, reportTests: false },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  ignorePatterns: ['dist', '.reports', '.turbo', 'coverage'],
};
