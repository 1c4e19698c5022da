import { Identity, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';

interface RefCounted {
  incRef(dataId: TensorInfo['dataId']): void;
}

/**
 * Identity that shares the input's memory (one more reference) instead of copying it, as the cpu
 * backend does. tfjs-core clones every tensor a gradient needs through Identity, so on wasm each
 * training step copied all saved activations: twice the memory (a tiny step at batch 8 overflowed the
 * 4 GB heap) and time spent copying. Sharing is safe: tensor data is never written after creation.
 */
export function sharedIdentityConfig(own: KernelConfig): KernelConfig {
  const kernelFunc = ({ inputs, backend, attrs }: Parameters<KernelFunc>[0]) => {
    const { x } = inputs as { x: TensorInfo };
    if (x.dtype === 'string') return own.kernelFunc({ inputs, backend, attrs });
    (backend as unknown as RefCounted).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
  return { ...own, kernelName: Identity, backendName: 'wasm', kernelFunc };
}
