// The CommonJS side of layers-types.mts: resolves @cat/layers's `require` condition (index.d.cts).
import { createEncoder, type EncoderOutput } from '@cat/layers';
import type * as tf from '@tensorflow/tfjs';

type IsAny<T> = 0 extends 1 & T ? true : false;
export const notAny: [IsAny<typeof createEncoder>, IsAny<EncoderOutput>] = [false, false];

export function tokensOf(spectrogram: tf.Tensor3D): tf.Tensor3D {
  return createEncoder('cat-tiny', 7).encode(spectrogram).tokens;
}

// @ts-expect-error no such preset
createEncoder('cat-huge');
