import type * as tf from '@tensorflow/tfjs-core';

/** A trainable variable under its reference (PyTorch state_dict) name, which the optimizer rules key on. */
export interface NamedParameter {
  name: string;
  variable: tf.Variable;
  /** The reference tensor's shape when ours differs by unit axes; the decay rule counts the reference's axes. */
  referenceShape?: readonly number[];
}

/** Parameters that share a weight decay and a learning-rate scale (fairseq's optimizer overrides). */
export interface ParameterGroup {
  params: NamedParameter[];
  weightDecay: number;
  /** Multiplies the schedule's learning rate for this group (layer-wise decay); 1 when absent. */
  lrScale?: number;
}

/**
 * The reference's no-decay rule: biases and 1-D parameters (LayerNorm weights) are not decayed; everything else is,
 * including the CLS token of shape [1, 1, D].
 */
export function excludedFromWeightDecay(name: string, shape: readonly number[]): boolean {
  return shape.length === 1 || name.endsWith('.bias');
}

export interface GroupingOptions {
  weightDecay: number;
  /** Learning-rate scale by parameter name (e.g. `layerDecayScale`); 1 for every parameter when absent. */
  lrScale?: (name: string) => number;
}

/**
 * Splits trainable parameters into groups of equal (weight decay, LR scale), in order of first appearance.
 * Non-trainable variables (the fixed positional table) are left out.
 */
export function parameterGroups(
  params: readonly NamedParameter[],
  options: GroupingOptions,
): ParameterGroup[] {
  const groups = new Map<string, ParameterGroup>();
  for (const param of params) {
    if (!param.variable.trainable) continue;
    const weightDecay = excludedFromWeightDecay(param.name, param.referenceShape ?? param.variable.shape)
      ? 0
      : options.weightDecay;
    const lrScale = options.lrScale ? options.lrScale(param.name) : 1;
    const key = `${weightDecay}/${lrScale}`;
    let group = groups.get(key);
    if (!group) {
      group = { params: [], weightDecay, lrScale };
      groups.set(key, group);
    }
    group.params.push(param);
  }
  return [...groups.values()];
}
