import { access, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join } from 'node:path';
import {
  audioExtensions,
  indexAudioSetFiles,
  matchSegmentsToFiles,
  parseAudioSetFileName,
} from './audioset-files.js';
import { DataFormatError } from './errors.js';
import { esc50Folds } from './esc50.js';
import { parseAstDatafile, parseFeatureManifest } from './json-manifest.js';
import { LabelSet, labelledDataset, splitLabelList } from './labels.js';
import { listFiles, readTextFile } from './node-files.js';
import {
  loadClassFolders,
  loadEsc50,
  loadFairseqManifest,
  loadLabelList,
  loadPathLabelCsv,
  loadSpeechCommands,
} from './node-loaders.js';
import { parseSegmentsCsv } from './segments.js';
import { textLines, withoutExtension } from './text.js';
import type { Dataset } from './types.js';

export type DatasetKind =
  | 'speech-commands'
  | 'esc50'
  | 'class-folders'
  | 'audioset-folder'
  | 'audio-folder'
  | 'fairseq-tsv'
  | 'feature-json'
  | 'ast-json'
  | 'esc50-csv'
  | 'audioset-segments'
  | 'path-label-csv';

export interface LoadedDataset {
  kind: DatasetKind;
  /** Every entry of the input; for layouts with splits, all splits together. */
  dataset: Dataset;
  /**
   * Named parts when the layout defines them (Speech Commands: train, validation, test; ESC-50 with `fold`: train,
   * test).
   */
  splits?: Record<string, Dataset>;
  /** The files the dataset was read from (manifest, label lists found beside it). */
  sources: string[];
}

export interface LoadAnyOptions {
  /** Audio root: replaces a `.tsv` root line, or where CSV paths and AudioSet segment files are found. */
  root?: string;
  /** Label list (`label_descriptors.csv`, `class_labels_indices.csv`) instead of one found beside the input. */
  labels?: string | LabelSet;
  /**
   * ESC-50 (its folder or `meta/esc50.csv`) only: the cross-validation fold (1–5) held out as the `test` split,
   * the other four folds being the `train` split. Without it the five folds come as one dataset, without splits.
   */
  fold?: number;
}

const labelListNames = ['label_descriptors.csv', 'class_labels_indices.csv'];

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

async function firstExisting(paths: string[]): Promise<string | undefined> {
  for (const path of paths) if (await exists(path)) return path;
  return undefined;
}

/** The label list given in the options, else the first one found in `folder`. */
async function labelsFor(
  folder: string,
  options: LoadAnyOptions,
  sources: string[],
): Promise<LabelSet | undefined> {
  if (options.labels instanceof LabelSet) return options.labels;
  const file = options.labels ?? (await firstExisting(labelListNames.map((name) => join(folder, name))));
  if (file === undefined) return undefined;
  sources.push(file);
  return loadLabelList(file);
}

function merge(parts: Dataset[]): Dataset {
  return {
    entries: parts.flatMap((part) => part.entries),
    labelNames: parts[0].labelNames,
    labelKeys: parts[0].labelKeys,
    problems: parts.flatMap((part) => part.problems),
  };
}

function unlabelled(root: string, files: string[]): Dataset {
  const entries = files.map((file) => ({ id: withoutExtension(file), path: join(root, file), labels: [] }));
  return labelledDataset(entries, new LabelSet([]), []);
}

/** Paths in JSON manifests may be relative to the manifest's folder. */
function resolvePaths(dataset: Dataset, folder: string): Dataset {
  const entries = dataset.entries.map((entry) => ({
    ...entry,
    path: isAbsolute(entry.path) ? entry.path : join(folder, entry.path),
    ...(entry.featurePath !== undefined && !isAbsolute(entry.featurePath)
      ? { featurePath: join(folder, entry.featurePath) }
      : {}),
  }));
  return { ...dataset, entries };
}

/**
 * Reads a dataset from whatever the path is, recognising the layout:
 * - a folder: Speech Commands (`validation_list.txt` + `testing_list.txt`), ESC-50 (`meta/esc50.csv`),
 *   AudioSet audio (every file named `Y<ytid>.wav`, `<ytid>_<start>.flac`, …; unlabelled), a folder per class,
 *   or a flat folder of audio (unlabelled);
 * - `.tsv`: the reference's manifest, with the `.lbl` of the same name and a `label_descriptors.csv` (or
 *   `class_labels_indices.csv`) beside it when present;
 * - `.json`: the pre-training feature manifest (a list of `wav_path`/`clap_path`/`num_frame`) or an AST
 *   datafile (`{"data": [{"wav", "labels"}]}`);
 * - `.csv`: ESC-50's `esc50.csv`, an AudioSet segment list (matched to the audio files below the CSV's
 *   folder or `root`; missing segments become problems), or `path,label` rows.
 * `.gz` variants of the text files are read too. A layout it cannot read is a DataFormatError.
 */
export async function loadAnyDataset(path: string, options: LoadAnyOptions = {}): Promise<LoadedDataset> {
  const loaded = await loadAny(path, options);
  if (options.fold !== undefined && loaded.kind !== 'esc50' && loaded.kind !== 'esc50-csv')
    throw new DataFormatError(
      path,
      `a fold (${options.fold}) selects ESC-50 splits, but this is ${loaded.kind}`,
    );
  return loaded;
}

/** ESC-50's five folds as one dataset, or split by `fold` into the held-out `test` fold and the `train` rest. */
function esc50Loaded(
  kind: 'esc50' | 'esc50-csv',
  split: { train: Dataset; eval: Dataset },
  options: LoadAnyOptions,
  sources: string[],
): LoadedDataset {
  // Both parts carry every problem of the one file they come from: keep one copy.
  const dataset = { ...merge([split.eval, split.train]), problems: split.eval.problems };
  if (options.fold === undefined) return { kind, dataset, sources };
  return { kind, dataset, splits: { train: split.train, test: split.eval }, sources };
}

async function loadAny(path: string, options: LoadAnyOptions): Promise<LoadedDataset> {
  const info = await stat(path).catch(() => {
    throw new DataFormatError(path, 'no such file or folder');
  });
  if (info.isDirectory()) return loadFolder(path, options);
  const name = basename(path).toLowerCase().replace(/\.gz$/, '');
  const folder = dirname(path);
  const sources = [path];
  if (name.endsWith('.tsv')) {
    const base = path.replace(/\.tsv(\.gz)?$/i, '');
    const lbl = await firstExisting([`${base}.lbl`, `${base}.lbl.gz`]);
    const labels = await labelsFor(folder, options, sources);
    if (lbl !== undefined) {
      sources.push(lbl);
      if (labels === undefined)
        throw new DataFormatError(lbl, `needs a label list: put ${labelListNames.join(' or ')} beside it`);
    }
    const dataset = await loadFairseqManifest({ tsv: path, lbl, labels, root: options.root });
    return { kind: 'fairseq-tsv', dataset, sources };
  }
  if (name.endsWith('.json')) return loadJson(path, options, sources);
  if (name.endsWith('.csv')) return loadCsv(path, options, sources);
  throw new DataFormatError(path, 'expected a folder, a .tsv, a .json or a .csv');
}

async function loadFolder(root: string, options: LoadAnyOptions): Promise<LoadedDataset> {
  const labels = options.labels === undefined ? undefined : await labelsFor(root, options, []);
  const validation = join(root, 'validation_list.txt');
  const testing = join(root, 'testing_list.txt');
  if ((await exists(validation)) && (await exists(testing))) {
    const { train, validation: valid, test } = await loadSpeechCommands(root, labels);
    return {
      kind: 'speech-commands',
      dataset: merge([train, valid, test]),
      splits: { train, validation: valid, test },
      sources: [root, validation, testing],
    };
  }
  const esc50 = join(root, 'meta', 'esc50.csv');
  if (await exists(esc50)) {
    return esc50Loaded('esc50', await loadEsc50(root, options.fold ?? 1), options, [esc50]);
  }
  const files = await listFiles(root, audioExtensions);
  if (files.length === 0)
    throw new DataFormatError(root, `no audio files (${audioExtensions.join(', ')}) below this folder`);
  if (files.every((file) => parseAudioSetFileName(file) !== undefined))
    return { kind: 'audioset-folder', dataset: unlabelled(root, files), sources: [root] };
  if (files.some((file) => file.includes('/'))) {
    return { kind: 'class-folders', dataset: await loadClassFolders(root, { labels }), sources: [root] };
  }
  return { kind: 'audio-folder', dataset: unlabelled(root, files), sources: [root] };
}

async function loadJson(path: string, options: LoadAnyOptions, sources: string[]): Promise<LoadedDataset> {
  const text = await readTextFile(path);
  const folder = dirname(path);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new DataFormatError(path, `not JSON (${(error as Error).message})`);
  }
  if (Array.isArray(raw))
    return { kind: 'feature-json', dataset: resolvePaths(parseFeatureManifest(text, path), folder), sources };
  const items = (raw as { data?: unknown })?.data;
  if (!Array.isArray(items))
    throw new DataFormatError(
      path,
      'expected a feature manifest (a JSON list) or an AST datafile ({"data": [...]})',
    );
  // Without a label list, the labels the file uses, sorted, are the classes.
  const labels =
    (await labelsFor(folder, options, sources)) ??
    new LabelSet(
      [
        ...new Set(
          items.flatMap((item) => (typeof item?.labels === 'string' ? splitLabelList(item.labels) : [])),
        ),
      ].sort(),
    );
  return { kind: 'ast-json', dataset: resolvePaths(parseAstDatafile(text, labels, path), folder), sources };
}

async function loadCsv(path: string, options: LoadAnyOptions, sources: string[]): Promise<LoadedDataset> {
  const text = await readTextFile(path);
  const folder = dirname(path);
  const first = textLines(text)[0]?.text ?? '';
  const header = first.split(',').map((field) => field.trim().toLowerCase());
  if (['filename', 'fold', 'target', 'category'].every((column) => header.includes(column))) {
    // ESC-50 keeps audio in `<root>/audio` beside `<root>/meta/esc50.csv`.
    const audioDir = options.root ?? join(folder, '..', 'audio');
    return esc50Loaded(
      'esc50-csv',
      esc50Folds(text, options.fold ?? 1, { file: path, audioDir }),
      options,
      sources,
    );
  }
  if (header.length === 3 && (header[0] === 'index' || header[0] === '0'))
    throw new DataFormatError(path, 'this is a label list (index,key,name), not a dataset');
  if (first.startsWith('#') || /^[A-Za-z0-9_-]{11},\s*\d/.test(first)) {
    const labels = await labelsFor(folder, options, sources);
    if (labels === undefined)
      throw new DataFormatError(path, `AudioSet segments need ${labelListNames.join(' or ')} beside the CSV`);
    const list = parseSegmentsCsv(text, path);
    const root = options.root ?? folder;
    const index = indexAudioSetFiles(await listFiles(root, audioExtensions), root);
    const match = matchSegmentsToFiles(list, index, labels);
    const problems = [
      ...match.dataset.problems,
      ...match.missing.map((segment) => ({
        file: path,
        line: segment.line,
        reason: `no audio file for segment ${segment.ytid} (${segment.startSeconds}-${segment.endSeconds} s) below ${root}`,
      })),
    ];
    return { kind: 'audioset-segments', dataset: { ...match.dataset, problems }, sources };
  }
  const labels = options.labels === undefined ? undefined : await labelsFor(folder, options, sources);
  const dataset = await loadPathLabelCsv(path, { root: options.root, labels });
  return { kind: 'path-label-csv', dataset, sources };
}
