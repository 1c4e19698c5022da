import type { ClipEntry } from './types.js';

/**
 * The part of `items` for one of `worldSize` workers: indices ≡ rank (mod worldSize). Shards are disjoint and
 * together cover every item once (no padding, unlike torch's DistributedSampler; sizes differ by at most 1).
 */
export function shard<T>(items: ArrayLike<T>, rank: number, worldSize: number): T[] {
  if (!Number.isInteger(worldSize) || worldSize < 1)
    throw new Error(`worldSize must be a positive integer, got ${worldSize}`);
  if (!Number.isInteger(rank) || rank < 0 || rank >= worldSize)
    throw new Error(`rank must be in [0, ${worldSize}), got ${rank}`);
  const part: T[] = [];
  for (let i = rank; i < items.length; i += worldSize) part.push(items[i]);
  return part;
}

/** The reference's `min_sample_size`. */
export const minSampleSize = 10000;

/**
 * Drops clips shorter than `minSamples` (by their manifest size), as the reference's loader does.
 * `kept` holds the original indices of the remaining entries (to select their rows of `weights.csv`).
 * Entries without a size are kept.
 */
export function dropShortClips(
  entries: readonly ClipEntry[],
  minSamples = minSampleSize,
): { entries: ClipEntry[]; kept: number[]; dropped: number } {
  const kept: number[] = [];
  entries.forEach((entry, index) => {
    if (entry.numSamples === undefined || entry.numSamples >= minSamples) kept.push(index);
  });
  return { entries: kept.map((index) => entries[index]), kept, dropped: entries.length - kept.length };
}
