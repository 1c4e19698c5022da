import { DataFormatError } from './errors.js';
import { LabelSet, labelledDataset } from './labels.js';
import { joinPath, splitCsvLine, textLines, withoutExtension } from './text.js';
import type { ClipEntry, Dataset, Problem } from './types.js';

/** One row of ESC-50's `meta/esc50.csv`. */
export interface Esc50Row {
  filename: string;
  fold: number;
  target: number;
  category: string;
  esc10: boolean;
  srcFile: string;
  take: string;
  line: number;
}

const columns = ['filename', 'fold', 'target', 'category', 'esc10', 'src_file', 'take'] as const;

/** Parses `meta/esc50.csv` (header `filename,fold,target,category,esc10,src_file,take`). */
export function parseEsc50Meta(text: string, file = 'esc50.csv'): { rows: Esc50Row[]; problems: Problem[] } {
  const lines = textLines(text);
  const header = lines.length > 0 ? splitCsvLine(lines[0].text) : undefined;
  const at = columns.map((name) => header?.indexOf(name) ?? -1);
  if (at.some((index) => index < 0))
    throw new DataFormatError(file, `header must name the columns ${columns.join(',')}`);
  const rows: Esc50Row[] = [];
  const problems: Problem[] = [];
  for (const { text: line, line: number } of lines.slice(1)) {
    const fields = splitCsvLine(line);
    if (fields === undefined || fields.length !== header!.length) {
      problems.push({
        file,
        line: number,
        reason: `wrong field count: ${fields?.length ?? 0} instead of ${header!.length}`,
      });
      continue;
    }
    const [filename, fold, target, category, esc10, srcFile, take] = at.map((index) => fields[index]);
    if (!/^[1-5]$/.test(fold) || !/^\d+$/.test(target)) {
      problems.push({ file, line: number, reason: `bad fold "${fold}" or target "${target}"` });
      continue;
    }
    rows.push({
      filename,
      fold: Number(fold),
      target: Number(target),
      category,
      esc10: esc10 === 'True',
      srcFile,
      take,
      line: number,
    });
  }
  if (rows.length === 0) throw new DataFormatError(file, 'no rows');
  return { rows, problems };
}

/**
 * ESC-50's cross-validation split for one test fold (1–5): `eval` holds that fold, `train` the other four.
 * Labels are the `target` numbers (keys "0".."49"), named by `category`; paths are `<audioDir>/<filename>`.
 */
export function esc50Folds(
  text: string,
  testFold: number,
  options: { file?: string; audioDir?: string } = {},
): { train: Dataset; eval: Dataset } {
  const file = options.file ?? 'esc50.csv';
  if (!Number.isInteger(testFold) || testFold < 1 || testFold > 5) {
    throw new DataFormatError(file, `ESC-50 test fold must be 1..5, got ${testFold}`);
  }
  const { rows, problems } = parseEsc50Meta(text, file);
  const names: string[] = [];
  for (const row of rows) {
    const known = names[row.target];
    if (known === undefined) names[row.target] = row.category;
    else if (known !== row.category) {
      problems.push({
        file,
        line: row.line,
        reason: `target ${row.target} is "${known}" elsewhere, "${row.category}" here`,
      });
    }
  }
  for (let target = 0; target < names.length; target++) {
    if (names[target] === undefined) throw new DataFormatError(file, `no row has target ${target}`);
  }
  const toEntry = (row: Esc50Row): ClipEntry => ({
    id: withoutExtension(row.filename),
    path: joinPath(options.audioDir ?? 'audio', row.filename),
    labels: [row.target],
  });
  const labels = new LabelSet(
    names.map((_, target) => String(target)),
    names,
  );
  const dataset = (selected: Esc50Row[]): Dataset =>
    labelledDataset(selected.map(toEntry), labels, [...problems]);
  return {
    train: dataset(rows.filter((row) => row.fold !== testFold)),
    eval: dataset(rows.filter((row) => row.fold === testFold)),
  };
}
