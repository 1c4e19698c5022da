import { defineConfig, type Options } from 'tsup';

/** The one build every package shares: ESM + CJS + .d.ts for each entry point. */
export function packageBuild(entry: string[], extra: Options = {}) {
  return defineConfig({
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'es2022',
    // Shared chunks: a class used by two entry points (index, node) must be one class, or instanceof fails.
    splitting: true,
    // Gives the CJS build a working import.meta.url (used to find wasm and worker files next to the bundle).
    shims: true,
    ...extra,
  });
}
