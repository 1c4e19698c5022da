import { defineConfig } from 'vitest/config';

// One test setup for every package; the JSON report lets the root print a single pass/fail count.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-report.json' },
  },
});
