import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '@cat/frontend/node';

/** Per-dimension mean and standard deviation of a feature set, to map every dimension to a common scale. */
export interface FeatureStandardization {
  mean: Float32Array;
  /** Population standard deviation; a constant dimension gets 1, so it maps to 0 rather than NaN. */
  std: Float32Array;
  /** How many vectors the statistics came from. */
  count: number;
}

/**
 * Streaming per-dimension mean and variance in float64 (Welford's update), so a dataset's statistics need one
 * pass and one vector in memory at a time.
 */
export class FeatureStatistics {
  private count = 0;
  private readonly mean: Float64Array;
  private readonly squaredDeviations: Float64Array;

  constructor(readonly dimension: number) {
    this.mean = new Float64Array(dimension);
    this.squaredDeviations = new Float64Array(dimension);
  }

  add(vector: Float32Array): this {
    if (vector.length !== this.dimension) {
      throw new Error(`FeatureStatistics: vector of ${vector.length} values, expected ${this.dimension}`);
    }
    this.count++;
    for (let k = 0; k < this.dimension; k++) {
      const delta = vector[k] - this.mean[k];
      this.mean[k] += delta / this.count;
      this.squaredDeviations[k] += delta * (vector[k] - this.mean[k]);
    }
    return this;
  }

  result(): FeatureStandardization {
    if (this.count === 0) throw new Error('FeatureStatistics: no vectors were added');
    const std = new Float32Array(this.dimension);
    for (let k = 0; k < this.dimension; k++) {
      const value = Math.sqrt(this.squaredDeviations[k] / this.count);
      std[k] = value > 0 ? value : 1;
    }
    return { mean: Float32Array.from(this.mean), std, count: this.count };
  }
}

/** `(x − mean) / std` per dimension, as a new vector. */
export function standardize(vector: Float32Array, stats: FeatureStandardization): Float32Array {
  const out = new Float32Array(vector.length);
  for (let k = 0; k < vector.length; k++) out[k] = (vector[k] - stats.mean[k]) / stats.std[k];
  return out;
}

/** Saves statistics as JSON (`{count, mean: [...], std: [...]}`), atomically. */
export async function writeStandardization(path: string, stats: FeatureStandardization): Promise<void> {
  const json = { count: stats.count, mean: [...stats.mean], std: [...stats.std] };
  await writeFileAtomic(path, new TextEncoder().encode(`${JSON.stringify(json)}\n`));
}

export async function readStandardization(path: string): Promise<FeatureStandardization> {
  let parsed: { count?: unknown; mean?: unknown; std?: unknown };
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new Error(`${path}: not a readable standardization file: ${(error as Error).message}`);
  }
  const { count, mean, std } = parsed;
  const numbers = (x: unknown): x is number[] => Array.isArray(x) && x.every((v) => Number.isFinite(v));
  if (
    typeof count !== 'number' ||
    !numbers(mean) ||
    !numbers(std) ||
    mean.length !== std.length ||
    mean.length === 0
  ) {
    throw new Error(`${path}: expected {count, mean: [...], std: [...]} with equal-length finite lists`);
  }
  if (std.some((v) => v <= 0)) throw new Error(`${path}: every std must be positive`);
  return { count, mean: Float32Array.from(mean), std: Float32Array.from(std) };
}
