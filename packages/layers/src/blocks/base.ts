import type * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { type NamedWeight, ParamScope } from './params.js';

export type LayerArgs = NonNullable<ConstructorParameters<typeof tfl.layers.Layer>[0]>;
export type Shape = (number | null)[];
export interface CallArgs {
  training?: boolean;
}

/** Options every block takes besides tfjs' own layer arguments. */
export interface SeedArgs {
  /** Seed of the weight initialisers (each weight gets seed + its index); random when absent. */
  seed?: number;
}

/**
 * A tfjs layer whose weights carry their reference (PyTorch state_dict) names and layouts, so that
 * checkpoints of the reference can be mapped onto it.
 */
export abstract class ReferenceLayer extends tfl.layers.Layer {
  private readonly referenceWeights: NamedWeight[] = [];
  protected readonly seed: number | undefined;

  constructor(args: LayerArgs & SeedArgs) {
    super(args);
    this.seed = args.seed;
  }

  /** The layer's weights by reference name suffix (e.g. `attn.qkv.weight`), in creation order. */
  namedWeights(): NamedWeight[] {
    return [...this.referenceWeights];
  }

  /** A scope to create this layer's weights in; call from `build`. */
  protected params(): ParamScope {
    let index = 0;
    const seed = this.seed;
    return new ParamScope(
      (name, shape, init, trainable) => this.addWeight(name, shape, 'float32', init, undefined, trainable),
      this.referenceWeights,
      { next: () => (seed === undefined ? undefined : seed + index++) },
    );
  }

  protected baseConfig(): tf.serialization.ConfigDict {
    const config = super.getConfig();
    if (this.seed !== undefined) config.seed = this.seed;
    return config;
  }
}

/** The shapes of a layer's inputs as a list, whether it got one input or several. */
export function shapeList(inputShape: Shape | Shape[]): Shape[] {
  return Array.isArray(inputShape[0]) ? (inputShape as Shape[]) : [inputShape as Shape];
}

export function tensorList(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor[] {
  return Array.isArray(inputs) ? inputs : [inputs];
}

/** Last-axis size of a shape, which every block needs to know when it is built. */
export function channelsOf(shape: Shape, what: string): number {
  const channels = shape[shape.length - 1];
  if (channels === null || channels === undefined) {
    throw new Error(
      `${what}: the last (channel) axis of the input must be known, got shape [${shape.join(', ')}]`,
    );
  }
  return channels;
}
