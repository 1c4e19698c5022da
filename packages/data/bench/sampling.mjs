// Speed of the sampling utilities at AS-2M scale. Build first: `pnpm build && node bench/sampling.mjs`.
import { SeededRandom } from '@cat/frontend';
import { audiosetSampleWeights, shuffledOrder, weightedSampleWithoutReplacement } from '../dist/index.js';

const clips = 2_000_000;
const random = new SeededRandom(0);
const labelLists = Array.from({ length: clips }, () =>
  Array.from({ length: 1 + random.int(4) }, () => random.int(527)),
);

function time(name, run) {
  const start = performance.now();
  const result = run();
  console.log(`${name}: ${(performance.now() - start).toFixed(0)} ms`);
  return result;
}

const weights = time('audiosetSampleWeights, 2M clips', () => audiosetSampleWeights(labelLists, 527));
time('weightedSampleWithoutReplacement, 200k of 2M', () =>
  weightedSampleWithoutReplacement(weights, 200_000, new SeededRandom(1)),
);
time('shuffledOrder, 2M', () => shuffledOrder(clips)(1, 0));
