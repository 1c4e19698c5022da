import { getGradient } from '@tensorflow/tfjs-core';

/**
 * The package whose Node bundle registers tfjs-core's gradients. tfjs-core's own Node bundle registers
 * none: only its ESM build has `register_all_gradients`, and Node cannot load those files
 * (extensionless relative imports). tfjs-node depends on this package, so it is there whenever
 * tfjs-node is.
 */
const GRADIENTS_PACKAGE = '@tensorflow/tfjs';

/** Whether tfjs-core's gradients are registered (probed on one every model uses). */
export function hasGradients(): boolean {
  return getGradient('Sum') != null;
}

/** Registers tfjs-core's gradients if they are missing and can be loaded; returns whether they are there. */
export async function loadGradients(): Promise<boolean> {
  if (hasGradients()) return true;
  try {
    await import(/* @vite-ignore */ GRADIENTS_PACKAGE);
  } catch {
    return false;
  }
  return hasGradients();
}

/** Throws a helpful error when gradients (so training) are unavailable. */
export async function requireGradients(): Promise<void> {
  if (await loadGradients()) return;
  throw new Error(
    `tfjs gradients are not registered: the Node build of @tensorflow/tfjs-core registers none. ` +
      `Install ${GRADIENTS_PACKAGE}@4.22 (npm install ${GRADIENTS_PACKAGE}@4.22), whose Node build registers them.`,
  );
}
