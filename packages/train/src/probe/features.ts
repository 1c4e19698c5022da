import type { Dataset } from '@cat/data';
import { type FbankBatch, FbankLoader } from '@cat/data/node';
import type { SpectrogramEncoder } from '@cat/layers';
import * as tf from '@tensorflow/tfjs-core';
import { concat } from '../finetune/evaluate.js';

/**
 * How a clip's encoder output becomes one vector: the final CLS, the mean of the patch tokens, both (CLS first),
 * or `bands`: the patch tokens averaged over time within each frequency band, the bands side by side
 * (`F/16 × D` values: like per-bin fbank statistics, it keeps where in frequency things are).
 */
export type Pooling = 'cls' | 'mean' | 'both' | 'bands';

/** Turns a batch of normalised fbanks into feature rows `[batch.size, dim]`, row-major. */
export type FeatureFunction = (batch: FbankBatch) => Float32Array | Promise<Float32Array>;

/** One feature vector per clip, with the clip's targets. */
export interface FeatureSet {
  /** Row-major [count, dim]. */
  features: Float32Array;
  dim: number;
  count: number;
  /** Multi-hot targets, row-major [count, numClasses]. */
  targets: Float32Array;
  numClasses: number;
  ids: string[];
}

export interface FeatureOptions {
  /** Frames per clip (padded or cropped), a multiple of 16 for an encoder. */
  targetLength: number;
  /** Normalisation preset (default `audioset`). */
  normalize?: 'audioset' | 'esc50' | 'spc2';
  /** Clips per forward pass (default 16). */
  batchSize?: number;
  /** Decoding worker threads (default: all cores; 0 = this thread). */
  workers?: number;
  /** Clips shorter than this many samples are skipped (default 0: keep all). */
  minSamples?: number;
  /** On-disk fbank cache folder. */
  cache?: string;
  /** Skipped files and epoch summaries (default: silent). */
  log?: (line: string) => void;
}

/** Features of every clip of a dataset, in manifest order, without augmentation (unreadable clips are skipped). */
export async function extractFeatures(
  dataset: Dataset,
  features: FeatureFunction,
  options: FeatureOptions,
): Promise<FeatureSet> {
  const loader = new FbankLoader(dataset, {
    batchSize: options.batchSize ?? 16,
    targetLength: options.targetLength,
    normalize: options.normalize ?? 'audioset',
    workers: options.workers,
    minSamples: options.minSamples ?? 0,
    cache: options.cache,
    shuffle: false,
    log: options.log ?? false,
  });
  const rows: Float32Array[] = [];
  const targets: Float32Array[] = [];
  const ids: string[] = [];
  let dim = 0;
  try {
    for await (const batch of loader.epoch()) {
      const values = await features(batch);
      if (values.length % batch.size !== 0 || values.length === 0) {
        throw new Error(`features: ${values.length} values for a batch of ${batch.size} clips`);
      }
      dim = values.length / batch.size;
      rows.push(values);
      targets.push(batch.targets);
      ids.push(...batch.ids);
    }
  } finally {
    await loader.close();
  }
  if (ids.length === 0) throw new Error('features: no clip of the dataset could be read');
  return {
    features: concat(rows),
    dim,
    count: ids.length,
    targets: concat(targets),
    numClasses: dataset.labelKeys.length,
    ids,
  };
}

/**
 * Pooled encoder outputs of a batch (no stochastic depth). A list of poolings gives them side by side from one
 * forward pass, in the order given.
 */
export function encoderFeatures(
  encoder: SpectrogramEncoder,
  pool: Pooling | Pooling[] = 'cls',
): FeatureFunction {
  const pools = Array.isArray(pool) ? pool : [pool];
  return async (batch) => {
    const pooled = tf.tidy(() => {
      const { cls, tokens } = encoder.encode(
        tf.tensor3d(batch.inputs, [batch.size, batch.frames, batch.bins]),
      );
      const one = (p: Pooling): tf.Tensor2D => {
        if (p === 'cls') return cls;
        if (p === 'mean') return tf.mean(tokens, 1) as tf.Tensor2D;
        if (p === 'both') return tf.concat([cls, tf.mean(tokens, 1) as tf.Tensor2D], 1);
        // Tokens are in (time, frequency) row-major order: index = t * bands + f.
        const [clips, , dim] = tokens.shape;
        const bands = batch.bins / encoder.patchSize;
        const grid = tf.reshape(tokens, [clips, batch.frames / encoder.patchSize, bands, dim]);
        return tf.reshape(tf.mean(grid, 1), [clips, bands * dim]);
      };
      return pools.length === 1 ? one(pools[0]) : tf.concat(pools.map(one), 1);
    });
    const values = (await pooled.data()) as Float32Array;
    pooled.dispose();
    return values;
  };
}

/**
 * A baseline without a model: per mel bin, the mean and the standard deviation over the frames of the normalised
 * fbank (2 × bins values, means first). Padded frames count as frames.
 */
export const fbankStatistics: FeatureFunction = (batch) => {
  const { size, frames, bins, inputs } = batch;
  const out = new Float32Array(size * 2 * bins);
  for (let b = 0; b < size; b++) {
    const base = b * frames * bins;
    for (let k = 0; k < bins; k++) {
      let sum = 0;
      let squares = 0;
      for (let t = 0; t < frames; t++) {
        const v = inputs[base + t * bins + k];
        sum += v;
        squares += v * v;
      }
      const mean = sum / frames;
      out[b * 2 * bins + k] = mean;
      out[b * 2 * bins + bins + k] = Math.sqrt(Math.max(0, squares / frames - mean * mean));
    }
  }
  return out;
};

/** Pooled embeddings of every clip of a dataset from a (frozen) encoder. */
export function embedDataset(
  encoder: SpectrogramEncoder,
  dataset: Dataset,
  options: FeatureOptions & { pool?: Pooling | Pooling[] },
): Promise<FeatureSet> {
  return extractFeatures(dataset, encoderFeatures(encoder, options.pool), options);
}
