import { referenceFbank } from './reference.js';

export interface FbankBenchmark {
  msPerClip: number;
  clipsPerSecond: number;
}

/** Time `referenceFbank(samples, sampleRate)` over `reps` runs (after two warm-up runs). */
export function benchmarkFbank(samples: Float32Array, sampleRate: number, reps: number): FbankBenchmark {
  if (!(Number.isInteger(reps) && reps > 0)) throw new RangeError(`benchmarkFbank: reps must be a positive integer`);
  for (let i = 0; i < 2; i++) referenceFbank(samples, sampleRate);
  const start = performance.now();
  for (let i = 0; i < reps; i++) referenceFbank(samples, sampleRate);
  const msPerClip = (performance.now() - start) / reps;
  return { msPerClip, clipsPerSecond: 1000 / msPerClip };
}
