/**
 * A `require` rooted at this module. The ESM build has `import.meta.url`; the CommonJS build has
 * `__filename` instead (and an empty `import.meta`). Node only: the module name is a variable so that
 * browser bundlers leave it alone.
 */
export async function requireFromHere(): Promise<NodeJS.Require> {
  const moduleName = 'node:module';
  const { createRequire } = (await import(/* @vite-ignore */ moduleName)) as typeof import('node:module');
  const url = (import.meta as { url?: string }).url;
  return createRequire(typeof url === 'string' ? url : __filename);
}

/** Whether a package can be loaded from here, without loading it. */
export async function isInstalled(packageName: string): Promise<boolean> {
  try {
    (await requireFromHere()).resolve(packageName);
    return true;
  } catch {
    return false;
  }
}

/** The directory (with a trailing slash) of the installed tfjs-backend-wasm's `.wasm` binaries. */
export async function nodeWasmDirectory(): Promise<string> {
  const moduleName = 'node:path';
  const { dirname, sep } = (await import(/* @vite-ignore */ moduleName)) as typeof import('node:path');
  const entry = (await requireFromHere()).resolve('@tensorflow/tfjs-backend-wasm');
  return `${dirname(entry)}${sep}`;
}
