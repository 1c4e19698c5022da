// Matmul ceiling of the tfjs backends, in GFLOP/s: the yardstick for the model benchmarks.
// Run after `pnpm build`: node bench/matmul.mjs [batch=2]
import { measureMatmulCeiling, prepareBackend } from '../dist/index.js';

const batch = Number(process.argv[2] ?? 2);
const tokens = batch * 512;

// [label, options]: square reference, then CAT shapes for `batch` clips of 512 tokens.
const wasmShapes = [
  ['1024 x 1024 x 1024', { m: 1024, k: 1024, n: 1024 }],
  [`[${tokens}, 192] x [192, 768]`, { m: tokens, k: 192, n: 768 }],
  [`[${tokens}, 768] x [768, 768] (qkv/proj)`, { m: tokens, k: 768, n: 768 }],
  [`[${tokens}, 768] x [768, 3072] (MLP fc1)`, { m: tokens, k: 768, n: 3072 }],
  [`[${tokens}, 3072] x [3072, 768] (MLP fc2)`, { m: tokens, k: 3072, n: 768 }],
  [
    `[${tokens}, 768]^T x [${tokens}, 768] (weight gradient)`,
    { m: 768, k: tokens, n: 768, transposeA: true },
  ],
  [`[${tokens}, 768] x [768, 768]^T (input gradient)`, { m: tokens, k: 768, n: 768, transposeB: true }],
  [
    `${batch * 12} x [512, 64] x [512, 64]^T (attention scores)`,
    { batch: batch * 12, m: 512, k: 64, n: 512, transposeB: true },
  ],
  [`${batch * 12} x [512, 512] x [512, 64] (attention values)`, { batch: batch * 12, m: 512, k: 512, n: 64 }],
];
const cpuShapes = [
  ['256 x 256 x 256', { m: 256, k: 256, n: 256, repeats: 2 }],
  ['[512, 192] x [192, 768]', { m: 512, k: 192, n: 768, repeats: 2 }],
];

for (const [backend, shapes] of [
  ['wasm', wasmShapes],
  ['cpu', cpuShapes],
]) {
  const prepared = await prepareBackend({ backend });
  console.log(`# ${prepared.name}: ${prepared.reason}`);
  for (const [label, options] of shapes) {
    const { gflops, milliseconds } = await measureMatmulCeiling(options);
    console.log(
      `${backend.padEnd(5)} ${label.padEnd(48)} ${gflops.toFixed(2).padStart(7)} GFLOP/s  ${milliseconds.toFixed(1)} ms`,
    );
  }
}
