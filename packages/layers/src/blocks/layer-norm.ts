import * as tf from '@tensorflow/tfjs-core';
import { type CallArgs, channelsOf, type LayerArgs, ReferenceLayer, type Shape } from './base.js';
import { applyNorm, createNorm, type NormParams } from './modules.js';
import { layerNorm } from './ops.js';

export interface LayerNormConfig {
  /** Default 1e-6 (the transformer's). */
  epsilon?: number;
  /** Learned scale and shift (`weight`, `bias`). Default true. */
  affine?: boolean;
}

/** LayerNorm over the last axis with PyTorch's weight names (`weight`, `bias`). */
export class LayerNorm extends ReferenceLayer {
  static readonly className = 'CatLayerNorm';
  private readonly config: Required<LayerNormConfig>;
  private p: NormParams | null = null;

  constructor(config: LayerNormConfig & LayerArgs = {}) {
    super(config);
    this.config = { epsilon: config.epsilon ?? 1e-6, affine: config.affine ?? true };
  }

  override build(inputShape: Shape | Shape[]): void {
    const dim = channelsOf(inputShape as Shape, 'LayerNorm');
    if (this.config.affine) this.p = createNorm(this.params(), dim);
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return inputShape as Shape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: CallArgs): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      return this.p
        ? applyNorm(x, this.p, this.config.epsilon)
        : layerNorm(x, null, null, this.config.epsilon);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...this.baseConfig(), ...this.config };
  }
}
tf.serialization.registerClass(LayerNorm);
