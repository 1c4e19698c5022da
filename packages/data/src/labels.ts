import { DataFormatError } from './errors.js';
import { splitCsvLine, textLines } from './text.js';
import type { ClipEntry, Dataset, Problem } from './types.js';

/**
 * An ordered label list: index ↔ key (AudioSet MID, class index as text, word) ↔ display name.
 * `resolve` accepts any of the three spellings manifests use.
 */
export class LabelSet {
  readonly keys: readonly string[];
  readonly names: readonly string[];
  private readonly byKey = new Map<string, number>();
  private readonly byName = new Map<string, number>();

  constructor(keys: readonly string[], names: readonly string[] = keys) {
    if (keys.length !== names.length) {
      throw new Error(`LabelSet: ${keys.length} keys but ${names.length} names`);
    }
    this.keys = keys;
    this.names = names;
    keys.forEach((key, index) => {
      if (this.byKey.has(key)) throw new Error(`LabelSet: duplicate key "${key}" at ${index}`);
      this.byKey.set(key, index);
    });
    // First occurrence wins for names: display names are not guaranteed unique.
    names.forEach((name, index) => {
      if (!this.byName.has(name)) this.byName.set(name, index);
    });
  }

  get size(): number {
    return this.keys.length;
  }

  /** Index of a label given as key, then display name, then decimal index; undefined when unknown. */
  resolve(token: string): number | undefined {
    const key = this.byKey.get(token);
    if (key !== undefined) return key;
    const name = this.byName.get(token);
    if (name !== undefined) return name;
    if (/^\d+$/.test(token)) {
      const index = Number(token);
      if (index < this.keys.length) return index;
    }
    return undefined;
  }
}

/** Resolves label tokens, recording unknown ones as problems. */
export function resolveLabels(
  labels: LabelSet,
  tokens: readonly string[],
  file: string,
  line: number,
  problems: Problem[],
): number[] {
  const indices: number[] = [];
  for (const token of tokens) {
    const index = labels.resolve(token);
    if (index === undefined) problems.push({ file, line, reason: `unknown label "${token}"` });
    else if (!indices.includes(index)) indices.push(index);
  }
  return indices;
}

/** Splits a label list such as `/m/09x0r,/m/04rlf` or `dog;bark`, dropping empty items. */
export function splitLabelList(text: string, separators: RegExp = /,/): string[] {
  return text
    .split(separators)
    .map((token) => token.trim())
    .filter((token) => token !== '');
}

/**
 * Parses `index,key,name` rows: AudioSet's `class_labels_indices.csv` (header `index,mid,display_name`)
 * and the reference's `label_descriptors.csv` (no header). Rows must be numbered 0, 1, 2, … in order.
 */
export function parseLabelList(text: string, file = 'labels.csv'): LabelSet {
  const keys: string[] = [];
  const names: string[] = [];
  for (const { text: line, line: number } of textLines(text)) {
    const fields = splitCsvLine(line);
    if (keys.length === 0 && names.length === 0 && fields?.[0] === 'index') continue; // header
    if (fields === undefined || fields.length !== 3) {
      throw new DataFormatError(file, `line ${number}: expected index,key,name but got "${line}"`);
    }
    if (Number(fields[0]) !== keys.length || fields[0].trim() === '') {
      throw new DataFormatError(
        file,
        `line ${number}: index ${fields[0]} out of order (expected ${keys.length})`,
      );
    }
    keys.push(fields[1]);
    names.push(fields[2]);
  }
  if (keys.length === 0) throw new DataFormatError(file, 'no labels');
  try {
    return new LabelSet(keys, names);
  } catch (error) {
    throw new DataFormatError(file, (error as Error).message);
  }
}

/** Writes a label list in the reference's `label_descriptors.csv` form (no header, names quoted). */
export function formatLabelDescriptors(labels: LabelSet): string {
  return labels.keys
    .map((key, index) => `${index},${key},"${labels.names[index].replaceAll('"', '""')}"`)
    .join('\n')
    .concat('\n');
}

/** The label list of a dataset, as a LabelSet. */
export function labelSetOf(dataset: {
  labelKeys: readonly string[];
  labelNames: readonly string[];
}): LabelSet {
  return new LabelSet(dataset.labelKeys, dataset.labelNames);
}

/** A Dataset over `labels` (names and keys copied, so the LabelSet stays immutable). */
export function labelledDataset(entries: ClipEntry[], labels: LabelSet, problems: Problem[]): Dataset {
  return { entries, labelNames: [...labels.names], labelKeys: [...labels.keys], problems };
}
