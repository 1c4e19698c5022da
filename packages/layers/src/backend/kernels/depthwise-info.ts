import { backend_util } from '@tensorflow/tfjs-core';

interface DepthwiseAttrs {
  strides: [number, number] | number;
  dilations: [number, number] | number;
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** The conv geometry of a depthwise backprop kernel; these kernels support dilation 1 only. */
export function depthwiseConvInfo(
  kernelName: string,
  inputShape: [number, number, number, number],
  filterShape: [number, number, number, number],
  attrs: DepthwiseAttrs,
): backend_util.Conv2DInfo {
  const { strides, dilations, pad, dimRoundingMode } = attrs;
  const info = backend_util.computeConv2DInfo(
    inputShape,
    filterShape,
    strides,
    dilations,
    pad,
    dimRoundingMode,
    true,
  );
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1) {
    throw new Error(`${kernelName} on wasm supports dilation 1 only`);
  }
  return info;
}
