import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { ReferenceLayer } from '../blocks/base.js';
import { LayerNorm } from '../blocks/layer-norm.js';
import { MultiResolutionBlock, type MultiResolutionConfig } from '../blocks/multi-resolution.js';
import type { NamedWeight } from '../blocks/params.js';
import { PatchEmbed } from '../blocks/patch-embed.js';
import { SinCosPositionEmbedding } from '../blocks/position.js';
import { ClassToken, selectTokens, visibleTokenIndices } from '../blocks/tokens.js';
import { TransformerBlock } from '../blocks/transformer.js';

export interface EncoderConfig {
  /** Token width D. */
  embedDim: number;
  numHeads: number;
  /** Transformer blocks. */
  depth: number;
  /** Default 4. */
  mlpRatio?: number;
  /**
   * CAT's multi-resolution block (§3.2) as the local encoder; absent or null = EAT's single
   * non-overlapping `patchSize` conv.
   */
  multiResolution?: Omit<MultiResolutionConfig, 'embedDim' | 'seed'> | null;
  /** EAT patch size. Default 16 (CAT: the last multi-resolution resolution). */
  patchSize?: number;
  /** Frequency bins of the input spectrogram. Default 128. */
  freqBins?: number;
  /** Rows of the position table along time. Default 768 (768·16 frames ≈ 123 s). */
  maxTimePatches?: number;
  /** Stochastic depth, linear from 0 (first block) to this rate (last block). Default 0. */
  dropPathRate?: number;
  /** Seed of every initialiser; random when absent. */
  seed?: number;
}

export interface EncodeOptions {
  /**
   * Token visibility [B, T/p, F/p] (1 = visible), the same count per sample: the student path.
   * The multi-resolution block then masks its depthwise convs, and only the visible tokens enter
   * the transformer.
   */
  visibility?: tf.Tensor;
  /**
   * The visible token indices [B, K] (ascending) matching `visibility`, when the caller already has them (e.g.
   * from the masker on the CPU): saves reading the map back from the backend.
   */
  visibleIndices?: tf.Tensor2D;
  /** Enables stochastic depth. Default false. */
  training?: boolean;
}

export interface EncoderOutput {
  /** Final CLS token [B, D]. */
  cls: tf.Tensor2D;
  /** Final patch tokens [B, K, D] (all N grid tokens, or the K visible ones, ascending). */
  tokens: tf.Tensor3D;
  /** Every block's FFN output t [B, 1 + K, D] (CLS first), block 0 first: the teacher-target material. */
  layerOutputs: tf.Tensor3D[];
  /** The kept token indices [B, K] when a visibility map was given. */
  visibleIndices?: tf.Tensor2D;
}

/** The reference's state_dict prefix of the encoder's modality-specific part. */
const MODALITY = 'modality_encoders.IMAGE.';

/**
 * The CAT / EAT encoder: local encoder (multi-resolution block or patch embedding) → fixed sin-cos
 * positions → CLS → LayerNorm (eps 1e-6) → post-LN transformer blocks (no final norm).
 * Input spectrogram [B, T, F] or [B, T, F, 1] (time as height). A plain object holding tfjs layers.
 */
export class SpectrogramEncoder {
  readonly config: Readonly<EncoderConfig>;
  readonly localEncoder: MultiResolutionBlock | PatchEmbed;
  readonly positions: SinCosPositionEmbedding;
  readonly classToken: ClassToken;
  readonly norm: LayerNorm;
  readonly blocks: TransformerBlock[];
  /** Token patch size in spectrogram bins (the grid is [T/patch, F/patch]). */
  readonly patchSize: number;

  constructor(config: EncoderConfig) {
    this.config = { ...config };
    const { embedDim, numHeads, depth, seed } = config;
    const freqBins = config.freqBins ?? 128;
    const seedAt = (offset: number) => (seed === undefined ? undefined : seed + offset * 1000);
    if (config.multiResolution) {
      const block = new MultiResolutionBlock({ ...config.multiResolution, embedDim, seed: seedAt(0) });
      this.localEncoder = block;
      this.patchSize = block.patchSize;
    } else {
      this.patchSize = config.patchSize ?? 16;
      this.localEncoder = new PatchEmbed({
        filters: embedDim,
        patchSize: this.patchSize,
        flatten: true,
        seed: seedAt(0),
      });
    }
    if (freqBins % this.patchSize !== 0) {
      throw new Error(
        `encoder: ${freqBins} frequency bins are not a multiple of the patch size ${this.patchSize}`,
      );
    }
    this.positions = new SinCosPositionEmbedding({
      maxTimePatches: config.maxTimePatches ?? 768,
      freqPatches: freqBins / this.patchSize,
    });
    this.classToken = new ClassToken({ seed: seedAt(1) });
    this.norm = new LayerNorm({ epsilon: 1e-6 });
    const rate = config.dropPathRate ?? 0;
    this.blocks = Array.from(
      { length: depth },
      (_, i) =>
        new TransformerBlock({
          numHeads,
          mlpRatio: config.mlpRatio ?? 4,
          dropPath: depth > 1 ? (rate * i) / (depth - 1) : 0,
          seed: seedAt(2 + i),
        }),
    );
    // Build every layer (inside its own name scope) by applying it to a symbolic input.
    const tokens = [null, null, embedDim];
    buildLayer(this.localEncoder, [null, null, freqBins, 1]);
    for (const layer of [this.positions, this.classToken, this.norm, ...this.blocks])
      buildLayer(layer, tokens);
  }

  /** The tfjs layers in forward order. */
  get layers(): ReferenceLayer[] {
    return [this.localEncoder, this.positions, this.classToken, this.norm, ...this.blocks];
  }

  get trainableWeights(): tfl.LayerVariable[] {
    return this.layers.flatMap((layer) => layer.trainableWeights);
  }

  /** Trainable parameters (the fixed position table excluded). */
  countParams(): number {
    return this.trainableWeights.reduce((n, w) => n + tf.util.sizeFromShape(w.shape as number[]), 0);
  }

  /** Every weight under its reference state_dict key (without a checkpoint prefix such as `model.` or `_ema.`). */
  namedWeights(): NamedWeight[] {
    const local = this.localEncoder instanceof MultiResolutionBlock ? MODALITY : `${MODALITY}local_encoder.`;
    const prefixed = (prefix: string, layer: ReferenceLayer) =>
      layer.namedWeights().map((w) => ({ ...w, name: `${prefix}${w.name}` }));
    return [
      ...prefixed(local, this.localEncoder),
      ...prefixed(`${MODALITY}fixed_positional_encoder.`, this.positions),
      ...prefixed(MODALITY, this.classToken),
      ...prefixed(`${MODALITY}context_encoder.norm.`, this.norm),
      ...this.blocks.flatMap((block, i) => prefixed(`blocks.${i}.`, block)),
    ];
  }

  /** Patch tokens of the full grid with positions added, [B, N, D] (the masked multi-resolution path with a visibility map). */
  embedPatches(spectrogram: tf.Tensor, visibility?: tf.Tensor): tf.Tensor3D {
    return tf.tidy(() => {
      const x = spectrogram.rank === 3 ? tf.expandDims(spectrogram, 3) : spectrogram;
      const [, time, freq] = x.shape;
      const freqBins = this.config.freqBins ?? 128;
      if (x.rank !== 4 || freq !== freqBins || (time as number) % this.patchSize !== 0) {
        throw new Error(
          `encoder: expected a spectrogram [B, T, ${freqBins}] or [B, T, ${freqBins}, 1] with T a multiple of ${this.patchSize}, got [${x.shape.join(', ')}]`,
        );
      }
      const masked = visibility && this.localEncoder instanceof MultiResolutionBlock;
      const tokens = this.localEncoder.apply(masked ? [x, visibility] : x) as tf.Tensor;
      return this.positions.apply(tokens) as tf.Tensor3D;
    });
  }

  /** Runs the encoder; the caller disposes the returned tensors. */
  encode(spectrogram: tf.Tensor, options: EncodeOptions = {}): EncoderOutput {
    const training = options.training ?? false;
    return tf.tidy(() => {
      let tokens: tf.Tensor = this.embedPatches(spectrogram, options.visibility);
      let visibleIndices: tf.Tensor2D | undefined;
      if (options.visibility) {
        const grid = tokens.shape[1] as number;
        if (options.visibility.size / options.visibility.shape[0] !== grid) {
          throw new Error(
            `encoder: visibility map [${options.visibility.shape.join(', ')}] does not match the ${grid}-token grid`,
          );
        }
        visibleIndices = options.visibleIndices ?? visibleTokenIndices(options.visibility);
        tokens = selectTokens(tokens, visibleIndices);
      }
      let h = this.norm.apply(this.classToken.apply(tokens)) as tf.Tensor;
      const layerOutputs: tf.Tensor3D[] = [];
      for (const block of this.blocks) {
        const [x, t] = block.apply(h, { training }) as tf.Tensor[];
        h = x;
        layerOutputs.push(t as tf.Tensor3D);
      }
      const [batch, n, dim] = h.shape as [number, number, number];
      const cls = tf.reshape(tf.slice(h, [0, 0, 0], [batch, 1, dim]), [batch, dim]) as tf.Tensor2D;
      const patchTokens = tf.slice(h, [0, 1, 0], [batch, n - 1, dim]) as tf.Tensor3D;
      const output: EncoderOutput = { cls, tokens: patchTokens, layerOutputs };
      if (visibleIndices) output.visibleIndices = visibleIndices;
      return output as unknown as tf.TensorContainer;
    }) as unknown as EncoderOutput;
  }

  dispose(): void {
    for (const layer of this.layers) layer.dispose();
  }
}

function buildLayer(layer: ReferenceLayer, shape: (number | null)[]): void {
  layer.apply(tfl.input({ batchShape: shape }));
}

/** CAT encoder: the multi-resolution block (defaults: conv_option 0, widths 256/384, 2 + 2 CBlocks). */
export class CatEncoder extends SpectrogramEncoder {
  constructor(config: EncoderConfig) {
    super({ ...config, multiResolution: config.multiResolution ?? {} });
  }
}

/** EAT encoder: a single 16×16 patch embedding. */
export class EatEncoder extends SpectrogramEncoder {
  constructor(config: Omit<EncoderConfig, 'multiResolution'>) {
    super({ ...config, multiResolution: null });
  }
}
