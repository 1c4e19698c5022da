import { DataFormatError } from './errors.js';
import { LabelSet, labelledDataset, resolveLabels, splitLabelList } from './labels.js';
import { joinPath, splitCsvLine, textLines, withoutExtension } from './text.js';
import type { ClipEntry, Dataset, Problem } from './types.js';

export interface PathLabelCsvOptions {
  file?: string;
  /** Folder relative paths are resolved against (usually the CSV's folder). */
  root?: string;
  /** Fixed label list; default: every label seen, sorted. */
  labels?: LabelSet;
}

/** Labels inside one field are separated by `,` (field quoted) or `;`. */
const labelSeparators = /[,;]/;

/**
 * A `path,label` CSV. An optional header row (`path|file|filename,label|labels`) is skipped. The label field
 * holds one or several labels separated by `,` (then the field is quoted: `a.wav,"dog,bark"`) or by `;`
 * (`a.wav,dog;bark`); labels resolve as keys, names or indices of a fixed label list when one is given.
 */
export function parsePathLabelCsv(text: string, options: PathLabelCsvOptions = {}): Dataset {
  const file = options.file ?? 'labels.csv';
  const rows: { path: string; labels: string[]; line: number }[] = [];
  const problems: Problem[] = [];
  textLines(text).forEach(({ text: line, line: number }, index) => {
    const fields = splitCsvLine(line);
    if (
      index === 0 &&
      fields?.length === 2 &&
      /^(path|file|filename)$/i.test(fields[0]) &&
      /^labels?$/i.test(fields[1])
    ) {
      return;
    }
    if (fields === undefined || fields.length !== 2) {
      const count = fields?.length ?? 0;
      problems.push({
        file,
        line: number,
        reason: `wrong field count: ${count} instead of 2 (quote label lists with commas)`,
      });
      return;
    }
    rows.push({ path: fields[0].trim(), labels: splitLabelList(fields[1], labelSeparators), line: number });
  });
  if (rows.length === 0) throw new DataFormatError(file, 'no path,label rows');
  const labels = options.labels ?? new LabelSet([...new Set(rows.flatMap((row) => row.labels))].sort());
  const entries: ClipEntry[] = [];
  for (const row of rows) {
    const indices = resolveLabels(labels, row.labels, file, row.line, problems);
    if (indices.length === 0) {
      problems.push({ file, line: row.line, reason: `entry "${row.path}" dropped: no known label` });
      continue;
    }
    entries.push({
      id: withoutExtension(row.path),
      path: joinPath(options.root ?? '', row.path),
      labels: indices,
    });
  }
  return labelledDataset(entries, labels, problems);
}
