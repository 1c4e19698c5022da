import { classFolderDataset, classFolderLabels } from './class-folders.js';
import type { LabelSet } from './labels.js';
import { joinPath, textLines } from './text.js';
import type { Dataset, Problem } from './types.js';

export const backgroundNoiseFolder = '_background_noise_';

export interface SpeechCommandsInput {
  /** Every audio file below the dataset root, as `/`-separated relative paths (`right/bb05582b_nohash_3.wav`). */
  files: readonly string[];
  /** Contents of `validation_list.txt` and `testing_list.txt`. */
  validationList: string;
  testingList: string;
  root?: string;
  /** Fixed label list (e.g. the reference's `label_descriptors.csv`); default: word folders, sorted. */
  labels?: LabelSet;
}

export interface SpeechCommandsSplits {
  /** Everything listed in neither list (the reference's SPC-2 train merges train + validation). */
  train: Dataset;
  validation: Dataset;
  test: Dataset;
  /** The long noise recordings of `_background_noise_/`, which carry no label. */
  backgroundNoise: string[];
}

/** Speech Commands v2: one folder per word; splits from `validation_list.txt` / `testing_list.txt`. */
export function speechCommandsSplits(input: SpeechCommandsInput): SpeechCommandsSplits {
  const present = new Set(input.files);
  const readList = (text: string, name: string): { listed: Set<string>; problems: Problem[] } => {
    const file = joinPath(input.root ?? '', name);
    const listed = new Set<string>();
    const problems: Problem[] = [];
    for (const { text: path, line } of textLines(text)) {
      const relativePath = path.trim();
      if (present.has(relativePath)) listed.add(relativePath);
      else problems.push({ file, line, reason: `listed file "${relativePath}" is missing` });
    }
    return { listed, problems };
  };
  const validation = readList(input.validationList, 'validation_list.txt');
  const test = readList(input.testingList, 'testing_list.txt');
  const backgroundNoise: string[] = [];
  const train: string[] = [];
  for (const path of input.files) {
    if (path.startsWith(`${backgroundNoiseFolder}/`)) backgroundNoise.push(path);
    else if (!validation.listed.has(path) && !test.listed.has(path)) train.push(path);
  }
  const words = input.files.filter((path) => !path.startsWith(`${backgroundNoiseFolder}/`));
  const labels = input.labels ?? classFolderLabels(words);
  const split = (paths: Iterable<string>, listProblems: Problem[] = []): Dataset => {
    const dataset = classFolderDataset([...paths], { root: input.root, labels, file: input.root });
    return { ...dataset, problems: [...listProblems, ...dataset.problems] };
  };
  return {
    train: split(train),
    validation: split(validation.listed, validation.problems),
    test: split(test.listed, test.problems),
    backgroundNoise,
  };
}
