import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { prepareBackend } from '../src/backend/index.js';

// Every wasm kernel we add or replace must agree with the cpu backend's kernel of the same name.

/** Deterministic values in [-1, 1) (mulberry32), so failures reproduce. */
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

function randomTensor(seed: number, shape: number[]): tf.Tensor {
  return tf.tensor(randomValues(seed, tf.util.sizeFromShape(shape)), shape);
}

/** Runs `build` on cpu then on wasm (inputs are made inside, on each backend) and returns both results. */
async function onCpuAndWasm(build: () => tf.Tensor): Promise<{ cpu: tf.Tensor; wasm: tf.Tensor }> {
  const results: tf.Tensor[] = [];
  for (const name of ['cpu', 'wasm']) {
    await tf.setBackend(name);
    const result = tf.tidy(build);
    // Keep the values on the cpu backend so the two results stay comparable after switching.
    results.push(tf.tensor(result.dataSync(), result.shape, result.dtype));
    result.dispose();
  }
  return { cpu: results[0], wasm: results[1] };
}

/** Same shape, and values equal to float32 accumulation error (relative to the result's scale). */
function expectSame({ cpu, wasm }: { cpu: tf.Tensor; wasm: tf.Tensor }, tolerance = 2e-5): void {
  expect(wasm.shape).toEqual(cpu.shape);
  const expected = cpu.dataSync();
  const actual = wasm.dataSync();
  let scale = 1;
  for (const value of expected) scale = Math.max(scale, Math.abs(value));
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  expect(worst).toBeLessThanOrEqual(tolerance * scale);
}

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];

interface ConvCase {
  name: string;
  x: [number, number, number, number];
  filter: [number, number, number, number];
  stride: number;
  pad: Pad;
}

// CAT's convolutions at a small scale, then strides, paddings and leftovers they do not use.
const convCases: ConvCase[] = [
  {
    name: 'stage-0 patch embed 4x4/4, 1 channel',
    x: [2, 16, 8, 1],
    filter: [4, 4, 1, 16],
    stride: 4,
    pad: 'valid',
  },
  { name: 'stage-1 patch embed 2x2/2', x: [2, 8, 4, 12], filter: [2, 2, 12, 20], stride: 2, pad: 'valid' },
  { name: 'stage-0 output conv 4x4/4', x: [1, 16, 8, 24], filter: [4, 4, 24, 40], stride: 4, pad: 'valid' },
  { name: '1x1 widening (CMlp fc1)', x: [2, 8, 4, 24], filter: [1, 1, 24, 48], stride: 1, pad: 'valid' },
  { name: '1x1 narrowing (CMlp fc2)', x: [2, 8, 4, 48], filter: [1, 1, 48, 24], stride: 1, pad: 'valid' },
  {
    name: '3x3 padding 1 (one decoder group)',
    x: [2, 8, 4, 12],
    filter: [3, 3, 12, 12],
    stride: 1,
    pad: 'same',
  },
  {
    name: '3x3 stride 2 same (uneven padding)',
    x: [1, 9, 7, 5],
    filter: [3, 3, 5, 6],
    stride: 2,
    pad: 'same',
  },
  {
    name: '5x5 explicit padding',
    x: [1, 7, 6, 3],
    filter: [5, 5, 3, 4],
    stride: 1,
    pad: [
      [0, 0],
      [1, 2],
      [2, 0],
      [0, 0],
    ],
  },
  {
    name: '2x2/2 valid with a leftover row and column',
    x: [1, 9, 9, 3],
    filter: [2, 2, 3, 5],
    stride: 2,
    pad: 'valid',
  },
];

function convOutputShape(c: ConvCase, depthwise: boolean): number[] {
  const info = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.stride, 1, c.pad, undefined, depthwise);
  return info.outShape;
}

interface DepthwiseCase extends ConvCase {}

const depthwiseCases: DepthwiseCase[] = [
  { name: 'CBlock 5x5 same', x: [2, 16, 8, 16], filter: [5, 5, 16, 1], stride: 1, pad: 'same' },
  { name: 'CBlock 5x5 same, batch 1', x: [1, 12, 6, 8], filter: [5, 5, 8, 1], stride: 1, pad: 'same' },
  { name: '3x3 stride 2 same', x: [2, 9, 7, 6], filter: [3, 3, 6, 1], stride: 2, pad: 'same' },
  { name: '3x3 valid, channel multiplier 2', x: [2, 6, 5, 4], filter: [3, 3, 4, 2], stride: 1, pad: 'valid' },
  {
    name: '5x5 explicit padding, multiplier 3',
    x: [1, 7, 8, 2],
    filter: [5, 5, 2, 3],
    stride: 1,
    pad: [
      [0, 0],
      [2, 1],
      [0, 2],
      [0, 0],
    ],
  },
];

beforeAll(async () => {
  await prepareBackend({ backend: 'wasm' });
});

describe('Conv2DBackpropFilter (added)', () => {
  it.each(convCases)('$name', async (c) => {
    const dyShape = convOutputShape(c, false);
    expectSame(
      await onCpuAndWasm(
        () =>
          tf
            .engine()
            .runKernel(
              'Conv2DBackpropFilter',
              { x: randomTensor(1, c.x), dy: randomTensor(2, dyShape) },
              { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', filterShape: c.filter },
            ) as tf.Tensor,
      ),
    );
  });
});

describe('Conv2DBackpropInput (replaced: matmul + col2im)', () => {
  it.each(convCases)('$name', async (c) => {
    const dyShape = convOutputShape(c, false);
    expectSame(
      await onCpuAndWasm(
        () =>
          tf
            .engine()
            .runKernel(
              'Conv2DBackpropInput',
              { dy: randomTensor(3, dyShape), filter: randomTensor(4, c.filter) },
              { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', inputShape: c.x },
            ) as tf.Tensor,
      ),
    );
  });
});

describe('DepthwiseConv2dNativeBackpropFilter (added)', () => {
  it.each(depthwiseCases)('$name', async (c) => {
    const dyShape = convOutputShape(c, true);
    expectSame(
      await onCpuAndWasm(
        () =>
          tf
            .engine()
            .runKernel(
              'DepthwiseConv2dNativeBackpropFilter',
              { x: randomTensor(5, c.x), dy: randomTensor(6, dyShape) },
              { strides: c.stride, pad: c.pad, dilations: 1, filterShape: c.filter },
            ) as tf.Tensor,
      ),
    );
  });
});

describe('DepthwiseConv2dNativeBackpropInput (added)', () => {
  it.each(depthwiseCases)('$name', async (c) => {
    const dyShape = convOutputShape(c, true);
    expectSame(
      await onCpuAndWasm(
        () =>
          tf
            .engine()
            .runKernel(
              'DepthwiseConv2dNativeBackpropInput',
              { dy: randomTensor(7, dyShape), filter: randomTensor(8, c.filter) },
              { strides: c.stride, pad: c.pad, dilations: 1, inputShape: c.x },
            ) as tf.Tensor,
      ),
    );
  });
});

describe('UnsortedSegmentSum (added)', () => {
  it('sums rows into segments, dropping ids out of range', async () => {
    const ids = [0, 2, -1, 2, 5, 1];
    expectSame(
      await onCpuAndWasm(() =>
        tf.unsortedSegmentSum(randomTensor(9, [6, 4, 3]), tf.tensor1d(ids, 'int32'), 4),
      ),
    );
    // Known result on a tiny case: rows 1 and 3 land in segment 2; ids -1 and 5 vanish.
    await tf.setBackend('wasm');
    const x = tf.tensor2d([1, 10, 100, 1000, 10000, 100000], [6, 1]);
    expect(Array.from(tf.unsortedSegmentSum(x, tf.tensor1d(ids, 'int32'), 4).dataSync())).toEqual([
      1, 100000, 1010, 0,
    ]);
  });

  it('works on int32 values', async () => {
    const result = await onCpuAndWasm(() =>
      tf.unsortedSegmentSum(
        tf.tensor3d(
          Array.from({ length: 24 }, (_, i) => i - 7),
          [6, 2, 2],
          'int32',
        ),
        tf.tensor1d([0, 1, 1, 2, 0, 3], 'int32'),
        4,
      ),
    );
    expect(result.wasm.dtype).toBe('int32');
    expectSame(result, 0);
  });
});

describe('BatchMatMul (replaced: transposes and batches reach XNNPACK)', () => {
  const cases: Array<{ name: string; a: number[]; b: number[]; transposeA: boolean; transposeB: boolean }> = [
    { name: 'plain 2-D', a: [64, 48], b: [48, 32], transposeA: false, transposeB: false },
    { name: 'aᵀ (weight gradient)', a: [48, 64], b: [48, 32], transposeA: true, transposeB: false },
    { name: 'bᵀ (input gradient)', a: [64, 48], b: [32, 48], transposeA: false, transposeB: true },
    { name: 'aᵀ bᵀ', a: [48, 64], b: [32, 48], transposeA: true, transposeB: true },
    {
      name: 'aᵀ, long shared axis (summed in chunks)',
      a: [2500, 24],
      b: [2500, 16],
      transposeA: true,
      transposeB: false,
    },
    {
      name: 'batched (attention scores)',
      a: [3, 20, 30],
      b: [3, 25, 30],
      transposeA: false,
      transposeB: true,
    },
    { name: 'batched aᵀ', a: [3, 30, 20], b: [3, 30, 25], transposeA: true, transposeB: false },
    { name: 'shared weights', a: [4, 20, 30], b: [30, 25], transposeA: false, transposeB: false },
    { name: 'shared weights, aᵀ', a: [4, 30, 20], b: [30, 25], transposeA: true, transposeB: false },
    { name: 'shared left operand', a: [20, 30], b: [3, 30, 25], transposeA: false, transposeB: false },
    {
      name: 'tiny (stays on the own kernel)',
      a: [2, 3, 4],
      b: [2, 5, 4],
      transposeA: false,
      transposeB: true,
    },
  ];
  it.each(cases)('$name', async (c) => {
    expectSame(
      await onCpuAndWasm(() =>
        tf.matMul(randomTensor(10, c.a), randomTensor(11, c.b), c.transposeA, c.transposeB),
      ),
    );
  });

  it('broadcasts batch axes (checked against explicitly tiled operands)', async () => {
    // The cpu backend's own kernel mis-sizes this broadcast, so its reference gets tiled operands.
    expectSame(
      await onCpuAndWasm(() => {
        let a = randomTensor(15, [2, 1, 20, 30]);
        let b = randomTensor(16, [1, 3, 30, 25]);
        if (tf.getBackend() === 'cpu') {
          a = tf.tile(a, [1, 3, 1, 1]);
          b = tf.tile(b, [2, 1, 1, 1]);
        }
        return tf.matMul(a, b);
      }),
    );
  });
});

describe('_FusedMatMul (replaced)', () => {
  it.each([
    { name: 'bias + relu, bᵀ', a: [3, 20, 30], b: [1, 25, 30], transposeA: false, transposeB: true },
    { name: 'bias + relu, batched aᵀ', a: [3, 30, 20], b: [3, 30, 25], transposeA: true, transposeB: false },
  ])('$name', async (c) => {
    expectSame(
      await onCpuAndWasm(() =>
        tf.fused.matMul({
          a: randomTensor(12, c.a) as tf.Tensor3D,
          b: randomTensor(13, c.b) as tf.Tensor3D,
          transposeA: c.transposeA,
          transposeB: c.transposeB,
          bias: randomTensor(14, [25]),
          activation: 'relu',
        }),
      ),
    );
  });
});

describe('memory', () => {
  it('every added or replaced kernel frees its intermediates', async () => {
    await tf.setBackend('wasm');
    const wasm = tf.backend();
    const x = randomTensor(20, [2, 9, 7, 6]);
    const calls: Array<() => tf.Tensor> = [
      () => tf.matMul(randomTensor(21, [2500, 24]), randomTensor(22, [2500, 16]), true, false),
      () => tf.matMul(randomTensor(23, [2, 1, 20, 30]), randomTensor(24, [3, 25, 30]), false, true),
      () => tf.matMul(randomTensor(25, [4, 30, 20]), randomTensor(26, [30, 25]), true, false),
      () =>
        tf.fused.matMul({
          a: randomTensor(27, [3, 30, 20]) as tf.Tensor3D,
          b: randomTensor(28, [3, 30, 25]) as tf.Tensor3D,
          transposeA: true,
          bias: randomTensor(29, [25]),
        }),
      () =>
        tf
          .engine()
          .runKernel(
            'Conv2DBackpropFilter',
            { x, dy: randomTensor(30, [2, 5, 4, 8]) },
            { strides: 2, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 6, 8] },
          ) as tf.Tensor,
      () =>
        tf
          .engine()
          .runKernel(
            'Conv2DBackpropInput',
            { dy: randomTensor(31, [2, 5, 4, 8]), filter: randomTensor(32, [3, 3, 6, 8]) },
            { strides: 2, pad: 'same', dataFormat: 'NHWC', inputShape: x.shape },
          ) as tf.Tensor,
      () =>
        tf
          .engine()
          .runKernel(
            'DepthwiseConv2dNativeBackpropFilter',
            { x, dy: randomTensor(33, [2, 5, 4, 12]) },
            { strides: 2, pad: 'same', dilations: 1, filterShape: [3, 3, 6, 2] },
          ) as tf.Tensor,
      () =>
        tf
          .engine()
          .runKernel(
            'DepthwiseConv2dNativeBackpropInput',
            { dy: randomTensor(34, [2, 5, 4, 12]), filter: randomTensor(35, [3, 3, 6, 2]) },
            { strides: 2, pad: 'same', dilations: 1, inputShape: x.shape },
          ) as tf.Tensor,
      () => tf.unsortedSegmentSum(x, tf.tensor1d([1, 0], 'int32'), 3),
    ];
    const before = wasm.numDataIds();
    for (const call of calls) tf.tidy(() => void call());
    expect(wasm.numDataIds()).toBe(before);
    x.dispose();
  });
});
