import * as tf from '@tensorflow/tfjs-core';
import { prepareBackend } from '../dist/index.js';
await prepareBackend({ backend: 'wasm' });
const best = (f, flops) => { let b = 1e9; for (let r = 0; r < 6; r++) { const t0 = performance.now(); const y = f(); y.dispose(); b = Math.min(b, performance.now()-t0);} return `${b.toFixed(2)} ms ${(flops/b/1e6).toFixed(1)} GF/s`; };
for (const [m, k, n] of [[64, 1024, 256], [256, 1024, 64], [1024, 64, 256], [1024, 256, 64], [4096, 64, 256]]) {
  const a = tf.randomNormal([m, k]);
  const bs = Array.from({length: 8}, () => tf.randomNormal([k, n]));
  const b = bs[0];
  const f = 2*m*k*n;
  let i = 0;
  console.log(m, k, n, 'reused b', best(() => tf.matMul(a, b), f), '| fresh b', best(() => tf.matMul(a, bs[1 + (i++ % 7)]), f), '| fresh b clone', best(() => { const c = tf.clone(b); const y = tf.matMul(a, tf.add(c, 0)); c.dispose(); return y; }, f));
}
