import * as tf from '@tensorflow/tfjs-core';
import {
  type CallArgs,
  channelsOf,
  type LayerArgs,
  ReferenceLayer,
  type SeedArgs,
  type Shape,
} from './base.js';
import { applyLinear, type ConvParams, createConv, createLinear, type LinearParams } from './modules.js';
import { gelu, groupedConv, layerNorm } from './ops.js';

export interface CnnDecoderConfig extends SeedArgs {
  /** Conv layers. Default 6. */
  numLayers?: number;
  /** Conv kernel size (odd). Default 3. */
  kernelSize?: number;
  /** Conv groups. Default 16. */
  groups?: number;
  /** Token-grid width (frequency patches); the grid is [N / gridWidth, gridWidth]. Default 8. */
  gridWidth?: number;
  /** Epsilon of the non-affine LayerNorm. Default 1e-5. */
  epsilon?: number;
}

/**
 * EAT's lightweight 2-D CNN decoder (§5) on the full token grid [B, N, D]: `numLayers` times
 * `x += GELU(LN(groupedConv(x)))` (LN over channels, no affine), then a per-token Linear.
 * Weights: `blocks.{k}.0.*` (grouped conv, PyTorch default init), `proj.*` (PyTorch default init).
 */
export class CnnDecoder extends ReferenceLayer {
  static readonly className = 'CatCnnDecoder';
  private readonly config: Required<Omit<CnnDecoderConfig, 'seed'>>;
  private convs: ConvParams[] = [];
  private proj: LinearParams | null = null;

  constructor(config: CnnDecoderConfig & LayerArgs = {}) {
    super(config);
    this.config = {
      numLayers: config.numLayers ?? 6,
      kernelSize: config.kernelSize ?? 3,
      groups: config.groups ?? 16,
      gridWidth: config.gridWidth ?? 8,
      epsilon: config.epsilon ?? 1e-5,
    };
  }

  override build(inputShape: Shape | Shape[]): void {
    const dim = channelsOf(inputShape as Shape, 'CnnDecoder');
    const { numLayers, kernelSize: k, groups } = this.config;
    if (dim % groups !== 0) throw new Error(`CnnDecoder: width ${dim} is not divisible by ${groups} groups`);
    const scope = this.params();
    this.convs = Array.from({ length: numLayers }, (_, i) =>
      createConv(scope.child('blocks').child(String(i)).child('0'), dim / groups, dim, [k, k]),
    );
    this.proj = createLinear(scope.child('proj'), dim, dim, 'torch');
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return inputShape as Shape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: CallArgs): tf.Tensor {
    return tf.tidy(() => {
      const tokens = Array.isArray(inputs) ? inputs[0] : inputs;
      const [batch, n, dim] = tokens.shape;
      const width = this.config.gridWidth;
      if (n % width !== 0) throw new Error(`CnnDecoder: ${n} tokens do not fill a grid of width ${width}`);
      let x = tf.reshape(tokens, [batch, n / width, width, dim]) as tf.Tensor4D;
      for (const conv of this.convs) {
        const y = groupedConv(x, conv.kernel.read(), conv.bias.read(), this.config.groups);
        x = tf.add(x, gelu(layerNorm(y, null, null, this.config.epsilon))) as tf.Tensor4D;
      }
      return applyLinear(tf.reshape(x, [batch, n, dim]), this.proj as LinearParams);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...this.baseConfig(), ...this.config };
  }
}
tf.serialization.registerClass(CnnDecoder);
