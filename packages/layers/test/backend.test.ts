import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  measureMatmulCeiling,
  prepareBackend,
  registerWasmTrainingKernels,
  wasmTrainingKernelNames,
} from '../src/backend/index.js';

// tfjs-node and tfjs-node-gpu are not installed in this repository (and never will be a dependency).

describe('prepareBackend', () => {
  it('activates the cpu backend on request', async () => {
    const prepared = await prepareBackend({ backend: 'cpu' });
    expect(prepared.name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
  });

  it('activates wasm with the training kernels, and can be called again', async () => {
    const lines: string[] = [];
    for (let call = 0; call < 2; call++) {
      const prepared = await prepareBackend({ backend: 'wasm', threads: 2, log: (line) => lines.push(line) });
      expect(prepared.name).toBe('wasm');
    }
    expect(tf.getBackend()).toBe('wasm');
    for (const name of wasmTrainingKernelNames) expect(tf.getKernel(name, 'wasm')).toBeDefined();
    expect(lines).toContain('wasm: threads=2 ignored in Node (single-threaded SIMD build)');
    // The backend computes: [[1, 2], [3, 4]] @ [[5], [6]].
    expect(
      Array.from(tf.matMul(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor2d([5, 6], [2, 1])).dataSync()),
    ).toEqual([17, 39]);
  });

  it('auto picks wasm here and says why', async () => {
    const prepared = await prepareBackend({ backend: 'auto' });
    expect(prepared.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(prepared.reason).toContain('@tensorflow/tfjs-node-gpu is not installed');
    expect(prepared.reason).toContain('@tensorflow/tfjs-node is not installed');
    expect((await prepareBackend()).name).toBe('wasm');
  });

  it('explains how to install tfjs-node when it is asked for by name', async () => {
    await expect(prepareBackend({ backend: 'tensorflow' })).rejects.toThrow(
      '@tensorflow/tfjs-node is not installed; install it with: npm install @tensorflow/tfjs-node@4.22',
    );
  });

  it('explains how to install tfjs-node-gpu and what it needs', async () => {
    const attempt = prepareBackend({ backend: 'tensorflow-gpu' });
    await expect(attempt).rejects.toThrow('npm install @tensorflow/tfjs-node-gpu@4.22');
    await expect(attempt).rejects.toThrow('CUDA Toolkit 11.2 and cuDNN 8.1');
  });

  it('rejects an unknown backend name', async () => {
    await expect(prepareBackend({ backend: 'webgpu' as never })).rejects.toThrow("unknown backend 'webgpu'");
  });
});

describe('registerWasmTrainingKernels', () => {
  it('is idempotent: a second call keeps the same registrations', async () => {
    registerWasmTrainingKernels();
    const before = wasmTrainingKernelNames.map((name) => tf.getKernel(name, 'wasm'));
    registerWasmTrainingKernels();
    const after = wasmTrainingKernelNames.map((name) => tf.getKernel(name, 'wasm'));
    expect(after).toEqual(before);
    for (let i = 0; i < before.length; i++) expect(after[i]).toBe(before[i]);
  });
});

describe('measureMatmulCeiling', () => {
  it('times a matmul on the active backend', async () => {
    await prepareBackend({ backend: 'wasm' });
    const ceiling = await measureMatmulCeiling({ m: 128, k: 64, n: 96, repeats: 2 });
    expect(ceiling.backend).toBe('wasm');
    expect(ceiling.milliseconds).toBeGreaterThan(0);
    expect(ceiling.gflops).toBeCloseTo((2 * 128 * 64 * 96) / ceiling.milliseconds / 1e6, 6);
  });
});
