import * as tf from '@tensorflow/tfjs-core';

/**
 * How spread out a batch of embeddings `[V, D]` is: the mean over channels of the standard deviation across the
 * batch, divided by the root mean square of all entries. Scale-free; 0 means every view maps to the same vector.
 */
export function embeddingSpread(embeddings: tf.Tensor2D): number {
  return tf.tidy(() => {
    const { variance } = tf.moments(embeddings, 0);
    const spread = tf.mean(tf.sqrt(variance));
    const scale = tf.sqrt(tf.add(tf.mean(tf.square(embeddings)), 1e-12));
    return tf.div(spread, scale).dataSync()[0];
  });
}

export interface CollapseMonitorOptions {
  /** Steps whose median spread is the baseline. Default 5. */
  baselineSteps?: number;
  /** Collapse = spread below this fraction of the baseline. Default 0.2. */
  ratio?: number;
  /** Consecutive low steps before warning. Default 3. */
  patience?: number;
  warn?: (message: string) => void;
}

/**
 * Watches the spread of the CLS embeddings during training and warns once when collapse begins. The spread is
 * judged against its own value at the start of the run, because a freshly initialised post-LN encoder already
 * gives nearly the same CLS for every clip (spread ~1e-3): only a further fall means the objective is collapsing.
 */
export class CollapseMonitor {
  private readonly start: number[] = [];
  private low = 0;
  private warned = false;
  private readonly options: Required<Omit<CollapseMonitorOptions, 'warn'>>;
  private readonly warn: (message: string) => void;

  constructor(options: CollapseMonitorOptions = {}) {
    this.options = {
      baselineSteps: options.baselineSteps ?? 5,
      ratio: options.ratio ?? 0.2,
      patience: options.patience ?? 3,
    };
    this.warn = options.warn ?? ((message) => console.warn(message));
  }

  /** The median spread of the first steps, once there are enough of them. */
  get baseline(): number | undefined {
    if (this.start.length < this.options.baselineSteps) return undefined;
    const sorted = [...this.start].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
  }

  /** Record a step's spread; returns whether the run currently looks collapsed. */
  observe(step: number, spread: number): boolean {
    const baseline = this.baseline;
    if (baseline === undefined) {
      this.start.push(spread);
      return false;
    }
    this.low = spread < this.options.ratio * baseline ? this.low + 1 : 0;
    const collapsing = this.low >= this.options.patience;
    if (collapsing && !this.warned) {
      this.warned = true;
      this.warn(
        `step ${step}: the CLS embeddings are collapsing (spread ${spread.toExponential(2)}, ` +
          `${((100 * spread) / baseline).toFixed(1)}% of ${baseline.toExponential(2)} at the start); ` +
          `lower the learning rate, use the 'mean' loss weighting or add representation regularization`,
      );
    }
    return collapsing;
  }
}
