/** One clip of a dataset, whatever manifest it came from. */
export interface ClipEntry {
  /** Stable identifier: the manifest's id, or the relative path without its extension. */
  id: string;
  /** Audio file path (root joined with the manifest's relative path). */
  path: string;
  /** Indices into the dataset's label list (empty for unlabelled pre-training data). */
  labels: number[];
  /** Length in samples at the file's own rate, when the manifest states it. */
  numSamples?: number;
  /** External feature file (the `.npy` clip embedding used by Representation Regularization). */
  featurePath?: string;
}

/** A line-level issue found while reading a manifest; the line is skipped or repaired, never fatal. */
export interface Problem {
  file: string;
  /** 1-based line number (for JSON manifests: 1-based item number; 0 when the issue concerns no line). */
  line: number;
  reason: string;
}

/** The common in-memory form of every manifest this package reads. */
export interface Dataset {
  entries: ClipEntry[];
  /** Display names, indexed like `ClipEntry.labels`. */
  labelNames: string[];
  /** Machine keys (AudioSet MIDs, class indices as strings, words), indexed like `labelNames`. */
  labelKeys: string[];
  problems: Problem[];
}
