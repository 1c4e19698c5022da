// Where a data-parallel step goes (main thread view): own share + waiting + averaging, then the update. Needs a build.
// Usage: node bench/replica-profile.mjs
import { prepareBackend } from '@cat/layers';
import { resolveRecipe } from '@cat/train';
import {
  buildPretrainingModel,
  LocalStepRunner,
  pretrainingOptimizer,
  pretrainingParameters,
  ReplicatedStepRunner,
} from '@cat/train/node';
import * as tf from '@tensorflow/tfjs-core';

await prepareBackend({ backend: 'wasm' });
const recipe = resolveRecipe({
  model: 'cat-tiny',
  backend: 'wasm',
  data: { train: 'x', targetLength: 128, batchSize: 8 },
  optim: { steps: 100, warmupSteps: 10 },
});
const model = buildPretrainingModel(recipe, null);
const params = pretrainingParameters(model);
const optimizer = pretrainingOptimizer(recipe, params);
const variables = params.map((p) => p.variable);
const batch = {
  spectrogram: tf.randomNormal([8, 128, 128], 0, 1, 'float32', 1).dataSync(),
  clips: 8,
  frames: 128,
  bins: 128,
};
const half = { ...batch, clips: 4, spectrogram: batch.spectrogram.slice(0, 4 * 128 * 128) };
const local = new LocalStepRunner(model, optimizer, variables);
const time = async (runner, b, n = 5) => {
  const out = [];
  for (let i = 0; i < n + 2; i++) {
    const t0 = performance.now();
    const g = await runner.gradients(b, i);
    const t1 = performance.now();
    g.cls.dispose();
    runner.update(g.grads, { step: i, lr: 1e-4, clipNorm: 4 }).norm?.dispose();
    const t2 = performance.now();
    if (i >= 2) out.push([t1 - t0, t2 - t1]);
  }
  out.sort((a, b) => a[0] + a[1] - b[0] - b[1]);
  return out[Math.floor(out.length / 2)];
};
const [g4, u4] = await time(local, half);
const [g8, u8] = await time(local, batch);
console.log(`one thread, 4 clips: gradients ${g4.toFixed(0)} ms, update ${u4.toFixed(0)} ms`);
console.log(`one thread, 8 clips: gradients ${g8.toFixed(0)} ms, update ${u8.toFixed(0)} ms`);
const rep = await ReplicatedStepRunner.start(model, optimizer, variables, recipe, {
  replicas: 2,
  targetDim: null,
  backend: 'wasm',
});
const [gr, ur] = await time(rep, batch);
console.log(
  `two replicas, 8 clips: gradients (own share + wait + averaging) ${gr.toFixed(0)} ms, update (incl. sending) ${ur.toFixed(0)} ms`,
);
await rep.close();
