import type { TensorInfo } from '@tensorflow/tfjs-core';
import { SIMD_KERNELS_WASM_BASE64 } from './simd-kernels.wasm.js';
import type { WasmBackend } from './wasm-heap.js';

/** The exports of simd-kernels.c; pointers are byte offsets into tfjs-backend-wasm's heap. */
export interface SimdExports {
  gelu(x: number, y: number, n: number): void;
  gelu_grad(x: number, dy: number, dx: number, n: number): void;
  layer_norm(
    x: number,
    gamma: number,
    beta: number,
    y: number,
    rows: number,
    cols: number,
    eps: number,
  ): void;
  layer_norm_grad(
    x: number,
    gamma: number,
    dy: number,
    dx: number,
    dgamma: number,
    dbeta: number,
    rows: number,
    cols: number,
    eps: number,
  ): void;
  transpose_swap(x: number, y: number, outer: number, rows: number, cols: number, inner: number): void;
  sum_rows(x: number, out: number, outer: number, rows: number, cols: number): void;
  grouped_columns(
    x: number,
    cols: number,
    b: number,
    h: number,
    w: number,
    c: number,
    k: number,
    g: number,
  ): void;
  depthwise_filter_grad(
    x: number,
    dy: number,
    dw: number,
    batch: number,
    height: number,
    width: number,
    outHeight: number,
    outWidth: number,
    channels: number,
    fh: number,
    fw: number,
    top: number,
    left: number,
  ): void;
  matmul_tn(a: number, b: number, out: number, rows: number, m: number, n: number): void;
  grouped_columns_grad(
    dcols: number,
    dx: number,
    b: number,
    h: number,
    w: number,
    c: number,
    k: number,
    g: number,
  ): void;
}

type WasmWithMemory = WasmBackend & { wasm: { asm?: { memory?: WebAssembly.Memory } } };

/** One instance per backend, sharing that backend's memory (so pointers are tensors' heap offsets). */
const instances = new WeakMap<object, SimdExports | null>();

/**
 * The SIMD kernels for a wasm backend, or null where they cannot share its memory (a build that does not
 * expose it, or the threaded build's shared memory, which this module is not compiled for): callers then
 * keep tfjs' own kernels.
 */
export function simd(backend: WasmBackend): SimdExports | null {
  let exports = instances.get(backend);
  if (exports === undefined) {
    exports = null;
    const memory = (backend as WasmWithMemory).wasm.asm?.memory;
    // Browsers hide SharedArrayBuffer on pages that are not cross-origin isolated.
    const shared = typeof SharedArrayBuffer !== 'undefined' && memory?.buffer instanceof SharedArrayBuffer;
    if (memory instanceof WebAssembly.Memory && !shared) {
      const bytes = Uint8Array.from(atob(SIMD_KERNELS_WASM_BASE64), (c) => c.charCodeAt(0));
      const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
      exports = instance.exports as unknown as SimdExports;
    }
    instances.set(backend, exports);
  }
  return exports;
}

/** `simd(backend)` for kernels that exist only with it. */
export function requireSimd(backend: WasmBackend): SimdExports {
  const exports = simd(backend);
  if (!exports)
    throw new Error("CAT's SIMD kernels cannot run on this wasm backend (its memory is not shareable)");
  return exports;
}

export function pointer(backend: WasmBackend, info: TensorInfo | undefined): number {
  return info == null ? 0 : backend.dataIdMap.get(info.dataId).memoryOffset;
}
