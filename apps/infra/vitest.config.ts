import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    globalSetup: ['./test/bundles-global-setup.ts'],
    // Synthesis and the Node 22/24 child processes are slow on a busy 2-core machine; nothing here is timed.
    testTimeout: 180_000,
    hookTimeout: 180_000,
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    reporters: ['default', ['json', { outputFile: '.reports/vitest.json' }]],
  },
});
