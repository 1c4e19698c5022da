/**
 * AudioSet inputs of any layout `@cat/data` reads (segment CSVs matched to downloaded files, the reference's
 * `SFT_AS20k/*.tsv` manifests, AST datafiles, ...) written as one kind of manifest per split, with absolute
 * paths: an AST-style datafile (`{"data": [{"wav", "labels"}]}`) and the class list beside it. Training and
 * evaluation audio usually live in different folders (`bal_train/`, `eval/`), while a `cat-audio finetune`
 * recipe has one `data.root` for both; absolute paths remove the question.
 */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type Dataset, type LabelSet, labelSetOf } from '@cat/data';
import { loadAnyDataset } from '@cat/data/node';
import { writeFileAtomic } from '@cat/frontend/node';
import { writeLabelDescriptors } from '@example/recipe-kit';

export interface SplitInput {
  /** A segment CSV, a `.tsv` manifest, a datafile, a folder... */
  path: string;
  /** Audio root: where a CSV's segments are searched, or a `.tsv`'s replacement root line. */
  root?: string;
}

export interface SplitManifest {
  /** The datafile written (`<out>/<name>.json`). */
  file: string;
  /** Clips written (entries with a file). */
  clips: number;
  /** Problems the reader reported (missing segments, unknown labels, ...), as `file:line: reason`. */
  problems: string[];
  /** How many clips carry each class, by class index. */
  classCounts: number[];
}

export interface AudioSetManifests {
  labels: LabelSet;
  /** The class list beside the datafiles. */
  labelFile: string;
  train: SplitManifest;
  eval: SplitManifest;
}

async function writeSplit(dataset: Dataset, out: string, name: string): Promise<SplitManifest> {
  const data = dataset.entries.map((entry) => ({
    wav: resolve(entry.path),
    labels: entry.labels.map((i) => dataset.labelKeys[i]).join(','),
  }));
  const file = join(out, `${name}.json`);
  await writeFileAtomic(file, new TextEncoder().encode(`${JSON.stringify({ data }, null, 1)}\n`));
  const classCounts = new Array<number>(dataset.labelKeys.length).fill(0);
  for (const entry of dataset.entries) for (const i of entry.labels) classCounts[i]++;
  return {
    file,
    clips: dataset.entries.length,
    problems: dataset.problems.map((p) => `${p.file}:${p.line}: ${p.reason}`),
    classCounts,
  };
}

/**
 * Reads the training and evaluation inputs (classes from `labels`, else the list found beside the training
 * input), and writes `<out>/train.json`, `<out>/eval.json` and `<out>/label_descriptors.csv`.
 */
export async function writeAudioSetManifests(options: {
  train: SplitInput;
  eval: SplitInput;
  labels?: string;
  out: string;
}): Promise<AudioSetManifests> {
  const train = await loadAnyDataset(options.train.path, {
    root: options.train.root,
    labels: options.labels,
  });
  if (train.dataset.labelKeys.length === 0)
    throw new Error(`${options.train.path}: no class list found (give --labels class_labels_indices.csv)`);
  const labels = labelSetOf(train.dataset);
  const evaluation = await loadAnyDataset(options.eval.path, { root: options.eval.root, labels });
  await mkdir(options.out, { recursive: true });
  const labelFile = join(options.out, 'label_descriptors.csv');
  await writeLabelDescriptors(labelFile, labels);
  const trainSet = train.splits?.train ?? train.dataset;
  const evalSet = evaluation.splits?.test ?? evaluation.dataset;
  for (const [name, set, input] of [
    ['training', trainSet, options.train.path],
    ['evaluation', evalSet, options.eval.path],
  ] as const) {
    if (set.entries.length === 0) throw new Error(`${input}: no ${name} clip found (check --root)`);
  }
  return {
    labels,
    labelFile,
    train: await writeSplit(trainSet, options.out, 'train'),
    eval: await writeSplit(evalSet, options.out, 'eval'),
  };
}
