import { SeededRandom } from '@cat/frontend';
import { streamSeed } from './distributions.js';
import type { EpochOrder } from './epoch-sampler.js';
import { DataFormatError } from './errors.js';
import { textLines } from './text.js';

/**
 * AudioSet balancing weights (AST / Audio-MAE `gen_weight`): `w_i = Σ_{c ∈ labels(i)} 1000 / (count_c + 0.01)`,
 * where count_c is the number of clips carrying class c.
 */
export function audiosetSampleWeights(
  labelLists: readonly (readonly number[])[],
  numClasses: number,
): Float64Array {
  const counts = new Float64Array(numClasses);
  for (const labels of labelLists) {
    for (const label of labels) {
      if (!(label >= 0 && label < numClasses)) throw new Error(`label ${label} outside [0, ${numClasses})`);
      counts[label] += 1;
    }
  }
  const weights = new Float64Array(labelLists.length);
  labelLists.forEach((labels, i) => {
    let weight = 0;
    for (const label of labels) weight += 1000 / (counts[label] + 0.01);
    weights[i] = weight;
  });
  return weights;
}

/**
 * `count` distinct indices drawn with probability proportional to `weights`, without replacement, in draw
 * order: the same distribution as `torch.multinomial(weights, count, replacement=False)`. Efraimidis &
 * Spirakis (2006): each index gets the key log(U)/w and the `count` largest keys win; a min-heap keeps
 * them, so the cost is O(N log count).
 */
export function weightedSampleWithoutReplacement(
  weights: ArrayLike<number>,
  count: number,
  random: SeededRandom,
): Uint32Array {
  const size = weights.length;
  let positive = 0;
  for (let i = 0; i < size; i++) {
    const weight = weights[i];
    if (!(weight >= 0) || weight === Number.POSITIVE_INFINITY)
      throw new Error(`weight ${i} is ${weight}; weights must be finite and >= 0`);
    if (weight > 0) positive++;
  }
  if (!Number.isInteger(count) || count < 0 || count > positive) {
    throw new Error(`cannot draw ${count} distinct indices: only ${positive} have a positive weight`);
  }
  const heapKeys = new Float64Array(count);
  const heapIndices = new Uint32Array(count);
  let filled = 0;
  for (let i = 0; i < size; i++) {
    const weight = weights[i];
    if (weight === 0) continue;
    const key = Math.log(1 - random.next()) / weight;
    if (filled < count) {
      siftUp(heapKeys, heapIndices, filled++, key, i);
    } else if (count > 0 && key > heapKeys[0]) {
      siftDown(heapKeys, heapIndices, count, key, i);
    }
  }
  // Popping the min-heap yields ascending keys; fill from the back so the largest key (first draw) leads.
  const order = new Uint32Array(count);
  for (let end = count - 1; end >= 0; end--) {
    order[end] = heapIndices[0];
    siftDown(heapKeys, heapIndices, end, heapKeys[end], heapIndices[end]);
  }
  return order;
}

function siftUp(keys: Float64Array, indices: Uint32Array, at: number, key: number, index: number): void {
  while (at > 0) {
    const parent = (at - 1) >> 1;
    if (keys[parent] <= key) break;
    keys[at] = keys[parent];
    indices[at] = indices[parent];
    at = parent;
  }
  keys[at] = key;
  indices[at] = index;
}

/** Replaces the heap's minimum by (key, index) within a heap of `size` items and restores the order. */
function siftDown(keys: Float64Array, indices: Uint32Array, size: number, key: number, index: number): void {
  let at = 0;
  for (;;) {
    let child = 2 * at + 1;
    if (child >= size) break;
    if (child + 1 < size && keys[child + 1] < keys[child]) child++;
    if (keys[child] >= key) break;
    keys[at] = keys[child];
    indices[at] = indices[child];
    at = child;
  }
  if (size > 0) {
    keys[at] = key;
    indices[at] = index;
  }
}

/** Per-epoch weighted draws (the reference's AS-2M sampler: 200 000 clips per epoch), for `EpochSampler`. */
export function weightedOrder(weights: ArrayLike<number>, countPerEpoch: number): EpochOrder {
  return (seed, epoch) =>
    weightedSampleWithoutReplacement(weights, countPerEpoch, new SeededRandom(streamSeed(seed, epoch)));
}

/** Parses `weights.csv`: one float per line (numpy `savetxt`), one line per training clip. */
export function parseWeightsCsv(text: string, file = 'weights.csv'): Float64Array {
  const lines = textLines(text);
  if (lines.length === 0) throw new DataFormatError(file, 'no weights');
  const weights = new Float64Array(lines.length);
  lines.forEach(({ text: value, line }, i) => {
    const weight = Number(value.trim());
    if (!Number.isFinite(weight) || weight < 0) {
      // A skipped line would shift every later weight onto the wrong clip, so this is fatal.
      throw new DataFormatError(file, `line ${line}: "${value}" is not a finite non-negative number`);
    }
    weights[i] = weight;
  });
  return weights;
}

/** Formats weights like numpy's `savetxt` default (`%.18e`, two-digit exponent at least). */
export function formatWeightsCsv(weights: ArrayLike<number>): string {
  let text = '';
  for (let i = 0; i < weights.length; i++) {
    text += `${weights[i].toExponential(18).replace(/e([+-])(\d)$/, 'e$10$2')}\n`;
  }
  return text;
}
