// Type-checked by tsc in the project that installed @cat/layers and @tensorflow/tfjs (node16 and bundler
// resolution): tfjs tensors flow into the encoder's declared types, and misuse is a type error.
import {
  createEncoder,
  type EncoderOutput,
  type ModelName,
  type PreparedBackend,
  prepareBackend,
} from '@cat/layers';
import * as tf from '@tensorflow/tfjs';

type IsAny<T> = 0 extends 1 & T ? true : false;
export const notAny: [IsAny<typeof createEncoder>, IsAny<EncoderOutput>] = [false, false];

export async function clsOf(spectrogram: tf.Tensor3D, model: ModelName = 'cat-tiny'): Promise<tf.Tensor2D> {
  const prepared: PreparedBackend = await prepareBackend({ backend: 'wasm' });
  const output: EncoderOutput = createEncoder(model, 7).encode(spectrogram);
  tf.dispose(output.tokens);
  return prepared.name === 'wasm' ? output.cls : tf.zeros([1, 192]);
}

// @ts-expect-error no such preset
createEncoder('cat-huge');
// @ts-expect-error no such backend
prepareBackend({ backend: 'webgpu' });
