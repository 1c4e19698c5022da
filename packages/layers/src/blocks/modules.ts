import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { layerNorm, linear } from './ops.js';
import { type ParamScope, torchDefaultBound, type WeightInit, xavierFlattenedBound } from './params.js';

const BERT_NORMAL: WeightInit = { kind: 'normal', stddev: 0.02 };

/** Weights of a LayerNorm (`weight` = 1, `bias` = 0). */
export interface NormParams {
  gamma: tfl.LayerVariable;
  beta: tfl.LayerVariable;
}

export function createNorm(scope: ParamScope, dim: number): NormParams {
  return {
    gamma: scope.weight('weight', [dim], { kind: 'ones' }, 'same'),
    beta: scope.weight('bias', [dim], { kind: 'zeros' }, 'same'),
  };
}

export function applyNorm(x: tf.Tensor, p: NormParams, epsilon: number): tf.Tensor {
  return layerNorm(x, p.gamma.read(), p.beta.read(), epsilon);
}

/**
 * Linear init: `bert` N(0, 0.02) / 0 (the transformer's), `torch` PyTorch's default uniform ±1/√in for
 * both, `head` truncated normal 0.02 / 0 (the fine-tuning head).
 */
export type LinearInit = 'bert' | 'torch' | 'head';

/** Weights of a Linear: kernel [in, out] (`weight`), optional `bias`. */
export interface LinearParams {
  kernel: tfl.LayerVariable;
  bias: tfl.LayerVariable | null;
}

export function createLinear(
  scope: ParamScope,
  inDim: number,
  outDim: number,
  init: LinearInit,
  withBias = true,
): LinearParams {
  const bound = torchDefaultBound(inDim);
  const weightInit: WeightInit =
    init === 'bert'
      ? BERT_NORMAL
      : init === 'head'
        ? { kind: 'truncatedNormal', stddev: 0.02 }
        : { kind: 'uniform', bound };
  const biasInit: WeightInit = init === 'torch' ? { kind: 'uniform', bound } : { kind: 'zeros' };
  return {
    kernel: scope.weight('weight', [inDim, outDim], weightInit, 'linear'),
    bias: withBias ? scope.weight('bias', [outDim], biasInit, 'same') : null,
  };
}

export function applyLinear(x: tf.Tensor, p: LinearParams): tf.Tensor {
  return linear(x, p.kernel.read(), p.bias?.read() ?? null);
}

/** Weights of a convolution: kernel (`weight`) and `bias` [out]. */
export interface ConvParams {
  kernel: tfl.LayerVariable;
  bias: tfl.LayerVariable;
}

export interface ConvOptions {
  /**
   * `torch` (default): PyTorch's default ±1/√fanIn for kernel and bias; `xavier`: xavier-uniform on the
   * kernel flattened to [out, fanIn] (the patch embeddings, §4), bias as `torch`.
   */
  init?: 'torch' | 'xavier';
  /** Depthwise kernel [kh, kw, out, 1] (one filter per channel) instead of [kh, kw, inPerGroup, out]. */
  depthwise?: boolean;
}

/** A convolution's weights; `inPerGroup` is in/groups (1 for depthwise). */
export function createConv(
  scope: ParamScope,
  inPerGroup: number,
  outChannels: number,
  [kh, kw]: [number, number],
  { init = 'torch', depthwise = false }: ConvOptions = {},
): ConvParams {
  const fanIn = inPerGroup * kh * kw;
  const bound = torchDefaultBound(fanIn);
  const weightBound = init === 'xavier' ? xavierFlattenedBound(fanIn, outChannels) : bound;
  return {
    kernel: scope.weight(
      'weight',
      depthwise ? [kh, kw, outChannels, 1] : [kh, kw, inPerGroup, outChannels],
      { kind: 'uniform', bound: weightBound },
      depthwise ? 'depthwise' : 'conv',
    ),
    bias: scope.weight('bias', [outChannels], { kind: 'uniform', bound }, 'same'),
  };
}
