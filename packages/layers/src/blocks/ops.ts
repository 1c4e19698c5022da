import * as tf from '@tensorflow/tfjs-core';
import {
  GELU,
  GROUPED_COLUMNS,
  hasFusedKernel,
  LAYER_NORM,
  PLAIN_LAYER_NORM,
} from '../backend/kernels/fused-ops.js';

/** Functional building blocks shared by the layers. Channels-last everywhere. */

/** `x @ kernel + bias` over the last axis, for any rank ≥ 2. */
export function linear(x: tf.Tensor, kernel: tf.Tensor, bias: tf.Tensor | null): tf.Tensor {
  const inDim = kernel.shape[0] as number;
  const outDim = kernel.shape[1] as number;
  const lead = x.shape.slice(0, -1);
  const flat = tf.reshape(x, [-1, inDim]) as tf.Tensor2D;
  const y = tf.fused.matMul({ a: flat, b: kernel as tf.Tensor2D, bias: bias ?? undefined });
  return tf.reshape(y, [...lead, outDim]);
}

/** LayerNorm over the last axis; `gamma`/`beta` null for the non-affine form. */
export function layerNorm(
  x: tf.Tensor,
  gamma: tf.Tensor | null,
  beta: tf.Tensor | null,
  epsilon: number,
): tf.Tensor {
  const cols = x.shape[x.rank - 1];
  // One fused kernel (forward and backward) where the backend has it: the composite below is 9 kernels
  // and as many saved tensors and gradients.
  if (gamma && beta && hasFusedKernel(LAYER_NORM, cols)) {
    return tf.engine().runKernel(LAYER_NORM, { x, gamma, beta }, { epsilon }) as tf.Tensor;
  }
  if (!gamma && !beta && hasFusedKernel(PLAIN_LAYER_NORM, cols)) {
    return tf.engine().runKernel(PLAIN_LAYER_NORM, { x }, { epsilon }) as tf.Tensor;
  }
  const axis = x.rank - 1;
  const mean = tf.mean(x, axis, true);
  const centred = tf.sub(x, mean);
  const variance = tf.mean(tf.square(centred), axis, true);
  let y = tf.mul(centred, tf.rsqrt(tf.add(variance, epsilon)));
  if (gamma) y = tf.mul(y, gamma);
  if (beta) y = tf.add(y, beta);
  return y;
}

/** GELU, exact erf form (PyTorch `nn.GELU()` default). */
export function gelu(x: tf.Tensor): tf.Tensor {
  if (hasFusedKernel(GELU, x.size)) return tf.engine().runKernel(GELU, { x }) as tf.Tensor;
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1));
}

/**
 * Convolution with stride = kernel and no padding, as one matmul over non-overlapping patches
 * (no Conv2D kernels needed, fast on wasm). `kernel` is [kh, kw, in, out]; x is [B, H, W, in] with
 * H, W multiples of kh, kw.
 */
export function patchConv(x: tf.Tensor4D, kernel: tf.Tensor, bias: tf.Tensor): tf.Tensor4D {
  const [batch, height, width, channels] = x.shape;
  const [kh, kw, inChannels, outChannels] = kernel.shape;
  if (channels !== inChannels) {
    throw new Error(`patch convolution expects ${inChannels} input channels, got ${channels}`);
  }
  if (height % kh !== 0 || width % kw !== 0) {
    throw new Error(
      `patch convolution ${kh}x${kw}: input ${height}x${width} is not a multiple of the kernel`,
    );
  }
  const outH = height / kh;
  const outW = width / kw;
  const rows = tf.reshape(x, [batch * outH, kh, outW, kw * channels]);
  const patches = tf.reshape(tf.transpose(rows, [0, 2, 1, 3]), [
    batch * outH * outW,
    kh * kw * channels,
  ]) as tf.Tensor2D;
  const y = tf.fused.matMul({
    a: patches,
    b: tf.reshape(kernel, [kh * kw * channels, outChannels]) as tf.Tensor2D,
    bias,
  });
  return tf.reshape(y, [batch, outH, outW, outChannels]);
}

/** 1×1 convolution = Linear over channels; `kernel` is [1, 1, in, out]. */
export function pointwiseConv(x: tf.Tensor, kernel: tf.Tensor, bias: tf.Tensor): tf.Tensor {
  return linear(x, tf.reshape(kernel, [-1, kernel.shape[3] as number]), bias);
}

/** Depthwise k×k convolution, stride 1, zero padding k/2; `kernel` is [k, k, C, 1]. */
export function depthwiseConv(x: tf.Tensor4D, kernel: tf.Tensor, bias: tf.Tensor): tf.Tensor4D {
  return tf.add(tf.depthwiseConv2d(x, kernel as tf.Tensor4D, 1, 'same'), bias) as tf.Tensor4D;
}

/**
 * Grouped k×k convolution (stride 1, zero padding k/2, odd k), which tfjs lacks: the column matrix of
 * each group (one wasm kernel, or k² shifted copies of the input), then one matmul per group. `kernel` is
 * [k, k, in/groups, out]; output channel o belongs to group floor(o / (out/groups)).
 */
export function groupedConv(x: tf.Tensor4D, kernel: tf.Tensor, bias: tf.Tensor, groups: number): tf.Tensor4D {
  const [batch, height, width, channels] = x.shape;
  const [k, , groupIn, outChannels] = kernel.shape;
  if (channels !== groupIn * groups) {
    throw new Error(`grouped convolution expects ${groupIn * groups} input channels, got ${channels}`);
  }
  const groupOut = outChannels / groups;
  const columns = (
    hasFusedKernel(GROUPED_COLUMNS)
      ? tf.engine().runKernel(GROUPED_COLUMNS, { x }, { kernelSize: k, groups })
      : shiftedColumns(x, k, groups)
  ) as tf.Tensor3D;
  const weights = tf.transpose(
    tf.reshape(kernel, [k * k * groupIn, groups, groupOut]),
    [1, 0, 2],
  ) as tf.Tensor3D;
  const y = tf.transpose(tf.matMul(columns, weights), [1, 0, 2]);
  return tf.add(tf.reshape(y, [batch, height, width, outChannels]), bias) as tf.Tensor4D;
}

/** [groups, pixels, k²·in/groups] columns of a same-padded k×k conv from k² shifted copies of x. */
function shiftedColumns(x: tf.Tensor4D, k: number, groups: number): tf.Tensor3D {
  const [batch, height, width, channels] = x.shape;
  const pad = Math.floor(k / 2);
  const padded = tf.pad(x, [
    [0, 0],
    [pad, pad],
    [pad, pad],
    [0, 0],
  ]);
  const shifts: tf.Tensor[] = [];
  for (let dy = 0; dy < k; dy++) {
    for (let dx = 0; dx < k; dx++) {
      shifts.push(tf.slice(padded, [0, dy, dx, 0], [batch, height, width, channels]));
    }
  }
  const pixels = batch * height * width;
  const groupIn = channels / groups;
  // Concatenated on the channel axis (its gradient is slices; tf.stack's is an Unpack, very slow on wasm).
  const stacked = tf.reshape(tf.concat(shifts, 3), [pixels, k * k, groups, groupIn]);
  return tf.reshape(tf.transpose(stacked, [2, 0, 1, 3]), [groups, pixels, k * k * groupIn]) as tf.Tensor3D;
}

/** Stochastic depth: zero whole samples of a residual branch with probability `rate` (training only). */
export function dropPath(x: tf.Tensor, rate: number, training: boolean): tf.Tensor {
  if (!training || rate <= 0) return x;
  const keep = 1 - rate;
  const maskShape = [x.shape[0], ...new Array(x.rank - 1).fill(1)];
  const mask = tf.floor(tf.add(tf.randomUniform(maskShape), keep));
  return tf.mul(x, tf.div(mask, keep));
}
