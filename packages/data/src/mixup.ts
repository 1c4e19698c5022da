import type { SeededRandom } from '@cat/frontend';
import { beta } from './distributions.js';

export interface MixupOptions {
  /** Beta(α, α) parameter (0.8 in the AS and SPC-2 recipes); 0 turns mixup off. */
  alpha: number;
  /** Probability of mixing a batch at all (`mixup_prob`, 0.9 in the recipes). */
  probability: number;
}

/**
 * Draws a batch's mixing weight as timm's batch-mode Mixup: with probability p, λ ~ Beta(α, α); else 1.
 */
export function mixupLambda(options: MixupOptions, random: SeededRandom): number {
  if (options.alpha <= 0) return 1;
  if (random.next() >= options.probability) return 1;
  return beta(random, options.alpha, options.alpha);
}

/**
 * Mixes each example with its mirror in the batch (i with B−1−i), in place: x_i ← λ·x_i + (1−λ)·x_{B−1−i},
 * same for the targets. `inputs` is [B, …] and `targets` [B, C], both row-major.
 */
export function applyMixup(
  inputs: Float32Array,
  targets: Float32Array,
  batchSize: number,
  lambda: number,
): void {
  if (lambda === 1) return;
  mixRows(inputs, batchSize, lambda);
  mixRows(targets, batchSize, lambda);
}

function mixRows(data: Float32Array, batchSize: number, lambda: number): void {
  if (data.length % batchSize !== 0)
    throw new Error(`array of ${data.length} is not ${batchSize} equal rows`);
  const width = data.length / batchSize;
  for (let i = 0; i < batchSize >> 1; i++) {
    const a = i * width;
    const b = (batchSize - 1 - i) * width;
    for (let k = 0; k < width; k++) {
      const x = data[a + k];
      const y = data[b + k];
      data[a + k] = lambda * x + (1 - lambda) * y;
      data[b + k] = lambda * y + (1 - lambda) * x;
    }
  }
}

/** Draws λ and mixes the batch in place; returns λ (1 when the batch was left alone). */
export function mixupBatch(
  inputs: Float32Array,
  targets: Float32Array,
  batchSize: number,
  options: MixupOptions,
  random: SeededRandom,
): number {
  const lambda = mixupLambda(options, random);
  applyMixup(inputs, targets, batchSize, lambda);
  return lambda;
}
