import type { SeededRandom } from '@cat/frontend';
import { beta, intBetween } from './distributions.js';

/**
 * `np.roll` / `torch.roll` along the first axis of row-major data with rows of `rowLength` values:
 * row i of the output is row (i − shift) mod rows of the input. `rowLength` F rolls a [T, F] fbank in time.
 */
export function roll(data: Float32Array, shift: number, rowLength = 1): Float32Array {
  if (data.length % rowLength !== 0)
    throw new Error(`array of ${data.length} is not whole rows of ${rowLength}`);
  const rows = data.length / rowLength;
  const out = new Float32Array(data.length);
  if (rows === 0) return out;
  const offset = (((shift % rows) + rows) % rows) * rowLength;
  out.set(data.subarray(data.length - offset), 0);
  out.set(data.subarray(0, data.length - offset), offset);
  return out;
}

/**
 * The reference's fine-tuning roll augmentation: roll by randint(N) samples, then scale by Beta(10, 10) + 0.5
 * (a gain in about [0.7, 1.3]).
 */
export function rollWithRandomGain(waveform: Float32Array, random: SeededRandom): Float32Array {
  const out = roll(waveform, random.int(Math.max(waveform.length, 1)));
  const gain = beta(random, 10, 10) + 0.5;
  for (let i = 0; i < out.length; i++) out[i] *= gain;
  return out;
}

/**
 * The SPC-2 noise augmentation on a [T, F] fbank: add U[0,1)·r/10 per value with one r ~ U[0,1) per clip,
 * then roll along time by randint(−10, 10) ∈ [−10, 9] frames. Returns a new array.
 */
export function addNoiseAndRoll(fbank: Float32Array, numBins: number, random: SeededRandom): Float32Array {
  const scale = random.next() / 10;
  const noisy = new Float32Array(fbank.length);
  for (let i = 0; i < fbank.length; i++) noisy[i] = fbank[i] + random.next() * scale;
  return roll(noisy, intBetween(random, -10, 10), numBins);
}

/**
 * A random window of `length` values (start uniform in [0, N − length]); a shorter input is zero-padded
 * at the end, as the reference pads. Rows of `rowLength` values move together (F crops whole fbank frames).
 */
export function randomCrop(
  data: Float32Array,
  length: number,
  random: SeededRandom,
  rowLength = 1,
): Float32Array {
  if (data.length % rowLength !== 0)
    throw new Error(`array of ${data.length} is not whole rows of ${rowLength}`);
  const have = data.length / rowLength;
  const out = new Float32Array(length * rowLength);
  if (have <= length) {
    out.set(data);
    return out;
  }
  const start = random.int(have - length + 1) * rowLength;
  out.set(data.subarray(start, start + length * rowLength));
  return out;
}
