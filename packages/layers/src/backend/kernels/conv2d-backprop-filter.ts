import {
  backend_util,
  Conv2DBackpropFilter,
  type Conv2DBackpropFilterAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { columnShape, columnsAreInput, im2col } from './im2col.js';
import { disposeAll, heapF32, runWasmKernel, type WasmBackend, withShape } from './wasm-heap.js';

/**
 * Filter gradient of a channels-last conv2d (missing from tfjs-backend-wasm): `columnsᵀ @ dy`, one
 * XNNPACK matmul over the im2col matrix, whose [rows, field] layout is the filter's [fh, fw, in] order.
 */
function conv2DBackpropFilter({ inputs, backend, attrs }: Parameters<KernelFunc>[0]): TensorInfo {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } =
    attrs as unknown as Conv2DBackpropFilterAttrs;
  if (dataFormat === 'NCHW') {
    throw new Error(`${Conv2DBackpropFilter} on wasm supports channels-last (NHWC) data only`);
  }
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const wasm = backend as WasmBackend;
  const [rows, field] = columnShape(info);
  let columns = withShape(x, [rows, field]);
  if (!columnsAreInput(info)) {
    columns = wasm.makeOutput([rows, field], 'float32');
    im2col(heapF32(wasm, x), info, heapF32(wasm, columns));
  }
  const dyRows = withShape(dy, [rows, info.outChannels]);
  // Materialise the transpose of the smaller operand: columnsᵀ @ dy, or (dyᵀ @ columns)ᵀ.
  let dw: TensorInfo;
  if (field <= info.outChannels) {
    dw = runWasmKernel(
      wasm,
      'BatchMatMul',
      { a: columns, b: dyRows },
      { transposeA: true, transposeB: false },
    );
  } else {
    const dwT = runWasmKernel(
      wasm,
      'BatchMatMul',
      { a: dyRows, b: columns },
      { transposeA: true, transposeB: false },
    );
    dw = runWasmKernel(wasm, 'Transpose', { x: dwT }, { perm: [1, 0] });
    disposeAll(wasm, dwT);
  }
  if (columns.dataId !== x.dataId) disposeAll(wasm, columns);
  return withShape(dw, filterShape);
}

export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter as KernelFunc,
};
