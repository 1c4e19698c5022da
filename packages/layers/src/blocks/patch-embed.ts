import * as tf from '@tensorflow/tfjs-core';
import {
  type CallArgs,
  channelsOf,
  type LayerArgs,
  ReferenceLayer,
  type SeedArgs,
  type Shape,
} from './base.js';
import { applyNorm, type ConvParams, createConv, createNorm, type NormParams } from './modules.js';
import { patchConv } from './ops.js';
import type { ParamScope } from './params.js';

/** Patch embedding = non-overlapping conv (`proj`), then an optional channel LayerNorm (`norm`). */
export interface PatchEmbedParams {
  proj: ConvParams;
  norm: NormParams | null;
}

export function createPatchEmbed(
  scope: ParamScope,
  inChannels: number,
  outChannels: number,
  patch: [number, number],
  norm: boolean,
): PatchEmbedParams {
  return {
    proj: createConv(scope.child('proj'), inChannels, outChannels, patch, { init: 'xavier' }),
    norm: norm ? createNorm(scope.child('norm'), outChannels) : null,
  };
}

export function applyPatchEmbed(x: tf.Tensor4D, p: PatchEmbedParams, epsilon: number): tf.Tensor4D {
  const y = patchConv(x, p.proj.kernel.read(), p.proj.bias.read());
  return (p.norm ? applyNorm(y, p.norm, epsilon) : y) as tf.Tensor4D;
}

export function patchPair(size: number | [number, number]): [number, number] {
  return typeof size === 'number' ? [size, size] : [size[0], size[1]];
}

export interface PatchEmbedConfig extends SeedArgs {
  /** Output channels (the embedding width). */
  filters: number;
  /** Patch (= kernel = stride) size, [time, frequency] or one number for both. Default 16. */
  patchSize?: number | [number, number];
  /** Channel LayerNorm after the conv (the multi-resolution stages). Default false (EAT). */
  norm?: boolean;
  /** LayerNorm epsilon. Default 1e-5. */
  normEpsilon?: number;
  /** Return tokens [B, H'·W', C] (row-major over the patch grid) instead of a map [B, H', W', C]. Default false. */
  flatten?: boolean;
}

/**
 * Non-overlapping patch embedding (EAT's 16×16 conv, or a multi-resolution stage's PE) on a
 * channels-last map [B, H, W, C]; implemented as one matmul over patches.
 * Weights: `proj.weight`, `proj.bias` (+ `norm.weight`, `norm.bias`).
 */
export class PatchEmbed extends ReferenceLayer {
  static readonly className = 'CatPatchEmbed';
  private readonly config: Required<Omit<PatchEmbedConfig, 'seed'>>;
  private p: PatchEmbedParams | null = null;

  constructor(config: PatchEmbedConfig & LayerArgs) {
    super(config);
    this.config = {
      filters: config.filters,
      patchSize: config.patchSize ?? 16,
      norm: config.norm ?? false,
      normEpsilon: config.normEpsilon ?? 1e-5,
      flatten: config.flatten ?? false,
    };
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = inputShape as Shape;
    this.p = createPatchEmbed(
      this.params(),
      channelsOf(shape, 'PatchEmbed'),
      this.config.filters,
      patchPair(this.config.patchSize),
      this.config.norm,
    );
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const [batch, height, width] = inputShape as Shape;
    const [kh, kw] = patchPair(this.config.patchSize);
    const outH = height === null ? null : Math.floor(height / kh);
    const outW = width === null ? null : Math.floor(width / kw);
    if (!this.config.flatten) return [batch, outH, outW, this.config.filters];
    return [batch, outH === null || outW === null ? null : outH * outW, this.config.filters];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: CallArgs): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      const y = applyPatchEmbed(x, this.p as PatchEmbedParams, this.config.normEpsilon);
      return this.config.flatten ? tf.reshape(y, [y.shape[0], -1, y.shape[3]]) : y;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...this.baseConfig(), ...this.config };
  }
}
tf.serialization.registerClass(PatchEmbed);
