import * as tf from '@tensorflow/tfjs-core';

/**
 * Sums gradients over micro-batches. `add` copies what it needs (the caller disposes its gradients as usual);
 * `drain` hands the sum or mean to the caller and starts over. A variable without a gradient in some micro-batch
 * counts as zero there, as in PyTorch.
 */
export class GradientAccumulator {
  private sums = new Map<string, tf.Tensor>();
  private micro = 0;

  /** Micro-batches added since the last drain. */
  get count(): number {
    return this.micro;
  }

  add(grads: tf.NamedTensorMap): void {
    for (const [name, grad] of Object.entries(grads)) {
      const previous = this.sums.get(name);
      if (previous && !tf.util.arraysEqual(previous.shape, grad.shape)) {
        throw new Error(
          `gradient accumulation: ${name} changed shape from [${previous.shape}] to [${grad.shape}]`,
        );
      }
      this.sums.set(name, previous ? tf.tidy(() => tf.add(previous, grad)) : tf.clone(grad));
      previous?.dispose();
    }
    this.micro += 1;
  }

  /** The accumulated gradients (`mean`: divided by the number of micro-batches); the caller owns them. */
  drain(reduction: 'sum' | 'mean'): tf.NamedTensorMap {
    if (this.micro === 0) throw new Error('gradient accumulation: drain called before any add');
    const result: tf.NamedTensorMap = {};
    for (const [name, sum] of this.sums) {
      if (reduction === 'sum') {
        result[name] = sum;
      } else {
        result[name] = tf.div(sum, this.micro);
        sum.dispose();
      }
    }
    this.sums = new Map();
    this.micro = 0;
    return result;
  }

  /** Drops what was accumulated. */
  reset(): void {
    for (const sum of this.sums.values()) sum.dispose();
    this.sums = new Map();
    this.micro = 0;
  }
}
