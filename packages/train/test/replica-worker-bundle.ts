import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'tsup';

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/**
 * Vitest runs the sources, but a worker thread is plain Node and cannot load `src/replica-worker.ts`; so tests
 * bundle it as the package build does. The bundle goes under this package's node_modules so that its imports
 * (@cat/* built packages, tfjs) resolve as they do for the package itself.
 */
export async function buildReplicaWorker(): Promise<string> {
  const outDir = source('../node_modules/.cache/replica-worker-test');
  await build({
    entry: { 'replica-worker': source('../src/replica-worker.ts') },
    outDir,
    format: ['esm'],
    platform: 'node',
    target: 'node20',
    dts: false,
    sourcemap: false,
    silent: true,
    config: false,
    external: [/^@cat\//, /^@tensorflow\//],
  });
  return join(outDir, 'replica-worker.js');
}
