import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import { prepareBackend } from '../src/backend/index.js';
import { type FloatTensor, readSafetensors, type TensorMap } from '../src/weights/safetensors.js';

/** Selects the test backend: `CAT_TEST_BACKEND` = cpu (default) or wasm (with the package's training kernels). */
export async function useTestBackend(): Promise<void> {
  const name = process.env.CAT_TEST_BACKEND ?? 'cpu';
  if (name !== 'cpu' && name !== 'wasm') throw new Error(`CAT_TEST_BACKEND must be cpu or wasm, got ${name}`);
  await prepareBackend({ backend: name });
  expect(tf.getBackend()).toBe(name);
}

export function loadFixture(name: string): TensorMap {
  const bytes = readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url));
  return readSafetensors(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), name);
}

export function fixtureTensor(map: TensorMap, name: string): tf.Tensor {
  const t = map.get(name) as FloatTensor;
  if (!t) throw new Error(`fixture tensor ${name} is missing`);
  return tf.tensor(t.data, t.shape);
}

export function maxAbsDiff(actual: tf.Tensor, expected: FloatTensor): number {
  expect(actual.shape).toEqual(expected.shape);
  const a = actual.dataSync();
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - expected.data[i]));
  return worst;
}

/** Asserts closeness to a fixture tensor within `tolerance` max-abs. */
export function expectClose(actual: tf.Tensor, map: TensorMap, name: string, tolerance = 1e-4): number {
  const expected = map.get(name);
  if (!expected) throw new Error(`fixture tensor ${name} is missing`);
  const diff = maxAbsDiff(actual, expected);
  expect(diff, name).toBeLessThan(tolerance);
  return diff;
}
