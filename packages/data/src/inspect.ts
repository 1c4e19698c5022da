import type { SkipKind } from './clip-features.js';
import { readClip } from './clip-source.js';
import type { Dataset, Problem } from './types.js';

/** One entry's audio as the pipeline would see it. */
export type ClipCheck =
  | { path: string; ok: true; sampleRate: number; seconds: number; channels: number }
  | { path: string; ok: false; kind: SkipKind; reason: string };

export interface DatasetInspection {
  entries: number;
  /** Entries checked (all, unless `limit` was given). */
  checked: number;
  readable: number;
  /** Per class of the label list: how many entries carry it. */
  labelCounts: { key: string; name: string; count: number }[];
  /** Summed duration of the readable clips. */
  totalSeconds: number;
  /** Sample rate → number of readable clips at that rate, ascending. */
  sampleRates: [number, number][];
  unreadable: Extract<ClipCheck, { ok: false }>[];
  /** Manifest lines dropped or repaired while reading it. */
  problems: Problem[];
}

/**
 * Decodes and checks every entry's file (the checks FbankLoader applies: missing, empty, undecodable,
 * truncated, implausible sample rate, non-finite, silent, shorter than `minSamples`), `concurrency` files
 * at a time, and summarises the dataset.
 */
export async function inspectDataset(
  dataset: Dataset,
  options: {
    minSamples?: number;
    limit?: number;
    concurrency?: number;
    onCheck?: (check: ClipCheck) => void;
  } = {},
): Promise<DatasetInspection> {
  const entries = dataset.entries.slice(0, options.limit ?? dataset.entries.length);
  const checks: ClipCheck[] = new Array(entries.length);
  let next = 0;
  const worker = async () => {
    while (next < entries.length) {
      const at = next++;
      const { path } = entries[at];
      const clip = await readClip(path, options.minSamples);
      checks[at] =
        'problem' in clip
          ? { path, ok: false, ...clip.problem }
          : {
              path,
              ok: true,
              sampleRate: clip.audio.sampleRate,
              seconds: clip.audio.samples.length / clip.audio.sampleRate,
              channels: clip.audio.channels,
            };
      options.onCheck?.(checks[at]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 4) }, worker));

  const counts = new Array(dataset.labelKeys.length).fill(0);
  for (const entry of dataset.entries) for (const label of entry.labels) counts[label]++;
  const rates = new Map<number, number>();
  let totalSeconds = 0;
  const unreadable: Extract<ClipCheck, { ok: false }>[] = [];
  for (const check of checks) {
    if (!check.ok) {
      unreadable.push(check);
      continue;
    }
    totalSeconds += check.seconds;
    rates.set(check.sampleRate, (rates.get(check.sampleRate) ?? 0) + 1);
  }
  return {
    entries: dataset.entries.length,
    checked: checks.length,
    readable: checks.length - unreadable.length,
    labelCounts: dataset.labelKeys.map((key, i) => ({ key, name: dataset.labelNames[i], count: counts[i] })),
    totalSeconds,
    sampleRates: [...rates].sort((a, b) => a[0] - b[0]),
    unreadable,
    problems: dataset.problems,
  };
}
