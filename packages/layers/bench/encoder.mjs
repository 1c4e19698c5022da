// Encoder inference speed on wasm: clips/s, achieved GFLOP/s vs the matmul ceiling, time per layer and a
// kernel profile. Run after `npx tsup`:
//   node bench/encoder.mjs [model=cat-tiny] [batch=8] [frames=1024] [--profile] [--repeats=3]
import * as tf from '@tensorflow/tfjs-core';
import { createEncoder, encoderFlops, measureMatmulCeiling, prepareBackend } from '../dist/index.js';
import { bestTime, kernelProfile, machine, printProfile, rssMiB, timeLayers } from './profile-tools.mjs';

const args = process.argv.slice(2);
const flags = new Set(args.filter((a) => a.startsWith('--')).map((a) => a.split('=')[0]));
const option = (name, fallback) =>
  Number(args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const [model = 'cat-tiny', batchArg = '8', framesArg = '1024'] = args.filter((a) => !a.startsWith('--'));
const batch = Number(batchArg);
const frames = Number(framesArg);
const repeats = option('repeats', 3);

await prepareBackend({ backend: 'wasm' });
const ceiling = await measureMatmulCeiling();
const encoder = createEncoder(model, 1);
const x = tf.randomNormal([batch, frames, 128], 0, 1, 'float32', 2);

function forward() {
  const out = encoder.encode(x);
  // Reading the CLS back makes sure the work is done (kernels on wasm are synchronous anyway).
  out.cls.dataSync();
  tf.dispose(out);
}

const layers = timeLayers([
  ['local encoder', encoder.localEncoder],
  ...encoder.blocks.map((b, i) => [`block ${i}`, b]),
]);
const { best, times } = await bestTime(forward, { repeats });
const flops = encoderFlops(encoder.config, batch, frames);
console.log(`# ${model} encoder inference, batch ${batch} x ${frames} frames; ${machine()}`);
console.log(`matmul ceiling (1024^3): ${ceiling.gflops.toFixed(1)} GFLOP/s`);
console.log(`runs: ${times.map((t) => t.toFixed(0)).join(', ')} ms; rss ${rssMiB().toFixed(0)} MiB`);
const perLayer = layers.report();
const runs = repeats + 1;
const local = perLayer.get('local encoder') / runs;
let blocks = 0;
for (const [label, ms] of perLayer) if (label.startsWith('block')) blocks += ms / runs;
console.log(`per run: local encoder ${local.toFixed(0)} ms, transformer blocks ${blocks.toFixed(0)} ms`);
if (flags.has('--profile')) printProfile(await kernelProfile(forward));
console.log(`model GFLOP per run: ${(flops / 1e9).toFixed(2)}`);
console.log(`clips/s: ${((batch * 1000) / best).toFixed(2)}`);
console.log(`GFLOP/s: ${(flops / best / 1e6).toFixed(2)}`);
