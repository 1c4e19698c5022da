// One pre-training step of BootstrapObjective on wasm (teacher forward, masked student on `clones` views,
// decoder, losses, backward, Adam, EMA): clips/s, achieved GFLOP/s vs the matmul ceiling, a kernel profile.
// Run after `npx tsup` here and in packages/layers:
//   node bench/step.mjs [model=cat-tiny] [batch=8] [frames=128] [--profile] [--repeats=3] [--clones=4]
import {
  CnnDecoder,
  createEncoder,
  measureMatmulCeiling,
  modelPreset,
  prepareBackend,
  pretrainingStepFlops,
} from '@cat/layers';
import * as tf from '@tensorflow/tfjs-core';
import {
  bestTime,
  kernelProfile,
  machine,
  printProfile,
  rssMiB,
  timeLayers,
} from '../../layers/bench/profile-tools.mjs';
import { BootstrapObjective } from '../dist/index.js';

const args = process.argv.slice(2);
const flags = new Set(args.filter((a) => a.startsWith('--')).map((a) => a.split('=')[0]));
const option = (name, fallback) =>
  Number(args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const [model = 'cat-tiny', batchArg = '8', framesArg = '128'] = args.filter((a) => !a.startsWith('--'));
const batch = Number(batchArg);
const frames = Number(framesArg);
const repeats = option('repeats', 3);
const clones = option('clones', 4);

await prepareBackend({ backend: 'wasm' });
const ceiling = await measureMatmulCeiling();
const preset = modelPreset(model);
const student = createEncoder(model, 1);
const teacher = createEncoder(model, 2);
const decoder = new CnnDecoder({ ...preset.decoder, seed: 3 });
decoder.apply(tf.zeros([1, 64, preset.encoder.embedDim]));
const objective = new BootstrapObjective(student, teacher, decoder, { clones, seed: 4 });
const variables = objective.trainableVariables();
const optimizer = tf.train.adam(1e-4, 0.9, 0.95);
const x = tf.randomNormal([batch, frames, 128], 0, 1, 'float32', 5);
let step = 0;

const timers = { masks: 0, teacher: 0, forwardBackward: 0, optimizer: 0, ema: 0 };
function timed(name, fn) {
  const start = performance.now();
  const result = fn();
  timers[name] += performance.now() - start;
  return result;
}

function trainStep() {
  const masks = timed('masks', () => objective.sampleMasks(batch, frames, 128));
  const targets = timed('teacher', () => objective.teacherTargets(x));
  const { value, grads } = timed('forwardBackward', () =>
    tf.variableGrads(() => objective.losses({ spectrogram: x, masks, step }, targets).total, variables),
  );
  timed('optimizer', () => optimizer.applyGradients(grads));
  timed('ema', () => objective.updateTeacher(step));
  value.dataSync();
  tf.dispose([value, targets, grads]);
  step += 1;
}

const layers = timeLayers([
  ['student+teacher local encoders', student.localEncoder],
  ['student+teacher local encoders', teacher.localEncoder],
  ['decoder', decoder],
]);
// The first step creates the optimizer's state; after it, every step must free what it allocates.
trainStep();
const afterFirst = tf.memory().numTensors;
const { best, times } = await bestTime(trainStep, { repeats, warmup: 0 });
const growth = tf.memory().numTensors - afterFirst;
const flops = pretrainingStepFlops(preset, batch, frames, { clones });
console.log(
  `# ${model} pre-training step, batch ${batch} x ${frames} frames, ${clones} clones; ${machine()}`,
);
console.log(`matmul ceiling (1024^3): ${ceiling.gflops.toFixed(1)} GFLOP/s`);
console.log(
  `runs: ${times.map((t) => t.toFixed(0)).join(', ')} ms; rss ${rssMiB().toFixed(0)} MiB; ` +
    `tfjs ${(tf.memory().numBytes / 2 ** 20).toFixed(0)} MiB in ${tf.memory().numTensors} tensors ` +
    `(${growth >= 0 ? '+' : ''}${growth} over ${repeats} steps after the first); ` +
    `wasm heap ${(tf.backend().wasm?.HEAPF32.buffer.byteLength / 2 ** 20).toFixed(0)} MiB`,
);
const runs = repeats + 1;
const phases = Object.entries(timers).map(([k, v]) => `${k} ${(v / runs).toFixed(0)}`);
console.log(`per step (ms): ${phases.join(', ')}`);
const forwardLayers = [...layers.report()].map(([k, v]) => `${k} ${(v / runs).toFixed(0)}`);
console.log(`  of which forward (ms): ${forwardLayers.join(', ')}`);
if (flags.has('--profile')) printProfile(await kernelProfile(trainStep), { top: 20, topShapes: 25 });
console.log(
  `model GFLOP per step: ${(flops.total / 1e9).toFixed(2)} (teacher ${(flops.teacher / 1e9).toFixed(2)}, ` +
    `student fwd ${(flops.student / 1e9).toFixed(2)}, decoder fwd ${(flops.decoder / 1e9).toFixed(2)})`,
);
console.log(`clips/s: ${((batch * 1000) / best).toFixed(2)}`);
console.log(`GFLOP/s: ${(flops.total / best / 1e6).toFixed(2)}`);
