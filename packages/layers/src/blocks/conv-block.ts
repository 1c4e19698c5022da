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
import { applyNorm, type ConvParams, createConv, createNorm, type NormParams } from './modules.js';
import { depthwiseConv, gelu, pointwiseConv } from './ops.js';
import type { ParamScope } from './params.js';

export interface CBlockParams {
  norm1: NormParams;
  conv1: ConvParams;
  attn: ConvParams;
  conv2: ConvParams;
  norm2: NormParams;
  fc1: ConvParams;
  fc2: ConvParams;
}

export function createCBlock(
  scope: ParamScope,
  dim: number,
  mlpRatio: number,
  kernelSize: number,
): CBlockParams {
  const hidden = Math.round(dim * mlpRatio);
  return {
    norm1: createNorm(scope.child('norm1'), dim),
    conv1: createConv(scope.child('conv1'), dim, dim, [1, 1]),
    attn: createConv(scope.child('attn'), 1, dim, [kernelSize, kernelSize], { depthwise: true }),
    conv2: createConv(scope.child('conv2'), dim, dim, [1, 1]),
    norm2: createNorm(scope.child('norm2'), dim),
    fc1: createConv(scope.child('mlp').child('fc1'), dim, hidden, [1, 1]),
    fc2: createConv(scope.child('mlp').child('fc2'), hidden, dim, [1, 1]),
  };
}

/**
 * ConvMAE block: `x += conv2(dw(m ⊙ conv1(LN1 x)))`, then `x += fc2(gelu(fc1(LN2 x)))`.
 * `visibility` [B, H, W, 1] (1 = visible) masks the depthwise conv's input, or null.
 */
export function applyCBlock(
  x: tf.Tensor4D,
  p: CBlockParams,
  visibility: tf.Tensor | null,
  epsilon: number,
): tf.Tensor4D {
  let h = pointwiseConv(applyNorm(x, p.norm1, epsilon), p.conv1.kernel.read(), p.conv1.bias.read());
  if (visibility) h = tf.mul(h, visibility);
  h = depthwiseConv(h as tf.Tensor4D, p.attn.kernel.read(), p.attn.bias.read());
  h = pointwiseConv(h, p.conv2.kernel.read(), p.conv2.bias.read());
  const mixed = tf.add(x, h);
  let m = pointwiseConv(applyNorm(mixed, p.norm2, epsilon), p.fc1.kernel.read(), p.fc1.bias.read());
  m = pointwiseConv(gelu(m), p.fc2.kernel.read(), p.fc2.bias.read());
  return tf.add(mixed, m) as tf.Tensor4D;
}

/** A visibility map as [B, H, W, 1] float, from [B, H, W] or [B, H, W, 1]. */
export function visibilityMap(visibility: tf.Tensor): tf.Tensor4D {
  const map = visibility.rank === 3 ? tf.expandDims(visibility, 3) : visibility;
  return tf.cast(map, 'float32') as tf.Tensor4D;
}

export interface CBlockConfig extends SeedArgs {
  /** Hidden width of the conv-MLP as a multiple of the channels. Default 4. */
  mlpRatio?: number;
  /** Depthwise kernel size (odd). Default 5. */
  kernelSize?: number;
  /** LayerNorm epsilon. Default 1e-5. */
  epsilon?: number;
}

/**
 * ConvMAE CBlock on a channels-last map [B, H, W, C]. Input: the map, or [map, visibility] with a
 * visibility map [B, H, W] or [B, H, W, 1] (1 = visible) for masked convolution.
 * Weights: `norm1.*`, `conv1.*`, `attn.*` (depthwise), `conv2.*`, `norm2.*`, `mlp.fc1.*`, `mlp.fc2.*`.
 */
export class CBlock extends ReferenceLayer {
  static readonly className = 'CatCBlock';
  private readonly config: Required<Omit<CBlockConfig, 'seed'>>;
  private p: CBlockParams | null = null;

  constructor(config: CBlockConfig & LayerArgs = {}) {
    super(config);
    this.config = {
      mlpRatio: config.mlpRatio ?? 4,
      kernelSize: config.kernelSize ?? 5,
      epsilon: config.epsilon ?? 1e-5,
    };
  }

  override build(inputShape: Shape | Shape[]): void {
    const dim = channelsOf(shapeList(inputShape)[0], 'CBlock');
    this.p = createCBlock(this.params(), dim, this.config.mlpRatio, this.config.kernelSize);
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return shapeList(inputShape)[0];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: CallArgs): tf.Tensor {
    return tf.tidy(() => {
      const [x, visibility] = tensorList(inputs);
      const map = visibility ? visibilityMap(visibility) : null;
      return applyCBlock(x as tf.Tensor4D, this.p as CBlockParams, map, this.config.epsilon);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...this.baseConfig(), ...this.config };
  }
}
tf.serialization.registerClass(CBlock);
