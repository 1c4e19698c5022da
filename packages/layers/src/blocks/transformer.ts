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
  type LinearParams,
  type NormParams,
} from './modules.js';
import { dropPath, gelu } from './ops.js';

export interface TransformerBlockConfig extends SeedArgs {
  numHeads: number;
  /** MLP hidden width as a multiple of D. Default 4. */
  mlpRatio?: number;
  /** LayerNorm epsilon. Default 1e-6. */
  epsilon?: number;
  /** Stochastic-depth rate of the residual branches (training only). Default 0. */
  dropPath?: number;
  /** Bias of the fused qkv projection. Default true. */
  qkvBias?: boolean;
  /**
   * `post` (default): the reference's block, `x += Attn(x); r = LN1(x); t = MLP(r); x = LN2(r + t)`.
   * `pre`: the usual pre-LN block, `x += Attn(LN1 x); t = MLP(LN2 x); x += t`.
   */
  normPlacement?: 'post' | 'pre';
  /** Also return the FFN output t (two outputs). Default true; false gives one output (e.g. for `tf.sequential`). */
  returnFfnOutput?: boolean;
}

/**
 * Transformer block on tokens [B, N, D]. Returns [x, t]: the block output and the FFN output t
 * (before the residual), which the teacher's targets are built from; or x alone with `returnFfnOutput: false`.
 * Weights: `attn.qkv.*` (fused [q ‖ k ‖ v]), `attn.proj.*`, `norm1.*`, `mlp.fc1.*`, `mlp.fc2.*`, `norm2.*`.
 */
export class TransformerBlock extends ReferenceLayer {
  static readonly className = 'CatTransformerBlock';
  private readonly config: Required<Omit<TransformerBlockConfig, 'seed'>>;
  private p: {
    qkv: LinearParams;
    proj: LinearParams;
    norm1: NormParams;
    fc1: LinearParams;
    fc2: LinearParams;
    norm2: NormParams;
  } | null = null;

  constructor(config: TransformerBlockConfig & LayerArgs) {
    super(config);
    this.config = {
      numHeads: config.numHeads,
      mlpRatio: config.mlpRatio ?? 4,
      epsilon: config.epsilon ?? 1e-6,
      dropPath: config.dropPath ?? 0,
      qkvBias: config.qkvBias ?? true,
      normPlacement: config.normPlacement ?? 'post',
      returnFfnOutput: config.returnFfnOutput ?? true,
    };
  }

  override build(inputShape: Shape | Shape[]): void {
    const dim = channelsOf(inputShape as Shape, 'TransformerBlock');
    if (dim % this.config.numHeads !== 0) {
      throw new Error(`TransformerBlock: width ${dim} is not divisible by ${this.config.numHeads} heads`);
    }
    const hidden = Math.round(dim * this.config.mlpRatio);
    const scope = this.params();
    const attn = scope.child('attn');
    const mlp = scope.child('mlp');
    this.p = {
      qkv: createLinear(attn.child('qkv'), dim, 3 * dim, 'bert', this.config.qkvBias),
      proj: createLinear(attn.child('proj'), dim, dim, 'bert'),
      norm1: createNorm(scope.child('norm1'), dim),
      fc1: createLinear(mlp.child('fc1'), dim, hidden, 'bert'),
      fc2: createLinear(mlp.child('fc2'), hidden, dim, 'bert'),
      norm2: createNorm(scope.child('norm2'), dim),
    };
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    const shape = inputShape as Shape;
    return this.config.returnFfnOutput ? [shape, shape] : shape;
  }

  private attention(x: tf.Tensor): tf.Tensor {
    const p = this.p as NonNullable<typeof this.p>;
    const [batch, tokens, dim] = x.shape;
    const heads = this.config.numHeads;
    const headDim = dim / heads;
    // [B, N, 3·H, hd] -> [B, 3·H, N, hd] in one transpose; q, k, v are then contiguous blocks per sample.
    const heads4 = tf.transpose(
      tf.reshape(applyLinear(x, p.qkv), [batch, tokens, 3 * heads, headDim]),
      [0, 2, 1, 3],
    );
    const part = (i: number) =>
      tf.slice(heads4, [0, i * heads, 0, 0], [batch, heads, tokens, headDim]) as tf.Tensor4D;
    const q = tf.mul(part(0), headDim ** -0.5) as tf.Tensor4D;
    const weights = tf.softmax(tf.matMul(q, part(1), false, true));
    const mixed = tf.reshape(tf.transpose(tf.matMul(weights as tf.Tensor4D, part(2)), [0, 2, 1, 3]), [
      batch,
      tokens,
      dim,
    ]);
    return applyLinear(mixed, p.proj);
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: CallArgs): tf.Tensor | tf.Tensor[] {
    return tf.tidy(() => {
      const [x, t] = this.forward(inputs, kwargs?.training ?? false);
      return this.config.returnFfnOutput ? [x, t] : x;
    });
  }

  private forward(inputs: tf.Tensor | tf.Tensor[], training: boolean): [tf.Tensor, tf.Tensor] {
    const p = this.p as NonNullable<typeof this.p>;
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const { epsilon, dropPath: rate } = this.config;
    const mlp = (h: tf.Tensor) => applyLinear(gelu(applyLinear(h, p.fc1)), p.fc2);
    if (this.config.normPlacement === 'pre') {
      const h = tf.add(x, dropPath(this.attention(applyNorm(x, p.norm1, epsilon)), rate, training));
      const t = mlp(applyNorm(h, p.norm2, epsilon));
      return [tf.add(h, dropPath(t, rate, training)), t];
    }
    const r = applyNorm(tf.add(x, dropPath(this.attention(x), rate, training)), p.norm1, epsilon);
    const t = mlp(r);
    return [applyNorm(tf.add(r, dropPath(t, rate, training)), p.norm2, epsilon), t];
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...this.baseConfig(), ...this.config };
  }
}
tf.serialization.registerClass(TransformerBlock);
