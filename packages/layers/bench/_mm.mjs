import * as tf from '@tensorflow/tfjs-core';
import { prepareBackend } from '../dist/index.js';
await prepareBackend({ backend: 'wasm' });
const best = (f, flops) => { let b = 1e9; for (let r = 0; r < 6; r++) { const t0 = performance.now(); const y = f(); y.dataSync(); y.dispose(); b = Math.min(b, performance.now()-t0);} return `${b.toFixed(1)} ms ${(flops/b/1e6).toFixed(1)} GF/s`; };
for (const [R, ci, co] of [[32768, 64, 256], [32768, 64, 64], [8192, 96, 384]]) {
  const X = tf.randomNormal([R, ci]), dY = tf.randomNormal([R, co]), W = tf.randomNormal([ci, co]);
  const f = 2*R*ci*co;
  console.log(R, ci, co, 'fwd', best(() => tf.matMul(X, W), f), '| dW XtdY', best(() => tf.matMul(X, dY, true, false), f), '| dWt dYtX', best(() => tf.matMul(dY, X, true, false), f), '| dX dY Wt', best(() => tf.matMul(dY, W, false, true), f));
  for (const chunk of [256, 512, 1024, 2048]) {
    const xs = tf.split(X, R/chunk, 0), ys = tf.split(dY, R/chunk, 0);
    const xts = xs.map(x => tf.transpose(x));
    console.log('  chunk', chunk, 'matmuls only', best(() => tf.tidy(() => { let acc = null; for (let i = 0; i < xts.length; i++) { const p = tf.matMul(xts[i], ys[i]); acc = acc ? tf.add(acc, p) : p; } return acc; }), f));
  }
}
