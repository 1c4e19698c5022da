import type { NamedWeight } from '@cat/layers';
import type * as tf from '@tensorflow/tfjs-core';
import type { NamedParameter } from '../parameters.js';

/** A model part's weights under a checkpoint prefix (e.g. the decoder's `modality_encoders.IMAGE.decoder.`). */
export interface PrefixedWeights {
  weights: NamedWeight[];
  prefix?: string;
}

/** The trainable variables of model parts under their reference names, for `parameterGroups` and `AdamW`. */
export function trainableParameters(parts: PrefixedWeights[]): NamedParameter[] {
  return parts.flatMap(({ weights, prefix = '' }) =>
    weights
      .filter((w) => w.variable.trainable)
      .map((w) => ({ name: `${prefix}${w.name}`, variable: w.variable.read() as tf.Variable })),
  );
}
