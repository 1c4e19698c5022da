import {
  backend_util,
  DepthwiseConv2dNativeBackpropInput,
  type DepthwiseConv2dNativeBackpropInputAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { depthwiseConvInfo } from './depthwise-info.js';
import { disposeAll, heapF32, runWasmKernel, type WasmBackend, withShape, zerosOnHeap } from './wasm-heap.js';

/** `dy` with `stride - 1` zeros between neighbours, so a strided conv's gradient becomes a stride-1 conv. */
function spreadByStride(
  backend: WasmBackend,
  dy: TensorInfo,
  strideHeight: number,
  strideWidth: number,
): TensorInfo {
  const [batch, height, width, channels] = dy.shape;
  const spreadHeight = (height - 1) * strideHeight + 1;
  const spreadWidth = (width - 1) * strideWidth + 1;
  const out = zerosOnHeap(backend, [batch, spreadHeight, spreadWidth, channels]);
  const source = heapF32(backend, dy);
  const target = heapF32(backend, out);
  for (let n = 0; n < batch; n++) {
    for (let h = 0; h < height; h++) {
      for (let w = 0; w < width; w++) {
        const from = ((n * height + h) * width + w) * channels;
        const to = ((n * spreadHeight + h * strideHeight) * spreadWidth + w * strideWidth) * channels;
        target.set(source.subarray(from, from + channels), to);
      }
    }
  }
  return out;
}

/** The filter rotated by 180°, as [fh, fw, in * multiplier, 1] (one output channel per input channel). */
function rotatedFilter(backend: WasmBackend, filter: TensorInfo): TensorInfo {
  const [fh, fw, inChannels, multiplier] = filter.shape;
  const tap = inChannels * multiplier;
  const out = backend.makeOutput([fh, fw, tap, 1], 'float32');
  const source = heapF32(backend, filter);
  const target = heapF32(backend, out);
  for (let i = 0; i < fh; i++) {
    for (let j = 0; j < fw; j++) {
      const from = ((fh - 1 - i) * fw + (fw - 1 - j)) * tap;
      target.set(source.subarray(from, from + tap), (i * fw + j) * tap);
    }
  }
  return out;
}

/**
 * Input gradient of a depthwise conv (missing from tfjs-backend-wasm): a forward depthwise conv
 * (XNNPACK) of the stride-spread `dy` with the rotated filter, padded so that every input position
 * sees the outputs it fed. With a channel multiplier, the per-(channel, multiplier) results are summed.
 */
function depthwiseConv2dNativeBackpropInput({
  inputs,
  backend,
  attrs,
}: Parameters<KernelFunc>[0]): TensorInfo {
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const typed = attrs as unknown as DepthwiseConv2dNativeBackpropInputAttrs;
  const info = depthwiseConvInfo(
    DepthwiseConv2dNativeBackpropInput,
    typed.inputShape,
    filter.shape as [number, number, number, number],
    typed,
  );
  const wasm = backend as WasmBackend;
  const { strideHeight, strideWidth, filterHeight, filterWidth, inHeight, inWidth } = info;
  const spread =
    strideHeight === 1 && strideWidth === 1 ? dy : spreadByStride(wasm, dy, strideHeight, strideWidth);
  // Full correlation: input row h gathers spread rows h + top - (fh - 1) ... h + top.
  const top = filterHeight - 1 - info.padInfo.top;
  const left = filterWidth - 1 - info.padInfo.left;
  const bottom = inHeight + filterHeight - 1 - top - spread.shape[1];
  const right = inWidth + filterWidth - 1 - left - spread.shape[2];
  if (Math.min(top, left, bottom, right) < 0) {
    throw new Error(
      `${DepthwiseConv2dNativeBackpropInput} on wasm: padding larger than filter - 1 is not supported`,
    );
  }
  const rotated = rotatedFilter(wasm, filter);
  const perTap = runWasmKernel(
    wasm,
    'DepthwiseConv2dNative',
    { x: spread, filter: rotated },
    {
      strides: 1,
      dilations: 1,
      pad: [
        [0, 0],
        [top, bottom],
        [left, right],
        [0, 0],
      ],
    },
  );
  disposeAll(wasm, rotated);
  if (spread !== dy) disposeAll(wasm, spread);
  const multiplier = filter.shape[3];
  if (multiplier === 1) return perTap;
  const [batch, , , inChannels] = typed.inputShape;
  const dx = runWasmKernel(
    wasm,
    'Sum',
    { x: withShape(perTap, [batch, inHeight, inWidth, inChannels, multiplier]) },
    { axis: [4], keepDims: false },
  );
  disposeAll(wasm, perTap);
  return dx;
}

export const depthwiseConv2dNativeBackpropInputConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropInput,
  backendName: 'wasm',
  kernelFunc: depthwiseConv2dNativeBackpropInput as KernelFunc,
};
