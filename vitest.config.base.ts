import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const packages = fileURLToPath(new URL('./packages/', import.meta.url));

// One test setup for every package. Workspace packages resolve to their sources, so a package's tests never run
// against a stale build of another; the JSON report lets the root print a single pass/fail count.
export default defineConfig({
  resolve: {
    alias: [
      { find: /^@cat\/([a-z]+)\/node$/, replacement: `${packages}$1/src/node.ts` },
      { find: /^@cat\/([a-z]+)$/, replacement: `${packages}$1/src/index.ts` },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-report.json' },
  },
});
