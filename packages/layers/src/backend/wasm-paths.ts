/**
 * A `require` rooted at this module (the CommonJS build gets a working `import.meta.url` from tsup's shims).
 * Node only: the module name is a variable so that browser bundlers leave it alone; no `__filename`, whose shim
 * would put Node imports into the browser build.
 */
export async function requireFromHere(): Promise<NodeJS.Require> {
  const moduleName = 'node:module';
  const { createRequire } = (await import(/* @vite-ignore */ moduleName)) as typeof import('node:module');
  return createRequire(import.meta.url);
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
