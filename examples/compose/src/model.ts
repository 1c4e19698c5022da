/**
 * A model of your own from CAT's blocks: @cat/layers' multi-resolution block and LayerNorm turn a log-mel
 * spectrogram into a grid of tokens, and plain tf.layers (Reshape, GRU, Dense) read the grid as a sequence over time.
 * Every block is a registered tf.layers class, so the whole thing is one `tf.model` that tfjs saves and loads.
 */
import { LayerNorm, MultiResolutionBlock } from '@cat/layers';
import * as tfl from '@tensorflow/tfjs-layers';

export interface ComposedModelOptions {
  numClasses: number;
  /** Spectrogram frames (time), a multiple of the token patch (16). Default 128 (1.28 s). */
  frames?: number;
  /** Mel bins, a multiple of 16. Default 128 (the reference front end). */
  melBins?: number;
  /** Token width of the multi-resolution block. Default 64. */
  tokenDim?: number;
  /** GRU units. Default 48. */
  gruUnits?: number;
  /** Seed of the CAT blocks' initialisers and of the tf.layers initialisers. Default 1. */
  seed?: number;
}

/** Token patch size (spectrogram bins): the last resolution of the multi-resolution block. */
const PATCH = 16;

/**
 * `[B, frames, melBins]` normalised fbank → `[B, numClasses]` logits:
 *
 * 1. Reshape to a one-channel image `[B, T, F, 1]` (time as height, as CAT does).
 * 2. `MultiResolutionBlock` (@cat/layers): a 4 × 4-bin stage with one ConvMAE CBlock, then 16 × 16-bin tokens;
 *    the finer stage is brought onto the token grid and added (CAT §3.2, two stages instead of three).
 *    Output `[B, (T/16)·(F/16), D]`, row-major over (time, frequency).
 * 3. `LayerNorm` (@cat/layers) over the token width.
 * 4. Reshape to `[B, T/16, (F/16)·D]`: one vector per time step, its frequency tokens side by side.
 * 5. `GRU` then `Dense` (tf.layers): a recurrent summary of the time steps, then class logits.
 */
export function buildComposedModel(options: ComposedModelOptions): tfl.LayersModel {
  const frames = options.frames ?? 128;
  const melBins = options.melBins ?? 128;
  const tokenDim = options.tokenDim ?? 64;
  const seed = options.seed ?? 1;
  if (frames % PATCH !== 0 || melBins % PATCH !== 0) {
    throw new Error(
      `composed model: frames (${frames}) and mel bins (${melBins}) must be multiples of ${PATCH}`,
    );
  }
  const input = tfl.input({ shape: [frames, melBins], name: 'fbank' });
  const image = tfl.layers.reshape({ targetShape: [frames, melBins, 1], name: 'image' }).apply(input);
  const tokens = new MultiResolutionBlock({
    embedDim: tokenDim,
    resolutions: [4, PATCH],
    channels: [32],
    depths: [1],
    seed,
    name: 'multi_resolution',
  }).apply(image);
  const normed = new LayerNorm({ name: 'token_norm' }).apply(tokens);
  const steps = tfl.layers
    .reshape({ targetShape: [frames / PATCH, (melBins / PATCH) * tokenDim], name: 'time_steps' })
    .apply(normed);
  const summary = tfl.layers
    .gru({
      units: options.gruUnits ?? 48,
      name: 'gru',
      kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 101 }),
      // Not tf.layers' default orthogonal initialiser: it needs tfjs's chained ops (`tensor.flatten()`), which
      // only the @tensorflow/tfjs bundle registers, and it is slow for matrices this size.
      recurrentInitializer: tfl.initializers.glorotUniform({ seed: seed + 102 }),
    })
    .apply(steps);
  const logits = tfl.layers
    .dense({
      units: options.numClasses,
      name: 'logits',
      kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 103 }),
    })
    .apply(summary) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: logits, name: 'cat_blocks_gru' });
}
