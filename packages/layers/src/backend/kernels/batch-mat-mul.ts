import {
  BatchMatMul,
  type BatchMatMulAttrs,
  broadcast_util,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
  util,
} from '@tensorflow/tfjs-core';
import { pointer, simd } from './simd-module.js';
import {
  disposeAll,
  heapF32,
  heapView,
  releaseHeapView,
  runWasmKernel,
  type WasmBackend,
  withShape,
  zerosOnHeap,
} from './wasm-heap.js';

/**
 * Products this small (multiply-adds per matrix) stay on the backend's own loop: there, our
 * per-matrix dispatch and copies would cost more than the arithmetic.
 */
const SMALL_MATMUL = 4096;

/**
 * XNNPACK's matmul does not block the shared axis: past ~2k its rate halves (measured 29 -> 9-17
 * GFLOP/s at k = 4096 on [256|768, k] x [k, 768|1024]). Weight gradients contract over every token
 * of the batch, so a long shared axis is cut into chunks of about this size and the products summed.
 */
const INNER_CHUNK = 1024;

/** Swaps the last two axes (a materialised transpose, so XNNPACK sees a plain row-major operand). */
export function transposeLastTwo(backend: WasmBackend, x: TensorInfo): TensorInfo {
  const perm = x.shape.map((_, i) => i);
  const r = perm.length;
  [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
  return runWasmKernel(backend, 'Transpose', { x }, { perm });
}

/** Index into a broadcast operand's flattened batch for output batch `index`. */
function broadcastBatchIndex(index: number, outBatch: number[], operandBatch: number[]): number {
  let result = 0;
  let stride = 1;
  let rest = index;
  const shift = outBatch.length - operandBatch.length;
  for (let axis = outBatch.length - 1; axis >= 0; axis--) {
    const coordinate = rest % outBatch[axis];
    rest = Math.floor(rest / outBatch[axis]);
    const operandAxis = axis - shift;
    if (operandAxis < 0) continue;
    const size = operandBatch[operandAxis];
    if (size !== 1) result += coordinate * stride;
    stride *= size;
  }
  return result;
}

/**
 * `a @ b` for row-major, untransposed `a` [..., M, K] and `b` [..., K, N] with broadcast batch axes,
 * expressed as calls of `single(a3, b3)` on [1, rows, K] x [1, K, N] operands: the only shape
 * tfjs-backend-wasm sends to XNNPACK (every other shape takes a naive loop, 13-70x slower here).
 * A `b` without batch becomes one tall matmul; otherwise each matrix pair is multiplied through
 * heap views and copied into the output.
 */
export function matMulInBatches(
  backend: WasmBackend,
  a: TensorInfo,
  b: TensorInfo,
  single: (a3: TensorInfo, b3: TensorInfo) => TensorInfo,
): TensorInfo {
  const [m, k] = a.shape.slice(-2);
  const n = b.shape[b.shape.length - 1];
  const aBatch = a.shape.slice(0, -2);
  const bBatch = b.shape.slice(0, -2);
  const outBatch = broadcast_util.assertAndGetBroadcastShape(aBatch, bBatch);
  const outShape = [...outBatch, m, n];
  const aCount = util.sizeFromShape(aBatch);
  const bCount = util.sizeFromShape(bBatch);
  const outCount = util.sizeFromShape(outBatch);

  if (bCount === 1) {
    const out = single(withShape(a, [1, aCount * m, k]), withShape(b, [1, k, n]));
    return withShape(out, outShape);
  }
  const out = backend.makeOutput(outShape, 'float32');
  for (let index = 0; index < outCount; index++) {
    const aView = heapView(backend, a, broadcastBatchIndex(index, outBatch, aBatch) * m * k, [1, m, k]);
    const bView = heapView(backend, b, broadcastBatchIndex(index, outBatch, bBatch) * k * n, [1, k, n]);
    const product = single(aView, bView);
    heapF32(backend, out).set(heapF32(backend, product), index * m * n);
    disposeAll(backend, product);
    releaseHeapView(backend, aView);
    releaseHeapView(backend, bView);
  }
  return out;
}

/** Whether the wasm backend's own kernel is the right choice for this product. */
export function keepsOwnKernel(
  a: TensorInfo,
  b: TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
): boolean {
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return true;
  const ra = a.shape.length;
  const rb = b.shape.length;
  const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  return m * k * n <= SMALL_MATMUL;
}

/**
 * `aᵀ @ b` with `a` stored [k, m] and a long shared axis k (one matrix each): k-chunks of `a` are
 * contiguous rows, so each chunk is transposed on its own and the chunk products are summed.
 */
function transposedProductInChunks(
  backend: WasmBackend,
  a: TensorInfo,
  bRows: TensorInfo,
  single: (a3: TensorInfo, b3: TensorInfo) => TensorInfo,
): TensorInfo {
  const [k, m] = a.shape.slice(-2);
  const n = bRows.shape[bRows.shape.length - 1];
  const outBatch = broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), bRows.shape.slice(0, -2));
  const out = zerosOnHeap(backend, [...outBatch, m, n]);
  const chunks = Math.ceil(k / INNER_CHUNK);
  for (let chunk = 0; chunk < chunks; chunk++) {
    const k0 = Math.floor((chunk * k) / chunks);
    const size = Math.floor(((chunk + 1) * k) / chunks) - k0;
    const aView = heapView(backend, a, k0 * m, [size, m]);
    const aChunk = transposeLastTwo(backend, aView);
    const bView = heapView(backend, bRows, k0 * n, [1, size, n]);
    const product = single(withShape(aChunk, [1, m, size]), bView);
    const sum = heapF32(backend, out);
    const part = heapF32(backend, product);
    for (let i = 0; i < part.length; i++) sum[i] += part[i];
    disposeAll(backend, product, aChunk);
    releaseHeapView(backend, aView);
    releaseHeapView(backend, bView);
  }
  return out;
}

/**
 * BatchMatMul for wasm that always reaches XNNPACK: transposed operands are materialised first, and
 * batches are split as in `matMulInBatches`. Wraps (and replaces) the backend's own kernel.
 */
export function fastBatchMatMulConfig(own: KernelConfig): KernelConfig {
  const kernelFunc = ({ inputs, backend, attrs }: Parameters<KernelFunc>[0]): TensorInfo => {
    const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
    const { transposeA, transposeB } = attrs as unknown as BatchMatMulAttrs;
    if (keepsOwnKernel(a, b, transposeA, transposeB))
      return own.kernelFunc({ inputs, backend, attrs }) as TensorInfo;
    const wasm = backend as WasmBackend;
    const oneMatrixEach =
      util.sizeFromShape(a.shape.slice(0, -2)) * util.sizeFromShape(b.shape.slice(0, -2)) === 1;
    const m = a.shape[a.shape.length - 1];
    const n = b.shape[b.shape.length - 1];
    const sameBatch = util.arraysEqual(a.shape.slice(0, -2), b.shape.slice(0, -2));
    const kernels = simd(wasm);
    if (kernels && transposeA && !transposeB && sameBatch && m % 4 === 0 && n % 4 === 0) {
      // Weight gradients: one SIMD pass over the rows per matrix, no transposed copy, no packing.
      const rows = a.shape[a.shape.length - 2];
      const out = wasm.makeOutput([...a.shape.slice(0, -2), m, n], 'float32');
      const [pa, pb, po] = [pointer(wasm, a), pointer(wasm, b), pointer(wasm, out)];
      for (let i = 0; i < util.sizeFromShape(a.shape.slice(0, -2)); i++) {
        kernels.matmul_tn(pa + 4 * i * rows * m, pb + 4 * i * rows * n, po + 4 * i * m * n, rows, m, n);
      }
      return out;
    }
    if (transposeA && !transposeB && oneMatrixEach && m < n) {
      // aᵀb = (bᵀa)ᵀ: XNNPACK packs its right operand on every call (~5 ns per value, as much as the
      // products of a few dozen rows), so the narrower of the two is the one to pack (weight gradients).
      const flipped = kernelFunc({ inputs: { a: b, b: a }, backend, attrs });
      const out = transposeLastTwo(wasm, flipped);
      disposeAll(wasm, flipped);
      return out;
    }
    const single = (a3: TensorInfo, b3: TensorInfo) =>
      own.kernelFunc({
        inputs: { a: a3, b: b3 },
        backend,
        attrs: { transposeA: false, transposeB: false },
      }) as TensorInfo;
    const bRows = transposeB ? transposeLastTwo(wasm, b) : b;
    let out: TensorInfo;
    if (transposeA && oneMatrixEach && a.shape[a.shape.length - 2] > 2 * INNER_CHUNK) {
      out = transposedProductInChunks(wasm, a, bRows, single);
    } else {
      const aRows = transposeA ? transposeLastTwo(wasm, a) : a;
      out = matMulInBatches(wasm, aRows, bRows, single);
      if (aRows !== a) disposeAll(wasm, aRows);
    }
    if (bRows !== b) disposeAll(wasm, bRows);
    return out;
  };
  return { ...own, kernelName: BatchMatMul, backendName: 'wasm', kernelFunc };
}
