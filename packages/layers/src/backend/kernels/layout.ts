import {
  type KernelConfig,
  type KernelFunc,
  Slice,
  type SliceAttrs,
  Sum,
  type SumAttrs,
  slice_util,
  type TensorInfo,
  Tile,
  type TileAttrs,
  Transpose,
  type TransposeAttrs,
  util,
} from '@tensorflow/tfjs-core';
import { pointer, simd } from './simd-module.js';
import { heapF32, type WasmBackend } from './wasm-heap.js';

/**
 * A transpose as `[outer, rows, cols, inner] -> [outer, cols, rows, inner]` when the permutation swaps
 * two adjacent groups of axes (after merging axes that stay neighbours), else null.
 */
function asSwap(shape: number[], perm: number[]): [number, number, number, number] | null {
  // Merge runs of input axes that stay consecutive in the output.
  const groups: number[][] = [];
  for (const axis of perm) {
    const last = groups[groups.length - 1];
    if (last && last[last.length - 1] + 1 === axis) last.push(axis);
    else groups.push([axis]);
  }
  const size = (axes: number[]) => axes.reduce((n, a) => n * shape[a], 1);
  const order = groups.map((g) => g[0]);
  const sorted = [...order].sort((a, b) => a - b);
  // Output group i is input group rank[i]; only one adjacent pair may be out of order.
  const rank = order.map((first) => sorted.indexOf(first));
  const moved = rank.flatMap((r, i) => (r === i ? [] : [i]));
  if (moved.length === 0) return [1, 1, 1, size(perm)];
  if (moved.length !== 2 || moved[1] !== moved[0] + 1) return null;
  const [i] = moved;
  const outer = size(groups.slice(0, i).flat());
  const inner = size(groups.slice(i + 2).flat());
  // In the input, output group i + 1 comes first (the rows) and output group i second (the columns).
  return [outer, size(groups[i + 1]), size(groups[i]), inner];
}

/** Transpose for wasm through `transpose_swap` (tfjs-backend-wasm's 2-D and 5-D transposes are very slow). */
export function fastTransposeConfig(own: KernelConfig): KernelConfig {
  const kernelFunc = ({ inputs, backend, attrs }: Parameters<KernelFunc>[0]) => {
    const { x } = inputs as { x: TensorInfo };
    const { perm } = attrs as unknown as TransposeAttrs;
    const wasm = backend as WasmBackend;
    const kernels = simd(wasm);
    const swap = x.dtype === 'float32' ? asSwap(x.shape, perm) : null;
    if (swap == null || kernels == null) return own.kernelFunc({ inputs, backend, attrs });
    const out = wasm.makeOutput(
      perm.map((axis) => x.shape[axis]),
      'float32',
    );
    const [outer, rows, cols, inner] = swap;
    kernels.transpose_swap(pointer(wasm, x), pointer(wasm, out), outer, rows, cols, inner);
    return out;
  };
  return { ...own, kernelName: Transpose, backendName: 'wasm', kernelFunc };
}

/**
 * Sum for wasm that reduces a block of leading or middle axes in place (`sum_rows`); tfjs-backend-wasm
 * transposes them to the end first. Sums over the innermost axes keep the backend's own kernel.
 */
export function fastSumConfig(own: KernelConfig): KernelConfig {
  const kernelFunc = ({ inputs, backend, attrs }: Parameters<KernelFunc>[0]) => {
    const { x } = inputs as { x: TensorInfo };
    const { axis, keepDims } = attrs as unknown as SumAttrs;
    const rank = x.shape.length;
    const axes = util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
    const contiguous = axes.every((a, i) => i === 0 || a === axes[i - 1] + 1);
    const first = axes[0];
    const last = axes[axes.length - 1];
    const wasm = backend as WasmBackend;
    const kernels = simd(wasm);
    if (x.dtype !== 'float32' || axes.length === 0 || !contiguous || last === rank - 1 || kernels == null) {
      return own.kernelFunc({ inputs, backend, attrs });
    }
    const outer = util.sizeFromShape(x.shape.slice(0, first));
    const rows = util.sizeFromShape(x.shape.slice(first, last + 1));
    const cols = util.sizeFromShape(x.shape.slice(last + 1));
    const outShape = x.shape.map((n, a) => (a >= first && a <= last ? 1 : n));
    const out = wasm.makeOutput(
      keepDims ? outShape : x.shape.filter((_, a) => a < first || a > last),
      'float32',
    );
    kernels.sum_rows(pointer(wasm, x), pointer(wasm, out), outer, rows, cols);
    return out;
  };
  return { ...own, kernelName: Sum, backendName: 'wasm', kernelFunc };
}

/**
 * Tile for wasm by block copies: each axis' block is built once and then repeated with `copyWithin`
 * (tfjs-backend-wasm's Tile walks every output value, ~45 ns each).
 */
export function fastTileConfig(own: KernelConfig): KernelConfig {
  const kernelFunc = ({ inputs, backend, attrs }: Parameters<KernelFunc>[0]) => {
    const { x } = inputs as { x: TensorInfo };
    const { reps } = attrs as unknown as TileAttrs;
    if (x.dtype !== 'float32' || x.shape.length === 0) return own.kernelFunc({ inputs, backend, attrs });
    const wasm = backend as WasmBackend;
    const shape = x.shape;
    const rank = shape.length;
    const out = wasm.makeOutput(
      shape.map((n, a) => n * reps[a]),
      'float32',
    );
    const source = heapF32(wasm, x);
    const target = heapF32(wasm, out);
    // Sizes of one input block and one output block below each axis.
    const inBlock = new Array<number>(rank + 1).fill(1);
    const outBlock = new Array<number>(rank + 1).fill(1);
    for (let a = rank - 1; a >= 0; a--) {
      inBlock[a] = inBlock[a + 1] * shape[a];
      outBlock[a] = outBlock[a + 1] * shape[a] * reps[a];
    }
    const fill = (axis: number, from: number, to: number): void => {
      if (axis === rank - 1) {
        target.set(source.subarray(from, from + shape[axis]), to);
      } else {
        for (let i = 0; i < shape[axis]; i++)
          fill(axis + 1, from + i * inBlock[axis + 1], to + i * outBlock[axis + 1]);
      }
      const block = outBlock[axis] / reps[axis];
      for (let r = 1; r < reps[axis]; r++) target.copyWithin(to + r * block, to, to + block);
    };
    fill(0, 0, 0);
    return out;
  };
  return { ...own, kernelName: Tile, backendName: 'wasm', kernelFunc };
}

/** Runs of fewer values than this go to the backend's own Slice (a JS copy per run costs ~50 ns). */
const MIN_SLICE_RUN = 16;

/**
 * Slice for wasm as contiguous-run copies: everything below the last partly-taken axis is one run
 * (tfjs-backend-wasm copies value by value, ~20 ns each for 4-D slices).
 */
export function fastSliceConfig(own: KernelConfig): KernelConfig {
  const kernelFunc = ({ inputs, backend, attrs }: Parameters<KernelFunc>[0]) => {
    const { x } = inputs as { x: TensorInfo };
    const { begin, size } = attrs as unknown as SliceAttrs;
    const [start, extent] = slice_util.parseSliceParams(x as never, begin, size);
    const shape = x.shape;
    const rank = shape.length;
    // The last axis not taken whole: it and every axis after it form one contiguous run.
    let split = rank - 1;
    while (split > 0 && extent[split] === shape[split]) split--;
    const inner = util.sizeFromShape(shape.slice(split + 1));
    const run = extent[split] * inner;
    if (x.dtype !== 'float32' || rank === 0 || run < MIN_SLICE_RUN)
      return own.kernelFunc({ inputs, backend, attrs });
    const wasm = backend as WasmBackend;
    const out = wasm.makeOutput(extent, 'float32');
    const source = heapF32(wasm, x);
    const target = heapF32(wasm, out);
    const strides = util.computeStrides(shape);
    let to = 0;
    const copy = (axis: number, from: number): void => {
      if (axis === split) {
        const at = from + start[axis] * inner;
        target.set(source.subarray(at, at + run), to);
        to += run;
        return;
      }
      for (let i = 0; i < extent[axis]; i++) copy(axis + 1, from + (start[axis] + i) * strides[axis]);
    };
    copy(0, 0);
    return out;
  };
  return { ...own, kernelName: Slice, backendName: 'wasm', kernelFunc };
}
