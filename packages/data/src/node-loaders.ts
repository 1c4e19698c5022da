import { join } from 'node:path';
import { writeFileAtomic } from '@cat/frontend/node';
import { type AudioSetFileIndex, audioExtensions, indexAudioSetFiles } from './audioset-files.js';
import { classFolderDataset } from './class-folders.js';
import { esc50Folds } from './esc50.js';
import { fairseqDataset } from './fairseq-manifest.js';
import { parseAstDatafile, parseFeatureManifest } from './json-manifest.js';
import { type LabelSet, parseLabelList } from './labels.js';
import { listFiles, readTextFile } from './node-files.js';
import { type Ontology, parseOntology } from './ontology.js';
import { parsePathLabelCsv } from './path-label-csv.js';
import { parseSegmentsCsv, type SegmentList } from './segments.js';
import { type SpeechCommandsSplits, speechCommandsSplits } from './speech-commands.js';
import type { Dataset } from './types.js';
import { formatWeightsCsv, parseWeightsCsv } from './weighted-sampling.js';

// Node (fs) wrappers over the pure parsers: each reads its files and passes their names along for messages.

export async function loadOntology(path: string): Promise<Ontology> {
  return parseOntology(await readTextFile(path), path);
}

/** `class_labels_indices.csv` or `label_descriptors.csv`. */
export async function loadLabelList(path: string): Promise<LabelSet> {
  return parseLabelList(await readTextFile(path), path);
}

export async function loadSegmentsCsv(path: string): Promise<SegmentList> {
  return parseSegmentsCsv(await readTextFile(path), path);
}

/** The reference's fine-tuning manifest: `tsv` (+ `lbl` and a label list file or LabelSet). */
export async function loadFairseqManifest(options: {
  tsv: string;
  lbl?: string;
  labels?: string | LabelSet;
  root?: string;
}): Promise<Dataset> {
  const labels = typeof options.labels === 'string' ? await loadLabelList(options.labels) : options.labels;
  return fairseqDataset({
    tsv: { text: await readTextFile(options.tsv), file: options.tsv },
    lbl: options.lbl === undefined ? undefined : { text: await readTextFile(options.lbl), file: options.lbl },
    labels,
    root: options.root,
  });
}

/** Pre-training JSON with external features (`{split}.json`). */
export async function loadFeatureManifest(path: string): Promise<Dataset> {
  return parseFeatureManifest(await readTextFile(path), path);
}

export async function loadAstDatafile(path: string, labels: string | LabelSet): Promise<Dataset> {
  const labelSet = typeof labels === 'string' ? await loadLabelList(labels) : labels;
  return parseAstDatafile(await readTextFile(path), labelSet, path);
}

/** ESC-50 from its own layout (`<root>/meta/esc50.csv`, `<root>/audio/*.wav`), one test fold. */
export async function loadEsc50(root: string, testFold: number): Promise<{ train: Dataset; eval: Dataset }> {
  const file = join(root, 'meta', 'esc50.csv');
  return esc50Folds(await readTextFile(file), testFold, { file, audioDir: join(root, 'audio') });
}

/** Speech Commands v2 from its folder layout with `validation_list.txt` and `testing_list.txt`. */
export async function loadSpeechCommands(root: string, labels?: LabelSet): Promise<SpeechCommandsSplits> {
  const [files, validationList, testingList] = await Promise.all([
    listFiles(root, ['wav']),
    readTextFile(join(root, 'validation_list.txt')),
    readTextFile(join(root, 'testing_list.txt')),
  ]);
  return speechCommandsSplits({ files, validationList, testingList, root, labels });
}

/** A folder per class below `root`. */
export async function loadClassFolders(
  root: string,
  options: { labels?: LabelSet; extensions?: readonly string[] } = {},
): Promise<Dataset> {
  const files = await listFiles(root, options.extensions ?? audioExtensions);
  return classFolderDataset(files, { root, labels: options.labels });
}

/** A `path,label` CSV; relative paths resolve against the CSV's folder unless `root` is given. */
export async function loadPathLabelCsv(
  path: string,
  options: { root?: string; labels?: LabelSet } = {},
): Promise<Dataset> {
  return parsePathLabelCsv(await readTextFile(path), {
    file: path,
    root: options.root ?? join(path, '..'),
    labels: options.labels,
  });
}

/** Indexes the AudioSet audio files below `root` (any sharding into sub-folders). */
export async function indexAudioSetDirectory(root: string): Promise<AudioSetFileIndex> {
  return indexAudioSetFiles(await listFiles(root, audioExtensions), root);
}

export async function readWeightsFile(path: string): Promise<Float64Array> {
  return parseWeightsCsv(await readTextFile(path), path);
}

export async function writeWeightsFile(path: string, weights: ArrayLike<number>): Promise<void> {
  await writeFileAtomic(path, new TextEncoder().encode(formatWeightsCsv(weights)));
}
