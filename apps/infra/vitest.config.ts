import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    globalSetup: ['./test/bundles-global-setup.ts'],
    // One file at a time: bundling, synthesis and the Node 22/24 child processes are CPU-heavy, and the other
    // packages' tests run beside these on a 2-core machine. Nothing here is timed; the timeouts only bound a hang.
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 180_000,
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    reporters: ['default', ['json', { outputFile: '.reports/vitest.json' }]],
  },
});
