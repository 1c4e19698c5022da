import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { loadGradients, prepareBackend } from '../src/backend/index.js';
import { gelu, groupedConv, layerNorm } from '../src/blocks/ops.js';

// CAT's fused wasm kernels (GELU, LayerNorm, grouped-conv columns, depthwise filter gradient, aᵀb) and its
// replacements of Transpose, Sum, Tile and Slice: forward and gradients on wasm equal the tfjs ops on cpu.

const gradientsLoaded = await loadGradients();

function values(seed: number, size: number): Float32Array {
  const out = new Float32Array(size);
  let state = seed >>> 0;
  for (let i = 0; i < size; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = (state / 2 ** 32) * 6 - 3;
  }
  return out;
}

interface Case {
  name: string;
  shapes: number[][];
  op: (xs: tf.Tensor[]) => tf.Tensor;
}

/** The op's output and the gradients of sum(output · weights) with respect to every input. */
function run(c: Case): Float32Array[] {
  return tf.tidy(() => {
    const xs = c.shapes.map((shape, i) => tf.tensor(values(7 + i, tf.util.sizeFromShape(shape)), shape));
    const y = c.op(xs);
    const weights = tf.tensor(values(99, y.size), y.shape);
    const grads = tf.grads((...inputs: tf.Tensor[]) => tf.sum(tf.mul(c.op(inputs), weights)))(xs);
    return [y, ...grads].map((t) => t.dataSync() as Float32Array);
  });
}

async function on(backend: 'cpu' | 'wasm', c: Case): Promise<Float32Array[]> {
  await prepareBackend({ backend });
  return run(c);
}

function maxRelativeDiff(a: Float32Array, b: Float32Array): number {
  let scale = 1;
  for (const v of b) scale = Math.max(scale, Math.abs(v));
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst / scale;
}

const cases: Case[] = [
  { name: 'GELU', shapes: [[3, 5, 8]], op: ([x]) => gelu(tf.mul(x, 2)) },
  {
    name: 'LayerNorm, affine',
    shapes: [[2, 7, 12], [12], [12]],
    op: ([x, g, b]) => layerNorm(tf.add(tf.mul(x, 3), 1), g, b, 1e-5),
  },
  { name: 'LayerNorm, no affine', shapes: [[4, 16]], op: ([x]) => layerNorm(x, null, null, 1e-6) },
  {
    name: 'grouped 3x3 conv, 4 groups',
    shapes: [[2, 5, 4, 8], [3, 3, 2, 8], [8]],
    op: ([x, w, b]) => groupedConv(x as tf.Tensor4D, w, b, 4),
  },
  {
    name: 'depthwise 5x5 same (filter gradient kernel)',
    shapes: [
      [2, 9, 6, 8],
      [5, 5, 8, 1],
    ],
    op: ([x, w]) => tf.depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same'),
  },
  {
    name: 'aᵀb over many rows (weight gradient kernel)',
    shapes: [
      [300, 12],
      [300, 16],
    ],
    op: ([a, b]) => tf.matMul(a, b, true, false),
  },
  {
    name: 'batched aᵀb, 4-wide tail',
    shapes: [
      [3, 70, 8],
      [3, 70, 12],
    ],
    op: ([a, b]) => tf.matMul(a, b, true, false),
  },
  { name: 'transpose 2-D', shapes: [[13, 21]], op: ([x]) => tf.transpose(x) },
  { name: 'transpose last two, batched', shapes: [[3, 9, 17]], op: ([x]) => tf.transpose(x, [0, 2, 1]) },
  { name: 'transpose heads', shapes: [[2, 5, 6, 4]], op: ([x]) => tf.transpose(x, [0, 2, 1, 3]) },
  {
    name: 'transpose, 5-D (not a swap)',
    shapes: [[2, 3, 2, 3, 4]],
    op: ([x]) => tf.transpose(x, [2, 0, 3, 1, 4]),
  },
  { name: 'sum over leading axes', shapes: [[4, 3, 8]], op: ([x]) => tf.sum(x, [0, 1]) },
  { name: 'sum over a middle axis, keepDims', shapes: [[2, 5, 3]], op: ([x]) => tf.sum(x, 1, true) },
  { name: 'mean over tokens', shapes: [[2, 6, 8]], op: ([x]) => tf.mean(x, 1) },
  { name: 'tile', shapes: [[2, 1, 3]], op: ([x]) => tf.tile(x, [2, 4, 3]) },
  {
    name: 'slice, contiguous runs',
    shapes: [[3, 9, 5, 8]],
    op: ([x]) => tf.slice(x, [1, 3, 0, 0], [2, 3, 5, 8]),
  },
  { name: 'slice, inner axis', shapes: [[4, 6, 40]], op: ([x]) => tf.slice(x, [0, 1, 8], [3, 4, 20]) },
];

describe.runIf(gradientsLoaded)('fused and replaced wasm kernels equal the composite ops on cpu', () => {
  it.each(cases)('$name', async (c) => {
    const expected = await on('cpu', c);
    const actual = await on('wasm', c);
    expect(actual.length).toBe(expected.length);
    actual.forEach((a, i) => expect(maxRelativeDiff(a, expected[i]), `output ${i}`).toBeLessThan(2e-5));
  });

  it('runs the fused kernels on wasm', async () => {
    await prepareBackend({ backend: 'wasm' });
    const x = tf.ones([2, 4, 4, 8]);
    const w = tf.ones([3, 3, 2, 8]);
    const info = await tf.profile(() => {
      gelu(x);
      layerNorm(x, null, null, 1e-5);
      groupedConv(x as tf.Tensor4D, w, tf.zeros([8]), 4);
    });
    const names = info.kernels.map((k) => k.name);
    expect(names).toEqual(expect.arrayContaining(['CatGelu', 'CatPlainLayerNorm', 'CatGroupedColumns']));
  });
});
