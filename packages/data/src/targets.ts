/** Multi-hot target: 1 at each label index (AudioSet, BCE loss). */
export function multiHot(labels: readonly number[], numClasses: number): Float32Array {
  const target = new Float32Array(numClasses);
  for (const label of labels) {
    if (!Number.isInteger(label) || label < 0 || label >= numClasses)
      throw new Error(`label ${label} outside [0, ${numClasses})`);
    target[label] = 1;
  }
  return target;
}

/**
 * One-hot target with label smoothing s (ESC-50 uses 0.1): (1 − s) + s/C on the label, s/C elsewhere,
 * as timm's `one_hot(…, on_value, off_value)` and PyTorch's `cross_entropy(label_smoothing=s)`.
 */
export function smoothedOneHot(label: number, numClasses: number, smoothing = 0): Float32Array {
  if (!(smoothing >= 0 && smoothing < 1)) throw new Error(`smoothing must be in [0, 1), got ${smoothing}`);
  const off = smoothing / numClasses;
  const target = new Float32Array(numClasses).fill(off);
  target[singleLabel([label], numClasses)] = 1 - smoothing + off;
  return target;
}

/** The one label of a single-label clip; throws for zero or several labels. */
export function singleLabel(labels: readonly number[], numClasses: number, id = 'clip'): number {
  if (labels.length !== 1) throw new Error(`${id}: expected exactly one label, got ${labels.length}`);
  const label = labels[0];
  if (!Number.isInteger(label) || label < 0 || label >= numClasses)
    throw new Error(`${id}: label ${label} outside [0, ${numClasses})`);
  return label;
}

/**
 * Targets of a batch as one row-major [B, C] array: multi-hot, or smoothed one-hot for single-label tasks.
 */
export function batchTargets(
  clips: readonly { id?: string; labels: readonly number[] }[],
  numClasses: number,
  options: { singleLabel?: boolean; smoothing?: number } = {},
): Float32Array {
  const targets = new Float32Array(clips.length * numClasses);
  clips.forEach((clip, b) => {
    const row = options.singleLabel
      ? smoothedOneHot(singleLabel(clip.labels, numClasses, clip.id), numClasses, options.smoothing ?? 0)
      : multiHot(clip.labels, numClasses);
    targets.set(row, b * numClasses);
  });
  return targets;
}
