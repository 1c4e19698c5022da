import {
  backend_util,
  DepthwiseConv2dNativeBackpropFilter,
  type DepthwiseConv2dNativeBackpropFilterAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { depthwiseConvInfo } from './depthwise-info.js';
import { pointer, simd } from './simd-module.js';
import { disposeAll, runWasmKernel, type WasmBackend, withShape } from './wasm-heap.js';

/** [batch, h, w, c] -> [h, w, batch, c], so that every (image, channel) pair is one channel. */
function batchNextToChannels(backend: WasmBackend, x: TensorInfo): TensorInfo {
  if (x.shape[0] === 1) return x;
  return runWasmKernel(backend, 'Transpose', { x }, { perm: [1, 2, 0, 3] });
}

/**
 * Filter gradient of a depthwise conv (missing from tfjs-backend-wasm). Tap (i, j) of channel c is the
 * correlation of the padded input with `dy` at offset (i, j): that is itself a depthwise conv, whose
 * "image" is the input and whose "filter" is `dy` (dilated by the stride), one channel per
 * (image, channel) pair; the images are then summed. XNNPACK runs it about twice as fast as a
 * JavaScript loop. Stride 1 with channels in fours (the CBlocks') takes the SIMD kernel instead, which
 * accumulates all taps in one pass (the map-sized "filter" is slow in XNNPACK).
 */
function depthwiseConv2dNativeBackpropFilter({
  inputs,
  backend,
  attrs,
}: Parameters<KernelFunc>[0]): TensorInfo {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const typed = attrs as unknown as DepthwiseConv2dNativeBackpropFilterAttrs;
  const { filterShape } = typed;
  const info = depthwiseConvInfo(
    DepthwiseConv2dNativeBackpropFilter,
    x.shape as [number, number, number, number],
    filterShape,
    typed,
  );
  const wasm = backend as WasmBackend;
  const [batch, inHeight, inWidth, inChannels] = x.shape;
  const [filterHeight, filterWidth, , multiplier] = filterShape;
  const { outHeight, outWidth, padInfo } = info;
  const kernels = simd(wasm);
  if (
    kernels &&
    info.strideHeight === 1 &&
    info.strideWidth === 1 &&
    multiplier === 1 &&
    inChannels % 4 === 0
  ) {
    const dw = wasm.makeOutput(filterShape, 'float32');
    kernels.depthwise_filter_grad(
      pointer(wasm, x),
      pointer(wasm, dy),
      pointer(wasm, dw),
      batch,
      inHeight,
      inWidth,
      outHeight,
      outWidth,
      inChannels,
      filterHeight,
      filterWidth,
      padInfo.top,
      padInfo.left,
    );
    return dw;
  }
  const pairs = batch * inChannels;
  const image = batchNextToChannels(wasm, x);
  const kernel = batchNextToChannels(wasm, dy);
  const correlation = runWasmKernel(
    wasm,
    'DepthwiseConv2dNative',
    {
      x: withShape(image, [1, inHeight, inWidth, pairs]),
      filter: withShape(kernel, [outHeight, outWidth, pairs, multiplier]),
    },
    {
      strides: 1,
      dilations: [info.strideHeight, info.strideWidth],
      pad: [
        [0, 0],
        [padInfo.top, padInfo.bottom],
        [padInfo.left, padInfo.right],
        [0, 0],
      ],
    },
  );
  if (image !== x) disposeAll(wasm, image);
  if (kernel !== dy) disposeAll(wasm, kernel);
  // Rows/columns the last output never reached give extra correlation taps beyond the filter.
  let taps = correlation;
  if (correlation.shape[1] !== filterHeight || correlation.shape[2] !== filterWidth) {
    taps = runWasmKernel(
      wasm,
      'Slice',
      { x: correlation },
      { begin: [0, 0, 0, 0], size: [1, filterHeight, filterWidth, pairs * multiplier] },
    );
    disposeAll(wasm, correlation);
  }
  if (batch === 1) return withShape(taps, filterShape);
  const dw = runWasmKernel(
    wasm,
    'Sum',
    { x: withShape(taps, [filterHeight, filterWidth, batch, inChannels * multiplier]) },
    { axis: [2], keepDims: false },
  );
  disposeAll(wasm, taps);
  return withShape(dw, filterShape);
}

export const depthwiseConv2dNativeBackpropFilterConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropFilter,
  backendName: 'wasm',
  kernelFunc: depthwiseConv2dNativeBackpropFilter as KernelFunc,
};
