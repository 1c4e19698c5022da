// Time of one AdamW step (and of global-norm clipping) on the parameters of ViT-B transformer blocks.
// Run: npx vite-node scripts/bench-adamw.ts [blocks=2] [backend=wasm|cpu]
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { AdamW } from '../src/adamw.js';
import { clipGradientsByGlobalNorm } from '../src/clipping.js';
import { type NamedParameter, parameterGroups } from '../src/parameters.js';

const blocks = Number(process.argv[2] ?? 2);
const D = 768;
const blockShapes: Record<string, number[]> = {
  'attn.qkv.weight': [D, 3 * D],
  'attn.qkv.bias': [3 * D],
  'attn.proj.weight': [D, D],
  'attn.proj.bias': [D],
  'norm1.weight': [D],
  'norm1.bias': [D],
  'mlp.fc1.weight': [D, 4 * D],
  'mlp.fc1.bias': [4 * D],
  'mlp.fc2.weight': [4 * D, D],
  'mlp.fc2.bias': [D],
  'norm2.weight': [D],
  'norm2.bias': [D],
};

const backend = process.argv[3] ?? 'wasm';
if (backend === 'wasm') {
  setWasmPaths(`${dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'))}/`);
}
await tf.setBackend(backend);
const params: NamedParameter[] = [];
for (let b = 0; b < blocks; b++) {
  for (const [name, shape] of Object.entries(blockShapes)) {
    params.push({ name: `blocks.${b}.${name}`, variable: tf.variable(tf.randomNormal(shape, 0, 0.02)) });
  }
}
const grads: tf.NamedTensorMap = {};
for (const p of params) grads[p.variable.name] = tf.randomNormal(p.variable.shape, 0, 1e-3);
const count = params.reduce((n, p) => n + p.variable.size, 0);
const optimizer = new AdamW(parameterGroups(params, { weightDecay: 0.05 }), { betas: [0.9, 0.95] });

async function time(label: string, run: () => void, repeats = 5): Promise<void> {
  run();
  await params[0].variable.data();
  const start = performance.now();
  for (let i = 0; i < repeats; i++) run();
  await params[0].variable.data();
  const ms = (performance.now() - start) / repeats;
  console.log(`${label}: ${ms.toFixed(1)} ms/step, ${((count / ms) * 1e-3).toFixed(1)} M params/s`);
}

console.log(`${blocks} ViT-B blocks, ${(count / 1e6).toFixed(2)} M parameters, backend ${tf.getBackend()}`);
optimizer.step(grads, 5e-4); // creates the moment estimates
const tensorsBefore = tf.memory().numTensors;
await time('AdamW step', () => optimizer.step(grads, 5e-4));
await time('clip by global norm', () => {
  const { grads: clipped, norm } = clipGradientsByGlobalNorm(grads, 4);
  tf.dispose([clipped, norm]);
});
console.log(`tensors leaked: ${tf.memory().numTensors - tensorsBefore}`);
