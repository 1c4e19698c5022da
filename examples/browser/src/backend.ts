import { prepareBackend } from '@cat/layers';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
// Registers the 'webgl' backend; @cat/layers registers 'cpu' and 'wasm'.
import '@tensorflow/tfjs-backend-webgl';

export const BACKEND_NAMES = ['wasm', 'webgl', 'cpu'] as const;
export type PageBackend = (typeof BACKEND_NAMES)[number];

/** How the wasm backend was set up, once: its binaries load only once per page. */
let wasmSetup: string | undefined;

async function activate(name: string): Promise<void> {
  if (!(await tf.setBackend(name))) throw new Error(`the ${name} backend failed to initialise`);
  await tf.ready();
}

/**
 * Activates a tfjs backend and returns a one-line description for the page. wasm's `.wasm` binaries are
 * served from `wasm/` next to the page. `prepareBackend` has no webgl option, so webgl is set directly.
 */
export async function activateBackend(name: PageBackend): Promise<string> {
  if (name === 'webgl') {
    try {
      await activate('webgl');
    } catch {
      throw new Error('the webgl backend failed to initialise (no WebGL here?): choose wasm');
    }
    return 'webgl (GPU through WebGL)';
  }
  if (name === 'cpu') return (await prepareBackend({ backend: 'cpu' })).name;
  if (wasmSetup !== undefined) {
    await activate('wasm');
    return wasmSetup;
  }
  const wasmPaths = new URL('wasm/', document.baseURI).href;
  if (typeof SharedArrayBuffer === 'undefined') {
    // Outside cross-origin isolation browsers hide SharedArrayBuffer, and @cat/layers' wasm kernels
    // (registered by prepareBackend) test `instanceof SharedArrayBuffer` unguarded, which then throws.
    // Inference needs none of them: run tfjs's own wasm kernels.
    setWasmPaths(wasmPaths);
    await activate('wasm');
    wasmSetup = "wasm (single-threaded, tfjs's own kernels: the page is not cross-origin isolated)";
  } else {
    await prepareBackend({ backend: 'wasm', wasmPaths, threads: navigator.hardwareConcurrency });
    const threaded = globalThis.crossOriginIsolated ? `, ${navigator.hardwareConcurrency} threads` : '';
    wasmSetup = `wasm${threaded}`;
  }
  return wasmSetup;
}
