// Builds the page into dist/: app.js and mic-worklet.js (esbuild bundles), index.html and style.css, the
// wasm backend's binaries under wasm/, the sample clip and AudioSet's class names.
// Usage: node scripts/build.mjs [--no-minify]
import { copyFile, mkdir, readdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
export const exampleDir = join(here, '..');
export const distDir = join(exampleDir, 'dist');
const packagesDir = join(exampleDir, '..', '..', 'packages');

/**
 * Resolves the workspace's `@cat/*` packages to their TypeScript sources. Their ESM builds are not
 * browser-safe: tsup's ESM shim puts `import path from "path"` and `import { fileURLToPath } from "url"`
 * at the top of @cat/layers' dist/index.js (for a `__filename` that only Node code reads).
 * @type {esbuild.Plugin}
 */
const workspaceSources = {
  name: 'cat-workspace-sources',
  setup(build) {
    build.onResolve({ filter: /^@cat\/[a-z]+$/ }, (args) => ({
      path: join(packagesDir, args.path.slice('@cat/'.length), 'src', 'index.ts'),
    }));
    build.onResolve({ filter: /^@cat\/[a-z]+\/node$/ }, (args) => ({
      errors: [
        { text: `${args.path} is Node-only and cannot be part of the page (imported by ${args.importer})` },
      ],
    }));
  },
};

/** The directory of tfjs-backend-wasm's `.wasm` files (next to its Node entry point). */
function wasmBinaryDir() {
  const require = createRequire(join(exampleDir, 'package.json'));
  return dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
}

/**
 * Builds dist/. Returns the bundle sizes in bytes.
 * @param {{ minify?: boolean, log?: (line: string) => void }} [options]
 */
export async function buildPage({ minify = true, log = () => {} } = {}) {
  await rm(distDir, { recursive: true, force: true });
  await mkdir(join(distDir, 'wasm'), { recursive: true });
  const result = await esbuild.build({
    absWorkingDir: exampleDir,
    entryPoints: { app: 'src/main.ts', 'mic-worklet': 'src/mic-worklet.ts' },
    outdir: distDir,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify,
    sourcemap: true,
    metafile: true,
    logLevel: 'warning',
    plugins: [workspaceSources],
    // tfjs checks process.env.NODE_ENV; pin it instead of shipping a process shim.
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const wasmDir = wasmBinaryDir();
  const binaries = (await readdir(wasmDir)).filter((name) => name.endsWith('.wasm'));
  if (binaries.length === 0)
    throw new Error(`${wasmDir}: no .wasm files (is @tensorflow/tfjs-backend-wasm installed?)`);
  await Promise.all([
    ...binaries.map((name) => copyFile(join(wasmDir, name), join(distDir, 'wasm', name))),
    copyFile(join(exampleDir, 'static', 'index.html'), join(distDir, 'index.html')),
    copyFile(join(exampleDir, 'static', 'style.css'), join(distDir, 'style.css')),
    copyFile(join(exampleDir, 'assets', 'guit_harmonics_16k.wav'), join(distDir, 'sample.wav')),
    copyFile(
      join(exampleDir, 'assets', 'class_labels_indices.csv'),
      join(distDir, 'class_labels_indices.csv'),
    ),
  ]);
  /** @type {Record<string, number>} */
  const sizes = {};
  for (const [file, output] of Object.entries(result.metafile.outputs)) {
    if (!file.endsWith('.map')) sizes[file.slice(file.lastIndexOf('/') + 1)] = output.bytes;
  }
  log(
    `built ${distDir}: ${Object.entries(sizes)
      .map(([file, bytes]) => `${file} ${(bytes / 1024).toFixed(0)} KiB`)
      .join(', ')}, wasm/ ${binaries.join(' ')}`,
  );
  return sizes;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  buildPage({ minify: !process.argv.includes('--no-minify'), log: console.log }).catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
