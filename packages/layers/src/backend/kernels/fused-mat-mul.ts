import {
  _FusedMatMul,
  type _FusedMatMulAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { keepsOwnKernel, matMulInBatches, transposeLastTwo } from './batch-mat-mul.js';
import { disposeAll, type WasmBackend } from './wasm-heap.js';

/**
 * `tf.fused.matMul` (matmul + bias + activation) for wasm with the same XNNPACK-only strategy as our
 * BatchMatMul: transposes materialised, batches split or stacked. A rank-1 bias and the activation
 * apply per output row, so they stay fused in every piece. PReLU weights may span the whole output,
 * so that case keeps the backend's own kernel.
 */
export function fastFusedMatMulConfig(own: KernelConfig): KernelConfig {
  const kernelFunc = ({ inputs, backend, attrs }: Parameters<KernelFunc>[0]) => {
    const { a, b, bias, preluActivationWeights } = inputs as Record<string, TensorInfo | undefined> & {
      a: TensorInfo;
      b: TensorInfo;
    };
    const { transposeA, transposeB } = attrs as unknown as _FusedMatMulAttrs;
    if (preluActivationWeights != null || keepsOwnKernel(a, b, transposeA, transposeB)) {
      return own.kernelFunc({ inputs, backend, attrs });
    }
    const wasm = backend as WasmBackend;
    const aRows = transposeA ? transposeLastTwo(wasm, a) : a;
    const bRows = transposeB ? transposeLastTwo(wasm, b) : b;
    const rowAttrs = { ...attrs, transposeA: false, transposeB: false };
    const out = matMulInBatches(
      wasm,
      aRows,
      bRows,
      (a3, b3) =>
        own.kernelFunc({
          inputs: bias == null ? { a: a3, b: b3 } : { a: a3, b: b3, bias },
          backend,
          attrs: rowAttrs,
        }) as TensorInfo,
    );
    if (aRows !== a) disposeAll(wasm, aRows);
    if (bRows !== b) disposeAll(wasm, bRows);
    return out;
  };
  return { ...own, kernelName: _FusedMatMul, backendName: 'wasm', kernelFunc };
}
