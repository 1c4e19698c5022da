import { CnnDecoder, createEncoder, modelPreset, prepareBackend } from '@cat/layers';
import * as tf from '@tensorflow/tfjs-core';
import { BootstrapObjective } from '../dist/index.js';

await prepareBackend({ backend: 'wasm' });
const heap = () => (tf.backend().wasm.HEAPF32.buffer.byteLength / 2 ** 20).toFixed(0);
const model = 'cat-tiny',
  batch = Number(process.argv[2]),
  frames = 128;
const preset = modelPreset(model);
const student = createEncoder(model, 1),
  teacher = createEncoder(model, 2);
const decoder = new CnnDecoder({ ...preset.decoder, seed: 3 });
decoder.apply(tf.zeros([1, 64, preset.encoder.embedDim]));
const objective = new BootstrapObjective(student, teacher, decoder, { clones: 4, seed: 4 });
const x = tf.randomNormal([batch, frames, 128], 0, 1, 'float32', 5);
const masks = objective.sampleMasks(batch, frames, 128);
console.log('start', heap());
const targets = objective.teacherTargets(x);
console.log('teacher', heap());
const l = objective.losses({ spectrogram: x, masks, step: 0 }, targets);
console.log('student fwd no tape', heap(), tf.memory().numTensors);
tf.dispose(l);
const { value, grads } = tf.variableGrads(() => {
  const t = objective.losses({ spectrogram: x, masks, step: 0 }, targets).total;
  console.log('fwd taped', heap(), tf.memory().numTensors);
  return t;
}, objective.trainableVariables());
console.log('after grads', heap());
