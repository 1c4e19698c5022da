import {
  _FusedMatMul,
  BatchMatMul,
  Conv2DBackpropInput,
  getKernel,
  Identity,
  type KernelConfig,
  registerKernel,
  Slice,
  Sum,
  Tile,
  Transpose,
  unregisterKernel,
} from '@tensorflow/tfjs-core';
// Registers the wasm backend and its kernels, which the replacements below wrap.
import '@tensorflow/tfjs-backend-wasm';
import { fastBatchMatMulConfig } from './batch-mat-mul.js';
import { conv2DBackpropFilterConfig } from './conv2d-backprop-filter.js';
import { fastConv2DBackpropInputConfig } from './conv2d-backprop-input.js';
import { depthwiseConv2dNativeBackpropFilterConfig } from './depthwise-backprop-filter.js';
import { depthwiseConv2dNativeBackpropInputConfig } from './depthwise-backprop-input.js';
import { fastFusedMatMulConfig } from './fused-mat-mul.js';
import { fusedOpKernelConfigs } from './fused-ops.js';
import { sharedIdentityConfig } from './identity.js';
import { fastSliceConfig, fastSumConfig, fastTileConfig, fastTransposeConfig } from './layout.js';
import { unsortedSegmentSumConfig } from './unsorted-segment-sum.js';

/** Marks our registrations, so that a second call (or a second copy of this module) sees them. */
const OURS = Symbol.for('@cat/layers/wasm-training-kernel');

/** Kernels that gradients of CAT's ops need and tfjs-backend-wasm 4.22 does not have, and CAT's fused kernels. */
const addedKernels: KernelConfig[] = [
  conv2DBackpropFilterConfig,
  depthwiseConv2dNativeBackpropFilterConfig,
  depthwiseConv2dNativeBackpropInputConfig,
  unsortedSegmentSumConfig,
  ...fusedOpKernelConfigs,
];

/**
 * Kernels tfjs-backend-wasm has, but runs in a naive loop for the shapes training produces
 * (transposed or batched matmuls, conv input gradients): each is wrapped to reach XNNPACK instead;
 * Identity, which copies where sharing is enough; Transpose, Sum, Tile and Slice, slow for common layouts.
 */
const replacedKernels: Array<[string, (own: KernelConfig) => KernelConfig]> = [
  [BatchMatMul, fastBatchMatMulConfig],
  [_FusedMatMul, fastFusedMatMulConfig],
  [Conv2DBackpropInput, fastConv2DBackpropInputConfig],
  [Identity, sharedIdentityConfig],
  [Transpose, fastTransposeConfig],
  [Sum, fastSumConfig],
  [Tile, fastTileConfig],
  [Slice, fastSliceConfig],
];

/** Names of the wasm kernels this package adds or replaces. */
export const wasmTrainingKernelNames: readonly string[] = [
  ...addedKernels.map((config) => config.kernelName),
  ...replacedKernels.map(([name]) => name),
];

function isOurs(config: KernelConfig | undefined): boolean {
  return config != null && (config as unknown as Record<symbol, unknown>)[OURS] === true;
}

function register(config: KernelConfig): void {
  registerKernel(Object.assign({ [OURS]: true }, config));
}

/**
 * Registers the kernels the wasm backend needs to train CAT's blocks (idempotent). Works before or
 * after the backend is initialised: replacements keep the setup function of the kernel they wrap.
 */
export function registerWasmTrainingKernels(): void {
  for (const config of addedKernels) {
    // An existing kernel is either ours or a later tfjs's own: keep it.
    if (getKernel(config.kernelName, 'wasm') == null) register(config);
  }
  for (const [name, replace] of replacedKernels) {
    const own = getKernel(name, 'wasm');
    if (own == null || isOurs(own)) continue;
    unregisterKernel(name, 'wasm');
    register(replace(own));
  }
}
