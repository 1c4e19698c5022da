import * as tf from '@tensorflow/tfjs-core';
import { type CallArgs, channelsOf, type LayerArgs, ReferenceLayer, type Shape } from './base.js';
import { layerNorm } from './ops.js';
import type { NamedWeight } from './params.js';

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
  private gamma: NamedWeight['variable'] | null = null;
  private beta: NamedWeight['variable'] | null = null;

  constructor(config: LayerNormConfig & LayerArgs = {}) {
    super(config);
    this.config = { epsilon: config.epsilon ?? 1e-6, affine: config.affine ?? true };
  }

  override build(inputShape: Shape | Shape[]): void {
    const dim = channelsOf(inputShape as Shape, 'LayerNorm');
    if (this.config.affine) {
      const scope = this.params();
      this.gamma = scope.weight('weight', [dim], { kind: 'ones' }, 'same');
      this.beta = scope.weight('bias', [dim], { kind: 'zeros' }, 'same');
    }
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return inputShape as Shape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: CallArgs): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      return layerNorm(x, this.gamma?.read() ?? null, this.beta?.read() ?? null, this.config.epsilon);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...this.baseConfig(), ...this.config };
  }
}
tf.serialization.registerClass(LayerNorm);
