import { DataFormatError } from './errors.js';
import { LabelSet, labelledDataset, resolveLabels, splitLabelList } from './labels.js';
import { joinPath, textLines, withoutExtension } from './text.js';
import type { ClipEntry, Dataset, Problem } from './types.js';

/** A fairseq wav2vec-style `.tsv`: first line the root folder, then `relative_path<TAB>num_samples`. */
export interface TsvManifest {
  file: string;
  root: string;
  /** `position` counts data lines (malformed ones included), which is how `.lbl` lines pair with entries. */
  items: { relativePath: string; numSamples: number; line: number; position: number }[];
  /** Number of data lines after the root line, malformed ones included. */
  dataLines: number;
  problems: Problem[];
}

export function parseTsvManifest(text: string, file = 'manifest.tsv'): TsvManifest {
  const lines = textLines(text);
  if (lines.length === 0) throw new DataFormatError(file, 'empty manifest');
  const root = lines[0].text.trim();
  if (lines[0].text.includes('\t')) {
    throw new DataFormatError(file, 'first line must be the root folder, not a "path<TAB>samples" entry');
  }
  const items: TsvManifest['items'] = [];
  const problems: Problem[] = [];
  const dataLines = lines.slice(1);
  dataLines.forEach(({ text: line, line: number }, position) => {
    const fields = line.split('\t');
    if (fields.length !== 2) {
      problems.push({
        file,
        line: number,
        reason: `wrong field count: ${fields.length} instead of 2 (TAB-separated)`,
      });
      return;
    }
    const numSamples = Number(fields[1]);
    if (!/^\d+$/.test(fields[1].trim()) || fields[0] === '') {
      problems.push({ file, line: number, reason: `bad entry "${line}" (expected path<TAB>num_samples)` });
      return;
    }
    items.push({ relativePath: fields[0], numSamples, line: number, position });
  });
  if (items.length === 0) throw new DataFormatError(file, 'no entries after the root line');
  return { file, root, items, dataLines: dataLines.length, problems };
}

/** One line of a `.lbl` file: `<id><whitespace><label>[,<label>…]`. */
export interface LblLine {
  id: string;
  labels: string[];
  line: number;
}

/**
 * Parses a `.lbl` file. Lines are kept in order (they pair with the `.tsv` by position); a malformed line
 * is kept with no labels so the pairing stays aligned, and recorded as a problem.
 */
export function parseLbl(text: string, file = 'manifest.lbl'): { lines: LblLine[]; problems: Problem[] } {
  const lines: LblLine[] = [];
  const problems: Problem[] = [];
  for (const { text: line, line: number } of textLines(text)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length !== 2) {
      problems.push({
        file,
        line: number,
        reason: `wrong field count: ${fields.length} instead of 2 (id labels)`,
      });
      lines.push({ id: fields[0], labels: [], line: number });
      continue;
    }
    lines.push({ id: fields[0], labels: splitLabelList(fields[1]), line: number });
  }
  if (lines.length === 0) throw new DataFormatError(file, 'no label lines');
  return { lines, problems };
}

export interface FairseqSources {
  tsv: { text: string; file: string };
  /** Optional `.lbl`; without it the entries are unlabelled (pre-training). */
  lbl?: { text: string; file: string };
  /** Required with `lbl`: the label list (`label_descriptors.csv`, `class_labels_indices.csv`, …). */
  labels?: LabelSet;
  /** Replaces the `.tsv` root line (the reference's manifests carry the authors' absolute paths). */
  root?: string;
}

/**
 * The reference's fine-tuning manifest (`train.tsv` + `train.lbl` + `label_descriptors.csv`) as a Dataset.
 * `.lbl` lines pair with `.tsv` entries by position, as in the reference; an id that does not match its
 * `.tsv` path (extension ignored) is a problem, and an entry without a known label is dropped.
 */
export function fairseqDataset(sources: FairseqSources): Dataset {
  const tsv = parseTsvManifest(sources.tsv.text, sources.tsv.file);
  const root = sources.root ?? tsv.root;
  const problems = [...tsv.problems];
  const labels = sources.labels;
  if (sources.lbl === undefined) {
    const entries = tsv.items.map(
      (item): ClipEntry => ({
        id: withoutExtension(item.relativePath),
        path: joinPath(root, item.relativePath),
        labels: [],
        numSamples: item.numSamples,
      }),
    );
    return labelledDataset(entries, labels ?? new LabelSet([]), problems);
  }
  if (labels === undefined)
    throw new Error(`${sources.lbl.file}: a label list is needed to resolve its labels`);
  const lbl = parseLbl(sources.lbl.text, sources.lbl.file);
  problems.push(...lbl.problems);
  if (lbl.lines.length !== tsv.dataLines) {
    throw new DataFormatError(
      sources.lbl.file,
      `${lbl.lines.length} label lines but ${tsv.dataLines} entries in ${sources.tsv.file}`,
    );
  }
  const entries: ClipEntry[] = [];
  for (const item of tsv.items) {
    const line = lbl.lines[item.position];
    const id = withoutExtension(item.relativePath);
    if (withoutExtension(line.id) !== id) {
      problems.push({
        file: sources.lbl.file,
        line: line.line,
        reason: `id "${line.id}" does not match "${item.relativePath}"`,
      });
    }
    const indices = resolveLabels(labels, line.labels, sources.lbl.file, line.line, problems);
    if (indices.length === 0) {
      problems.push({
        file: sources.lbl.file,
        line: line.line,
        reason: `entry "${item.relativePath}" dropped: no known label`,
      });
      continue;
    }
    entries.push({
      id,
      path: joinPath(root, item.relativePath),
      labels: indices,
      numSamples: item.numSamples,
    });
  }
  return labelledDataset(entries, labels, problems);
}
