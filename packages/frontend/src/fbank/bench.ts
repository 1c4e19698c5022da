import { dspKernel } from './kernel/dsp-kernel.js';
import { referenceFbank } from './reference.js';

export interface FbankBenchmark {
  /** Median time of one `referenceFbank` call (the median resists other processes' bursts). */
  msPerClip: number;
  clipsPerSecond: number;
  /** Where the frame loop ran: the WebAssembly SIMD kernel or the TypeScript fallback. */
  engine: 'wasm-simd' | 'typescript';
}

/** Time `referenceFbank(samples, sampleRate)` over `reps` runs, after two warm-up runs. */
export function benchmarkFbank(samples: Float32Array, sampleRate: number, reps: number): FbankBenchmark {
  if (!(Number.isInteger(reps) && reps > 0))
    throw new RangeError('benchmarkFbank: reps must be a positive integer');
  for (let i = 0; i < 2; i++) referenceFbank(samples, sampleRate);
  const times = new Float64Array(reps);
  for (let i = 0; i < reps; i++) {
    const start = performance.now();
    referenceFbank(samples, sampleRate);
    times[i] = performance.now() - start;
  }
  times.sort();
  const msPerClip = reps % 2 ? times[(reps - 1) / 2] : (times[reps / 2 - 1] + times[reps / 2]) / 2;
  return { msPerClip, clipsPerSecond: 1000 / msPerClip, engine: dspKernel() ? 'wasm-simd' : 'typescript' };
}
