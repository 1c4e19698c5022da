export interface CosineScheduleConfig {
  /** Learning rate at the end of the warm-up (fairseq `lr`). */
  peakLr: number;
  warmupSteps: number;
  /** Updates of the whole run (fairseq `max_update`); the cosine reaches `minLr` here. */
  totalSteps: number;
  /** Floor of the cosine (fairseq `min_lr`, 1e-6 in the fine-tuning recipes); 0 when absent. */
  minLr?: number;
  /** Where the warm-up starts; fairseq's default (`warmup_init_lr = -1`) is `minLr`. */
  warmupStartLr?: number;
}

/**
 * fairseq's `cosine` scheduler with one period: linear warm-up from `warmupStartLr` to `peakLr`, then
 * `minLr + ½(peakLr − minLr)(1 + cos(π·t/T))` with `t = step − warmupSteps`, `T = totalSteps − warmupSteps`.
 * `step` is the number of updates already done (the LR of the first update is `lr(0)`). Past `totalSteps` it
 * stays at `minLr` (fairseq would restart a shrunken cycle, which no recipe reaches).
 */
export function cosineLearningRate(step: number, config: CosineScheduleConfig): number {
  const { peakLr, warmupSteps, totalSteps } = config;
  const minLr = config.minLr ?? 0;
  const warmupStartLr = config.warmupStartLr ?? minLr;
  if (!(warmupSteps >= 0 && totalSteps > warmupSteps)) {
    throw new Error(
      `cosine schedule: need 0 <= warmupSteps < totalSteps, got ${warmupSteps} and ${totalSteps}`,
    );
  }
  if (!(peakLr >= minLr && minLr >= 0)) {
    throw new Error(`cosine schedule: need peakLr >= minLr >= 0, got ${peakLr} and ${minLr}`);
  }
  if (!(step >= 0)) throw new Error(`cosine schedule: step must be >= 0, got ${step}`);
  if (step < warmupSteps) return warmupStartLr + (step * (peakLr - warmupStartLr)) / warmupSteps;
  if (step >= totalSteps) return minLr;
  const progress = (step - warmupSteps) / (totalSteps - warmupSteps);
  return minLr + 0.5 * (peakLr - minLr) * (1 + Math.cos(Math.PI * progress));
}

// Top-level transformer blocks only: `blocks.3.` in a pre-trained model, `model.blocks.3.` in a fine-tuned one;
// not the decoder's `...decoder.blocks.k.` nor the multi-resolution `conv_blocks`.
const BLOCK_NAME = /^(?:model\.)?blocks\.(\d+)\./;

/**
 * Layer-wise learning-rate decay of the fine-tuning recipe: block i (0-based) of L gets `decay^(L−i)`, so the last
 * block is already scaled by `decay`; everything outside the blocks (multi-resolution block, CLS, head) gets 1.
 */
export function layerDecayScale(name: string, numBlocks: number, decay = 0.65): number {
  const match = BLOCK_NAME.exec(name);
  if (!match) return 1;
  const index = Number(match[1]);
  if (index >= numBlocks)
    throw new Error(`layer decay: ${name} is block ${index}, but the model has ${numBlocks}`);
  return decay ** (numBlocks - index);
}

/** Stochastic-depth rates rising linearly over the blocks, `linspace(start, end, depth)` as the reference. */
export function dropPathRates(depth: number, end = 0.1, start = 0): number[] {
  if (depth === 1) return [start];
  return Array.from({ length: depth }, (_, i) => start + ((end - start) * i) / (depth - 1));
}
