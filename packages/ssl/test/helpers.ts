import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeNpy } from '@cat/frontend';
import * as tf from '@tensorflow/tfjs-core';

export function fixture(name: string): tf.Tensor {
  const { data, shape } = decodeNpy(readFileSync(join(__dirname, '__fixtures__', name)), name);
  return tf.tensor(
    data as Float32Array | Int32Array,
    shape,
    data instanceof Int32Array ? 'int32' : 'float32',
  );
}

export function maxAbsDifference(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}
