import { fileURLToPath } from 'node:url';

/** A file shipped in the package's `assets/` folder (resolves from `src/` and from the bundled `dist/`). */
export function assetPath(name: string): string {
  return fileURLToPath(new URL(`../assets/${name}`, import.meta.url));
}

/** A short real recording (Sonic Pi guitar harmonics, CC0, 16 kHz mono) for demos and benchmarks. */
export const BUNDLED_CLIP = 'guit_harmonics_16k.wav';
