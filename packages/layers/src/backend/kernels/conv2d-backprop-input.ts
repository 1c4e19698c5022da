import {
  backend_util,
  Conv2DBackpropInput,
  type Conv2DBackpropInputAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { col2imAdd, columnShape, columnsAreInput } from './im2col.js';
import { disposeAll, heapF32, runWasmKernel, type WasmBackend, withShape, zerosOnHeap } from './wasm-heap.js';

/**
 * Input gradient of a channels-last conv2d as `dy @ filterᵀ` (one XNNPACK matmul giving the column
 * matrix) followed by col2im. Replaces tfjs-backend-wasm's direct loop, which runs at ~2 GFLOP/s;
 * channels-first data still goes to that kernel.
 */
export function fastConv2DBackpropInputConfig(own: KernelConfig): KernelConfig {
  const kernelFunc = ({ inputs, backend, attrs }: Parameters<KernelFunc>[0]): TensorInfo => {
    const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
    const { inputShape, strides, pad, dataFormat, dimRoundingMode } =
      attrs as unknown as Conv2DBackpropInputAttrs;
    if (dataFormat === 'NCHW') return own.kernelFunc({ inputs, backend, attrs }) as TensorInfo;
    const info = backend_util.computeConv2DInfo(
      inputShape,
      filter.shape as [number, number, number, number],
      strides,
      1,
      pad,
      dimRoundingMode,
    );
    const wasm = backend as WasmBackend;
    const [rows, field] = columnShape(info);
    const columns = runWasmKernel(
      wasm,
      'BatchMatMul',
      { a: withShape(dy, [rows, info.outChannels]), b: withShape(filter, [field, info.outChannels]) },
      { transposeA: false, transposeB: true },
    );
    if (columnsAreInput(info)) return withShape(columns, inputShape);
    const dx = zerosOnHeap(wasm, inputShape);
    col2imAdd(heapF32(wasm, columns), info, heapF32(wasm, dx));
    disposeAll(wasm, columns);
    return dx;
  };
  return { ...own, kernelName: Conv2DBackpropInput, backendName: 'wasm', kernelFunc };
}
