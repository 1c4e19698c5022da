import type { Fbank } from './types.js';

/** An fbank cut into non-overlapping patches in the reference's token order. */
export interface Patches {
  /** `count × patchSize` values: patch `t·gridFreq + f`, each flattened row-major over (time, freq). */
  data: Float32Array;
  count: number;
  patchSize: number;
  patchTime: number;
  patchFreq: number;
  /** Patches along time (frames / patchTime) and along frequency (bins / patchFreq). */
  gridTime: number;
  gridFreq: number;
}

export interface PatchOptions {
  patchTime?: number;
  patchFreq?: number;
}

/**
 * Cuts an fbank into `patchTime × patchFreq` patches (16×16 by default) ordered as the reference's
 * stride-16 patch convolution flattens them: index = t·gridFreq + f (time-major). A 1024×128 fbank gives
 * 64×8 = 512 patches of 256 values. Frames and bins must be multiples of the patch size.
 */
export function toPatches(fbank: Fbank, { patchTime = 16, patchFreq = 16 }: PatchOptions = {}): Patches {
  if (fbank.frames % patchTime !== 0) {
    throw new RangeError(
      `toPatches: ${fbank.frames} frames is not a multiple of patchTime ${patchTime}; pad or crop first (padOrCrop)`,
    );
  }
  if (fbank.bins % patchFreq !== 0) {
    throw new RangeError(`toPatches: ${fbank.bins} bins is not a multiple of patchFreq ${patchFreq}`);
  }
  const gridTime = fbank.frames / patchTime;
  const gridFreq = fbank.bins / patchFreq;
  const patchSize = patchTime * patchFreq;
  const data = new Float32Array(fbank.data.length);
  for (let t = 0; t < gridTime; t++) {
    for (let f = 0; f < gridFreq; f++) {
      const patchStart = (t * gridFreq + f) * patchSize;
      for (let row = 0; row < patchTime; row++) {
        const source = (t * patchTime + row) * fbank.bins + f * patchFreq;
        data.set(fbank.data.subarray(source, source + patchFreq), patchStart + row * patchFreq);
      }
    }
  }
  return { data, count: gridTime * gridFreq, patchSize, patchTime, patchFreq, gridTime, gridFreq };
}

/** Reassembles the fbank `toPatches` cut (its exact inverse). */
export function fromPatches(patches: Patches): Fbank {
  const { patchTime, patchFreq, gridTime, gridFreq, patchSize } = patches;
  if (patches.data.length !== gridTime * gridFreq * patchSize || patchSize !== patchTime * patchFreq) {
    throw new RangeError(
      `fromPatches: ${patches.data.length} values do not form a ${gridTime}×${gridFreq} grid of ${patchTime}×${patchFreq} patches`,
    );
  }
  const bins = gridFreq * patchFreq;
  const data = new Float32Array(patches.data.length);
  for (let t = 0; t < gridTime; t++) {
    for (let f = 0; f < gridFreq; f++) {
      const patchStart = (t * gridFreq + f) * patchSize;
      for (let row = 0; row < patchTime; row++) {
        const target = (t * patchTime + row) * bins + f * patchFreq;
        data.set(
          patches.data.subarray(patchStart + row * patchFreq, patchStart + (row + 1) * patchFreq),
          target,
        );
      }
    }
  }
  return { data, frames: gridTime * patchTime, bins };
}
