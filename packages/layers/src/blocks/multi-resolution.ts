import * as tf from '@tensorflow/tfjs-core';
import {
  type CallArgs,
  channelsOf,
  type LayerArgs,
  ReferenceLayer,
  type SeedArgs,
  type Shape,
  shapeList,
  tensorList,
} from './base.js';
import { applyCBlock, type CBlockParams, createCBlock } from './conv-block.js';
import { applyLinear, type ConvParams, createConv, createLinear, type LinearParams } from './modules.js';
import { patchConv } from './ops.js';
import { applyPatchEmbed, createPatchEmbed, type PatchEmbedParams } from './patch-embed.js';

export interface MultiResolutionConfig extends SeedArgs {
  /** Token (embedding) width D. */
  embedDim: number;
  /** Cell size in spectrogram bins of each stage, increasing; the last is the token patch size. Default [4, 8, 16]. */
  resolutions?: number[];
  /** Channels of every stage but the last (which has `embedDim`). Default [256, 384]. */
  channels?: number[];
  /** CBlocks in every stage but the last. Default [2, 2]. */
  depths?: number[];
  /** CBlock MLP ratio. Default 4. */
  mlpRatio?: number;
  /** CBlock depthwise kernel size. Default 5. */
  kernelSize?: number;
  /** LayerNorm epsilon of the stage PEs and CBlocks. Default 1e-5. */
  epsilon?: number;
}

type ResolvedConfig = Required<Omit<MultiResolutionConfig, 'seed'>>;

interface StageParams {
  embed: PatchEmbedParams;
  blocks: CBlockParams[];
  output: ConvParams | null;
}

function resolve(config: MultiResolutionConfig): ResolvedConfig {
  const resolved = {
    embedDim: config.embedDim,
    resolutions: config.resolutions ?? [4, 8, 16],
    channels: config.channels ?? [256, 384],
    depths: config.depths ?? [2, 2],
    mlpRatio: config.mlpRatio ?? 4,
    kernelSize: config.kernelSize ?? 5,
    epsilon: config.epsilon ?? 1e-5,
  };
  const stages = resolved.resolutions.length;
  if (stages < 1 || resolved.channels.length !== stages - 1 || resolved.depths.length !== stages - 1) {
    throw new Error(
      `MultiResolutionBlock: ${stages} resolutions need ${stages - 1} channels and depths, got ${resolved.channels.length} and ${resolved.depths.length}`,
    );
  }
  resolved.resolutions.forEach((r, s) => {
    const previous = s === 0 ? 1 : resolved.resolutions[s - 1];
    if (r % previous !== 0 || r <= (s === 0 ? 0 : previous)) {
      throw new Error(
        `MultiResolutionBlock: resolutions must increase by integer factors, got [${resolved.resolutions}]`,
      );
    }
  });
  return resolved;
}

/**
 * CAT's multi-resolution block (§3.2): stages of patch embedding + ConvMAE CBlocks at increasing
 * cell sizes; every stage is brought to the token grid by a non-overlapping conv and the last stage's
 * tokens go through a Linear; `tokens = Linear(flatten(PE_last)) + (S0 + S1 + …)`.
 * Input: a spectrogram [B, T, F, 1], or [spectrogram, visibility] with a token visibility map
 * [B, T/p, F/p] (1 = visible; p = the last resolution), upsampled nearest to each stage for masked
 * convolution. Output: tokens [B, (T/p)·(F/p), D], row-major over the (time, frequency) grid.
 * Weights: `patch_embed.{s}.proj.*`, `patch_embed.{s}.norm.*`, `patch_embed.{S}.*` (Linear),
 * `conv_blocks.{s}.{j}.*`, `stage_output_decode.{s}.*`.
 */
export class MultiResolutionBlock extends ReferenceLayer {
  static readonly className = 'CatMultiResolutionBlock';
  private readonly config: ResolvedConfig;
  private stages: StageParams[] = [];
  private fuse: LinearParams | null = null;

  constructor(config: MultiResolutionConfig & LayerArgs) {
    super(config);
    this.config = resolve(config);
  }

  /** Token patch size in spectrogram bins. */
  get patchSize(): number {
    const { resolutions } = this.config;
    return resolutions[resolutions.length - 1];
  }

  override build(inputShape: Shape | Shape[]): void {
    const { embedDim, resolutions, channels, depths, mlpRatio, kernelSize } = this.config;
    const scope = this.params();
    let inChannels = channelsOf(shapeList(inputShape)[0], 'MultiResolutionBlock');
    const last = resolutions.length - 1;
    this.stages = resolutions.map((resolution, s) => {
      const outChannels = s === last ? embedDim : channels[s];
      const step = s === 0 ? resolution : resolution / resolutions[s - 1];
      const embed = createPatchEmbed(
        scope.child('patch_embed').child(String(s)),
        inChannels,
        outChannels,
        [step, step],
        true,
      );
      inChannels = outChannels;
      if (s === last) return { embed, blocks: [], output: null };
      const blocks = Array.from({ length: depths[s] }, (_, j) =>
        createCBlock(
          scope.child('conv_blocks').child(String(s)).child(String(j)),
          outChannels,
          mlpRatio,
          kernelSize,
        ),
      );
      const toGrid = this.patchSize / resolution;
      const output = createConv(scope.child('stage_output_decode').child(String(s)), outChannels, embedDim, [
        toGrid,
        toGrid,
      ]);
      return { embed, blocks, output };
    });
    this.fuse = createLinear(
      scope.child('patch_embed').child(String(resolutions.length)),
      embedDim,
      embedDim,
      'bert',
    );
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const [batch, time, freq] = shapeList(inputShape)[0];
    const p = this.patchSize;
    const tokens = time === null || freq === null ? null : Math.floor(time / p) * Math.floor(freq / p);
    return [batch, tokens, this.config.embedDim];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: CallArgs): tf.Tensor {
    return tf.tidy(() => {
      const [spectrogram, visibility] = tensorList(inputs);
      const { epsilon, resolutions } = this.config;
      let x = spectrogram as tf.Tensor4D;
      let summed: tf.Tensor | null = null;
      for (const [s, stage] of this.stages.entries()) {
        x = applyPatchEmbed(x, stage.embed, epsilon);
        if (!stage.output) break;
        const map = visibility ? upsampleVisibility(visibility, this.patchSize / resolutions[s]) : null;
        for (const block of stage.blocks) x = applyCBlock(x, block, map, epsilon);
        const grid = patchConv(x, stage.output.kernel.read(), stage.output.bias.read());
        const out = tf.reshape(grid, [grid.shape[0], -1, grid.shape[3]]);
        // The reference adds `sum(stage outputs)`, accumulated left to right, to the last stage's tokens.
        summed = summed ? tf.add(summed, out) : out;
      }
      const tokens = applyLinear(tf.reshape(x, [x.shape[0], -1, x.shape[3]]), this.fuse as LinearParams);
      return summed ? tf.add(tokens, summed) : tokens;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...this.baseConfig(), ...this.config };
  }
}
tf.serialization.registerClass(MultiResolutionBlock);

/** Nearest-neighbour upsampling of a token visibility map [B, h, w] (or [B, h, w, 1]) by an integer factor. */
export function upsampleVisibility(visibility: tf.Tensor, factor: number): tf.Tensor4D {
  const map = tf.cast(
    visibility.rank === 3 ? tf.expandDims(visibility, 3) : visibility,
    'float32',
  ) as tf.Tensor4D;
  if (factor === 1) return map;
  return tf.image.resizeNearestNeighbor(map, [map.shape[1] * factor, map.shape[2] * factor]);
}
