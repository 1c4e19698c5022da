import {
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
  UnsortedSegmentSum,
  type UnsortedSegmentSumAttrs,
  util,
} from '@tensorflow/tfjs-core';
import { type WasmBackend, zerosOnHeap } from './wasm-heap.js';

/**
 * `out[segmentIds[i]] += x[i]` over the leading axes that `segmentIds` covers (the gradient of
 * gather; missing from tfjs-backend-wasm). Ids outside [0, numSegments) are dropped, as in TensorFlow.
 */
function unsortedSegmentSum({ inputs, backend, attrs }: Parameters<KernelFunc>[0]): TensorInfo {
  const { x, segmentIds } = inputs as { x: TensorInfo; segmentIds: TensorInfo };
  const { numSegments } = attrs as unknown as UnsortedSegmentSumAttrs;
  const wasm = backend as WasmBackend;
  const idCount = util.sizeFromShape(segmentIds.shape);
  const rowShape = x.shape.slice(segmentIds.shape.length);
  const rowSize = util.sizeFromShape(rowShape);
  if (idCount * rowSize !== util.sizeFromShape(x.shape)) {
    throw new Error(
      `${UnsortedSegmentSum}: segment ids ${segmentIds.shape} must be a prefix of x's shape ${x.shape}`,
    );
  }
  if (x.dtype !== 'float32' && x.dtype !== 'int32') {
    throw new Error(`${UnsortedSegmentSum} on wasm supports float32 and int32 values, got ${x.dtype}`);
  }
  const out = zerosOnHeap(wasm, [numSegments, ...rowShape], x.dtype);
  const values = wasm.typedArrayFromHeap(x);
  const ids = wasm.typedArrayFromHeap(segmentIds);
  const sums = wasm.typedArrayFromHeap(out);
  for (let i = 0; i < idCount; i++) {
    const segment = ids[i];
    if (segment < 0 || segment >= numSegments) continue;
    const from = i * rowSize;
    const to = segment * rowSize;
    for (let q = 0; q < rowSize; q++) sums[to + q] += values[from + q];
  }
  return out;
}

export const unsortedSegmentSumConfig: KernelConfig = {
  kernelName: UnsortedSegmentSum,
  backendName: 'wasm',
  kernelFunc: unsortedSegmentSum as KernelFunc,
};
