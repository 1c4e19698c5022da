import { LabelSet, labelledDataset, resolveLabels } from './labels.js';
import { joinPath, withoutExtension } from './text.js';
import type { ClipEntry, Dataset, Problem } from './types.js';

export interface ClassFolderOptions {
  /** Folder the relative paths are in (joined into `ClipEntry.path`). */
  root?: string;
  /** Fixed label list; default: the class folder names, sorted. */
  labels?: LabelSet;
  /** Name used in problems (default: the root). */
  file?: string;
}

/** The class of a relative path: its first folder, or undefined for a file at the top level. */
function classOf(relativePath: string): string | undefined {
  const slash = relativePath.indexOf('/');
  return slash > 0 ? relativePath.slice(0, slash) : undefined;
}

/** Sorted folder names of the given relative paths: the default label list of a folder-per-class layout. */
export function classFolderLabels(relativePaths: readonly string[]): LabelSet {
  const names = new Set<string>();
  for (const path of relativePaths) {
    const name = classOf(path);
    if (name !== undefined) names.add(name);
  }
  return new LabelSet([...names].sort());
}

/**
 * A folder-per-class dataset from relative paths (`dog/a.wav`, `cat/b.wav`, `/`-separated): the label is the
 * first folder. Files at the top level, and folders outside a fixed label list, are problems.
 */
export function classFolderDataset(
  relativePaths: readonly string[],
  options: ClassFolderOptions = {},
): Dataset {
  const root = options.root ?? '';
  const file = options.file ?? (root || '.');
  const labels = options.labels ?? classFolderLabels(relativePaths);
  const problems: Problem[] = [];
  const entries: ClipEntry[] = [];
  for (const relativePath of relativePaths) {
    const name = classOf(relativePath);
    if (name === undefined) {
      problems.push({ file, line: 0, reason: `"${relativePath}" is not inside a class folder` });
      continue;
    }
    const indices = resolveLabels(labels, [name], file, 0, problems);
    if (indices.length === 0) continue;
    entries.push({ id: withoutExtension(relativePath), path: joinPath(root, relativePath), labels: indices });
  }
  return labelledDataset(entries, labels, problems);
}
