import * as tf from '@tensorflow/tfjs-core';
import {
  type CallArgs,
  channelsOf,
  type LayerArgs,
  ReferenceLayer,
  type SeedArgs,
  type Shape,
} from './base.js';
import {
  applyLinear,
  applyNorm,
  createLinear,
  createNorm,
  type LinearInit,
  type LinearParams,
  type NormParams,
} from './modules.js';

const input = (inputs: tf.Tensor | tf.Tensor[]) => (Array.isArray(inputs) ? inputs[0] : inputs);

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
  private p: { norm: NormParams; head: LinearParams } | null = null;

  constructor(config: ClassificationHeadConfig & LayerArgs) {
    super(config);
    this.config = { numClasses: config.numClasses, epsilon: config.epsilon ?? 1e-6 };
  }

  override build(inputShape: Shape | Shape[]): void {
    const dim = channelsOf(inputShape as Shape, 'ClassificationHead');
    const scope = this.params();
    this.p = {
      norm: createNorm(scope.child('fc_norm'), dim),
      head: createLinear(scope.child('head'), dim, this.config.numClasses, 'head'),
    };
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return [...(inputShape as Shape).slice(0, -1), this.config.numClasses];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: CallArgs): tf.Tensor {
    return tf.tidy(() => {
      const p = this.p as NonNullable<typeof this.p>;
      return applyLinear(applyNorm(input(inputs), p.norm, this.config.epsilon), p.head);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...this.baseConfig(), ...this.config };
  }
}
tf.serialization.registerClass(ClassificationHead);

export interface LinearConfig extends SeedArgs {
  units: number;
  /** Default `torch` (PyTorch's default init, like the RR projector); see `LinearInit`. */
  init?: LinearInit;
}

/** Linear with PyTorch names (`weight`, `bias`), e.g. the RR projector `clap_proj`. */
export class Linear extends ReferenceLayer {
  static readonly className = 'CatLinear';
  private readonly config: Required<Omit<LinearConfig, 'seed'>>;
  private p: LinearParams | null = null;

  constructor(config: LinearConfig & LayerArgs) {
    super(config);
    this.config = { units: config.units, init: config.init ?? 'torch' };
  }

  override build(inputShape: Shape | Shape[]): void {
    const dim = channelsOf(inputShape as Shape, 'Linear');
    this.p = createLinear(this.params(), dim, this.config.units, this.config.init);
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return [...(inputShape as Shape).slice(0, -1), this.config.units];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: CallArgs): tf.Tensor {
    return tf.tidy(() => applyLinear(input(inputs), this.p as LinearParams));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...this.baseConfig(), ...this.config };
  }
}
tf.serialization.registerClass(Linear);
