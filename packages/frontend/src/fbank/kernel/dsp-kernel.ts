import { DSP_KERNEL_WASM_BASE64 } from './dsp-kernel.wasm.js';

/** Exports of dsp-kernel.c; pointers are byte offsets into `memory`. */
export interface DspKernel {
  memory: WebAssembly.Memory;
  __heap_base: WebAssembly.Global;
  fbank_configure(...args: number[]): void;
  fbank_compute(samples: number, frames: number, dcOffset: number, out: number): void;
  resample(...args: number[]): void;
}

let kernel: DspKernel | null | undefined;
let enabled = true;
/** Whose data is in linear memory now. */
let owner: object | null = null;

/** Turn the kernel off (or on again), e.g. to test the TypeScript loops. Frame computers keep their choice. */
export function setDspKernelEnabled(on: boolean): void {
  enabled = on;
}

/**
 * The WebAssembly SIMD kernel, compiled on first use; null where WebAssembly SIMD is missing or synchronous
 * compilation is refused (e.g. on a browser main thread with a small limit), in which case the callers run
 * their TypeScript loops, which compute the same values, only slower.
 */
export function dspKernel(): DspKernel | null {
  if (!enabled) return null;
  if (kernel === undefined) {
    try {
      const bytes = Uint8Array.from(atob(DSP_KERNEL_WASM_BASE64), (c) => c.charCodeAt(0));
      kernel = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports as unknown as DspKernel;
    } catch {
      kernel = null;
    }
  }
  return kernel;
}

/**
 * Reserve `bytes` of linear memory (16-byte aligned, from the kernel's heap base) for `user`. `base` is where
 * they start; `fresh` is true when someone else used the memory since `user` last claimed it, so the user
 * has to write its tables again.
 */
export function claimMemory(k: DspKernel, user: object, bytes: number): { base: number; fresh: boolean } {
  const base = Math.ceil((k.__heap_base.value as number) / 16) * 16;
  const missing = base + bytes - k.memory.buffer.byteLength;
  if (missing > 0) k.memory.grow(Math.ceil(missing / 65536));
  const fresh = owner !== user;
  owner = user;
  return { base, fresh };
}

/** Bump allocator for a memory layout; every block is 16-byte aligned. */
export class Layout {
  bytes = 0;
  take(byteLength: number): number {
    const at = this.bytes;
    this.bytes += Math.ceil(byteLength / 16) * 16;
    return at;
  }
}
