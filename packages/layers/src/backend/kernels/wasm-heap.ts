import { type DataId, getKernel, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs-core';

/**
 * The parts of tfjs-backend-wasm's `BackendWasm` our kernels touch. Declared here because the package's
 * own declaration leans on emscripten types that are not installed.
 */
export interface WasmBackend {
  dataIdMap: {
    get(dataId: DataId): { id: number; memoryOffset: number; shape: number[]; refCount: number };
    delete(dataId: DataId): boolean;
  };
  makeOutput(shape: number[], dtype: 'float32' | 'int32', memoryOffset?: number): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array | Int32Array | Uint8Array;
  disposeData(dataId: DataId): boolean;
  wasm: { HEAPF32: Float32Array; tfjs: { disposeData(id: number): void } };
}

/** Inputs of a kernel call, by the names tfjs-core gives them. */
export type KernelInputs = Record<string, TensorInfo>;

/**
 * Runs another wasm kernel from inside one of ours. Goes straight to the kernel function: nothing is
 * recorded on the gradient tape, and the caller owns (and must dispose) the returned tensor.
 */
export function runWasmKernel(
  backend: WasmBackend,
  kernelName: string,
  inputs: KernelInputs,
  attrs: NamedAttrMap = {},
): TensorInfo {
  const config = getKernel(kernelName, 'wasm');
  if (config == null) throw new Error(`the wasm backend has no '${kernelName}' kernel`);
  return config.kernelFunc({ inputs, backend: backend as never, attrs }) as TensorInfo;
}

/** Releases intermediate tensors made inside a kernel. */
export function disposeAll(backend: WasmBackend, ...infos: TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}

/** The same data seen with another shape (no copy; a reshape never moves data on this backend). */
export function withShape(info: TensorInfo, shape: number[]): TensorInfo {
  return { dataId: info.dataId, shape, dtype: info.dtype };
}

/** A float32 view of a tensor's data on the wasm heap; valid until the next heap allocation. */
export function heapF32(backend: WasmBackend, info: TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(info) as Float32Array;
}

/** A new tensor on the wasm heap, zero-filled (malloc'd memory is not). */
export function zerosOnHeap(
  backend: WasmBackend,
  shape: number[],
  dtype: 'float32' | 'int32' = 'float32',
): TensorInfo {
  const out = backend.makeOutput(shape, dtype);
  backend.typedArrayFromHeap(out).fill(0);
  return out;
}

/**
 * A tensor aliasing part of another tensor's memory (`offset` in elements), so that wasm kernels can
 * work on one slice without a copy. Must be released with `releaseHeapView`, never disposed.
 */
export function heapView(
  backend: WasmBackend,
  info: TensorInfo,
  offset: number,
  shape: number[],
): TensorInfo {
  const { memoryOffset } = backend.dataIdMap.get(info.dataId);
  return backend.makeOutput(shape, 'float32', memoryOffset + offset * 4);
}

/** Unregisters a view without freeing the memory it borrows. */
export function releaseHeapView(backend: WasmBackend, view: TensorInfo): void {
  const { id } = backend.dataIdMap.get(view.dataId);
  backend.wasm.tfjs.disposeData(id);
  backend.dataIdMap.delete(view.dataId);
}
