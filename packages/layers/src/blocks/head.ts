import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import {
  type CallArgs,
  channelsOf,
  type LayerArgs,
  ReferenceLayer,
  type SeedArgs,
  type Shape,
} from './base.js';
import { layerNorm, linear } from './ops.js';
import { torchDefaultBound, type WeightInit } from './params.js';

export interface ClassificationHeadConfig extends SeedArgs {
  numClasses: number;
  /** Epsilon of `fc_norm`. Default 1e-6. */
  epsilon?: number;
}

/**
 * Fine-tuning head (§10) on the CLS token [B, D]: `head(fc_norm(cls))` → logits [B, C].
 * Weights: `fc_norm.*` (1 / 0), `head.*` (truncated normal std 0.02, bias 0).
 */
export class ClassificationHead extends ReferenceLayer {
  static readonly className = 'CatClassificationHead';
  private readonly config: Required<Omit<ClassificationHeadConfig, 'seed'>>;
  private w: Record<'gamma' | 'beta' | 'kernel' | 'bias', tfl.LayerVariable> | null = null;

  constructor(config: ClassificationHeadConfig & LayerArgs) {
    super(config);
    this.config = { numClasses: config.numClasses, epsilon: config.epsilon ?? 1e-6 };
  }

  override build(inputShape: Shape | Shape[]): void {
    const dim = channelsOf(inputShape as Shape, 'ClassificationHead');
    const scope = this.params();
    const norm = scope.child('fc_norm');
    const head = scope.child('head');
    this.w = {
      gamma: norm.weight('weight', [dim], { kind: 'ones' }, 'same'),
      beta: norm.weight('bias', [dim], { kind: 'zeros' }, 'same'),
      kernel: head.weight(
        'weight',
        [dim, this.config.numClasses],
        { kind: 'truncatedNormal', stddev: 0.02 },
        'linear',
      ),
      bias: head.weight('bias', [this.config.numClasses], { kind: 'zeros' }, 'same'),
    };
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return [...(inputShape as Shape).slice(0, -1), this.config.numClasses];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: CallArgs): tf.Tensor {
    return tf.tidy(() => {
      const w = this.w as NonNullable<typeof this.w>;
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      return linear(
        layerNorm(x, w.gamma.read(), w.beta.read(), this.config.epsilon),
        w.kernel.read(),
        w.bias.read(),
      );
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...this.baseConfig(), ...this.config };
  }
}
tf.serialization.registerClass(ClassificationHead);

export interface LinearConfig extends SeedArgs {
  units: number;
  /** `bert`: N(0, 0.02) weights and zero bias (the transformer's); `torch` (default): PyTorch's default uniform. */
  init?: 'bert' | 'torch';
}

/** Linear with PyTorch names (`weight`, `bias`), e.g. the RR projector `clap_proj`. */
export class Linear extends ReferenceLayer {
  static readonly className = 'CatLinear';
  private readonly config: Required<Omit<LinearConfig, 'seed'>>;
  private w: { kernel: tfl.LayerVariable; bias: tfl.LayerVariable } | null = null;

  constructor(config: LinearConfig & LayerArgs) {
    super(config);
    this.config = { units: config.units, init: config.init ?? 'torch' };
  }

  override build(inputShape: Shape | Shape[]): void {
    const dim = channelsOf(inputShape as Shape, 'Linear');
    const scope = this.params();
    const bound = torchDefaultBound(dim);
    const weightInit: WeightInit =
      this.config.init === 'bert' ? { kind: 'normal', stddev: 0.02 } : { kind: 'uniform', bound };
    const biasInit: WeightInit = this.config.init === 'bert' ? { kind: 'zeros' } : { kind: 'uniform', bound };
    this.w = {
      kernel: scope.weight('weight', [dim, this.config.units], weightInit, 'linear'),
      bias: scope.weight('bias', [this.config.units], biasInit, 'same'),
    };
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return [...(inputShape as Shape).slice(0, -1), this.config.units];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: CallArgs): tf.Tensor {
    return tf.tidy(() => {
      const w = this.w as NonNullable<typeof this.w>;
      return linear(Array.isArray(inputs) ? inputs[0] : inputs, w.kernel.read(), w.bias.read());
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...this.baseConfig(), ...this.config };
  }
}
tf.serialization.registerClass(Linear);
