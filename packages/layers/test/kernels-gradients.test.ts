import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadGradients, prepareBackend, wasmTrainingKernelNames } from '../src/backend/index.js';

// Forward AND backward of every op CAT's blocks use, on wasm vs cpu; plus the list of kernels those
// gradients need and which of them the wasm backend gets from us.

const gradientsLoaded = await loadGradients();

function randomValues(seed: number, size: number): Float32Array {
  const values = new Float32Array(size);
  let state = seed >>> 0;
  for (let i = 0; i < size; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    values[i] = ((t ^ (t >>> 14)) >>> 0) / 2 ** 31 - 1;
  }
  return values;
}

interface OpCase {
  name: string;
  /** Float inputs the gradient is taken with respect to. */
  shapes: number[][];
  /** Integer inputs (indices), fixed. */
  indices?: { values: number[]; shape: number[] };
  op: (xs: tf.Tensor[], indices: tf.Tensor | undefined) => tf.Tensor;
}

const layerNorm = (x: tf.Tensor) => {
  const centred = tf.sub(x, tf.mean(x, -1, true));
  return tf.mul(centred, tf.rsqrt(tf.add(tf.mean(tf.square(centred), -1, true), 1e-5)));
};

const opCases: OpCase[] = [
  {
    name: 'conv2d 4x4 stride 4',
    shapes: [
      [2, 16, 8, 1],
      [4, 4, 1, 8],
    ],
    op: ([x, w]) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 4, 'valid'),
  },
  {
    name: 'conv2d 1x1',
    shapes: [
      [2, 8, 4, 12],
      [1, 1, 12, 24],
    ],
    op: ([x, w]) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'valid'),
  },
  {
    name: 'conv2d 3x3 padding 1',
    shapes: [
      [2, 8, 4, 6],
      [3, 3, 6, 6],
    ],
    op: ([x, w]) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same'),
  },
  {
    name: 'depthwiseConv2d 5x5 same',
    shapes: [
      [2, 16, 8, 8],
      [5, 5, 8, 1],
    ],
    op: ([x, w]) => tf.depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same'),
  },
  {
    name: 'matMul',
    shapes: [
      [24, 16],
      [16, 12],
    ],
    op: ([a, b]) => tf.matMul(a, b),
  },
  {
    name: 'batched matMul, bᵀ (attention)',
    shapes: [
      [3, 20, 16],
      [3, 12, 16],
    ],
    op: ([a, b]) => tf.matMul(a, b, false, true),
  },
  {
    name: 'fused matMul + bias',
    shapes: [[24, 16], [16, 12], [12]],
    op: ([a, b, bias]) => tf.fused.matMul({ a: a as tf.Tensor2D, b: b as tf.Tensor2D, bias }),
  },
  { name: 'softmax', shapes: [[2, 3, 10]], op: ([x]) => tf.softmax(x) },
  { name: 'logSoftmax', shapes: [[4, 10]], op: ([x]) => tf.logSoftmax(x) },
  {
    name: 'exact GELU (erf)',
    shapes: [[4, 10]],
    op: ([x]) => tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1)),
  },
  { name: 'layer norm (mean, sub, square, rsqrt)', shapes: [[2, 5, 16]], op: ([x]) => layerNorm(x) },
  {
    name: 'gather rows',
    shapes: [[10, 6]],
    indices: { values: [3, 7, 3, 0], shape: [4] },
    op: ([x], i) => tf.gather(x, i!),
  },
  {
    name: 'gather tokens (axis 1)',
    shapes: [[2, 12, 6]],
    indices: { values: [4, 0, 11, 4], shape: [4] },
    op: ([x], i) => tf.gather(x, i!, 1),
  },
  {
    name: 'gather per-example tokens (batchDims 1)',
    shapes: [[2, 12, 6]],
    indices: { values: [3, 5, 0, 11], shape: [2, 2] },
    op: ([x], i) => tf.gather(x, i!, 1, 1),
  },
  { name: 'transpose', shapes: [[2, 3, 4, 5]], op: ([x]) => tf.transpose(x, [0, 2, 1, 3]) },
  {
    name: 'concat',
    shapes: [
      [2, 3, 4],
      [2, 5, 4],
    ],
    op: ([a, b]) => tf.concat([a, b], 1),
  },
  {
    name: 'stack + reshape',
    shapes: [
      [2, 3],
      [2, 3],
    ],
    op: ([a, b]) => tf.reshape(tf.stack([a, b], 1), [4, 3]),
  },
  { name: 'slice', shapes: [[4, 6, 5]], op: ([x]) => tf.slice(x, [1, 2, 0], [2, 3, 5]) },
  {
    name: 'pad',
    shapes: [[2, 4, 3, 2]],
    op: ([x]) =>
      tf.pad(x, [
        [0, 0],
        [2, 2],
        [1, 1],
        [0, 0],
      ]),
  },
  { name: 'tile', shapes: [[2, 3, 1]], op: ([x]) => tf.tile(x, [2, 1, 4]) },
  { name: 'sum + mean', shapes: [[3, 4, 5]], op: ([x]) => tf.add(tf.sum(x, 1), tf.mean(x, 1)) },
  {
    name: 'broadcast add, mul, div',
    shapes: [[3, 4, 5], [5], [4, 1]],
    op: ([x, y, z]) => tf.div(tf.mul(tf.add(x, y), z), 3),
  },
  {
    name: 'exp, log, sqrt',
    shapes: [[3, 4]],
    op: ([x]) => tf.add(tf.exp(x), tf.log(tf.add(tf.sqrt(tf.square(x)), 1))),
  },
];

/** Gradients of sum(op(xs) * dy) with respect to xs, computed on the active backend. */
function gradients(c: OpCase): tf.Tensor[] {
  const xs = c.shapes.map((shape, k) => tf.tensor(randomValues(10 + k, tf.util.sizeFromShape(shape)), shape));
  const indices = c.indices && tf.tensor(c.indices.values, c.indices.shape, 'int32');
  const f = (...inputs: tf.Tensor[]) => c.op(inputs, indices);
  const out = f(...xs);
  const dy = tf.tensor(randomValues(99, out.size), out.shape);
  return [out, ...tf.grads(f)(xs, dy)];
}

async function onBackend(
  name: string,
  run: () => tf.Tensor[],
): Promise<Array<{ shape: number[]; values: Float32Array }>> {
  await tf.setBackend(name);
  const results = tf.tidy(run);
  const copies = results.map((t) => ({ shape: t.shape, values: t.dataSync() as Float32Array }));
  tf.dispose(results);
  return copies;
}

function expectClose(
  actual: Array<{ shape: number[]; values: Float32Array }>,
  expected: Array<{ shape: number[]; values: Float32Array }>,
  tolerance = 5e-5,
): void {
  expect(actual.length).toBe(expected.length);
  for (let k = 0; k < expected.length; k++) {
    expect(actual[k].shape).toEqual(expected[k].shape);
    let scale = 1;
    for (const value of expected[k].values) scale = Math.max(scale, Math.abs(value));
    let worst = 0;
    for (let i = 0; i < expected[k].values.length; i++) {
      worst = Math.max(worst, Math.abs(actual[k].values[i] - expected[k].values[i]));
    }
    expect(worst).toBeLessThanOrEqual(tolerance * scale);
  }
}

beforeAll(async () => {
  await prepareBackend({ backend: 'wasm' });
});

it('tfjs gradients are registered (training needs @tensorflow/tfjs in Node)', () => {
  expect(gradientsLoaded).toBe(true);
});

describe.runIf(gradientsLoaded)('gradients on wasm equal cpu', () => {
  it.each(opCases)('$name', async (c) => {
    expectClose(await onBackend('wasm', () => gradients(c)), await onBackend('cpu', () => gradients(c)));
  });

  it('a composite: gather -> depthwise 5x5 -> masked 1x1 conv -> 3x3 conv -> matmul', async () => {
    const composite = () => {
      const inputs = [
        tf.tensor(randomValues(1, 16 * 64), [16, 64]),
        tf.tensor(randomValues(2, 25 * 8), [5, 5, 8, 1]),
        tf.tensor(randomValues(3, 8 * 8), [1, 1, 8, 8]),
        tf.tensor(randomValues(4, 9 * 8 * 4), [3, 3, 8, 4]),
        tf.tensor(randomValues(5, 4 * 3), [4, 3]),
      ];
      const rows = tf.tensor1d([5, 0, 15, 5, 9, 2, 2, 11], 'int32');
      const mask = tf.tensor(
        randomValues(6, 8 * 4).map((v) => (v > 0 ? 1 : 0)),
        [1, 8, 4, 1],
      );
      const loss = (
        table: tf.Tensor,
        depthwise: tf.Tensor,
        pointwise: tf.Tensor,
        conv: tf.Tensor,
        head: tf.Tensor,
      ) => {
        const image = tf.reshape(tf.gather(table, rows), [2, 8, 4, 8]) as tf.Tensor4D;
        const mixed = tf.depthwiseConv2d(
          tf.mul(image, mask) as tf.Tensor4D,
          depthwise as tf.Tensor4D,
          1,
          'same',
        );
        const projected = tf.conv2d(mixed, pointwise as tf.Tensor4D, 1, 'valid');
        const features = tf.conv2d(tf.add(image, projected) as tf.Tensor4D, conv as tf.Tensor4D, 1, 'same');
        return tf.sum(tf.square(tf.matMul(tf.reshape(features, [-1, 4]), head)));
      };
      return [
        loss(...(inputs as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor])),
        ...tf.grads(loss)(inputs),
      ];
    };
    expectClose(await onBackend('wasm', composite), await onBackend('cpu', composite), 1e-4);
  });

  it('every kernel these forward and backward passes run is registered on wasm', async () => {
    await tf.setBackend('cpu');
    const added = new Set(wasmTrainingKernelNames);
    const table: string[] = [];
    for (const c of opCases) {
      const profile = await tf.profile(() => tf.dispose(gradients(c)) as never);
      // Profiles also name custom-gradient scopes ('fusedMatMul__op'); kernels are what cpu registers.
      const needed = [...new Set(profile.kernelNames)]
        .filter((name) => tf.getKernel(name, 'cpu') != null)
        .sort();
      const missing = needed.filter((name) => tf.getKernel(name, 'wasm') == null);
      expect(missing, c.name).toEqual([]);
      const ours = needed.filter((name) => added.has(name));
      table.push(
        `${c.name.padEnd(40)} ${needed.length} kernels; from @cat/layers: ${ours.join(', ') || '-'}`,
      );
    }
    console.info(table.join('\n'));
  });
});
