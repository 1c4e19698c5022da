import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'tsup';

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/**
 * Vitest runs the sources, but worker threads are plain Node and cannot load `src/worker.ts`; so tests
 * bundle it (with @cat/frontend from its sources) into a temporary `worker.js`, as the package build does.
 */
export async function buildWorkerBundle(): Promise<string> {
  const outDir = await mkdtemp(join(tmpdir(), 'cat-data-worker-'));
  await build({
    entry: { worker: source('../src/worker.ts') },
    outDir,
    format: ['esm'],
    platform: 'node',
    target: 'node20',
    dts: false,
    sourcemap: false,
    silent: true,
    config: false,
    noExternal: [/.*/],
    // Bundled CommonJS dependencies call require(), which an ES module lacks.
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
    esbuildOptions(options) {
      options.alias = {
        '@cat/frontend/node': source('../../frontend/src/node.ts'),
        '@cat/frontend': source('../../frontend/src/index.ts'),
      };
    },
  });
  return join(outDir, 'worker.js');
}
