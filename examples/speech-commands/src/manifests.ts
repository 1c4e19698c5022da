/**
 * Speech Commands v2 as distributed (a folder per word, `validation_list.txt`, `testing_list.txt`,
 * `_background_noise_/`) written as the reference's SPC-2 fine-tuning manifests (`SFT_SPC_2`): the training set
 * is the official train **and** validation parts (94,824 clips), the evaluation set the official test part
 * (11,005 clips), classes in the reference's `label_descriptors.csv` order.
 */
import { mkdir } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { type ClipEntry, type Dataset, LabelSet } from '@cat/data';
import { loadAnyDataset } from '@cat/data/node';
import {
  audioSampleCount,
  type ManifestOptions,
  writeLabelDescriptors,
  writeLines,
} from '@example/recipe-kit';

/** The 35 words in the order of the reference's `SFT_SPC_2/label_descriptors.csv` (its class indices). */
export const REFERENCE_WORDS = [
  'house',
  'wow',
  'three',
  'six',
  'sheila',
  'seven',
  'go',
  'four',
  'visual',
  'bed',
  'learn',
  'down',
  'nine',
  'up',
  'cat',
  'backward',
  'one',
  'eight',
  'off',
  'stop',
  'two',
  'bird',
  'marvin',
  'left',
  'happy',
  'follow',
  'right',
  'on',
  'tree',
  'yes',
  'five',
  'no',
  'forward',
  'dog',
  'zero',
] as const;

export interface SpeechCommandsManifests {
  /** `train.tsv` (train + validation) and `eval.tsv` (test), with `.lbl` and `label_descriptors.csv` beside. */
  train: string;
  eval: string;
  labels: LabelSet;
  /** Whether the words are the reference's 35 (then in its class order), else the folders sorted. */
  referenceOrder: boolean;
  counts: { train: number; validation: number; test: number };
  /** Problems the layout reader found (files listed but missing, ...), as `file:line: reason`. */
  problems: string[];
}

/** Reads the folder (it must have Speech Commands' two list files) and writes the manifests into `out`. */
export async function writeSpeechCommandsManifests(
  options: ManifestOptions,
): Promise<SpeechCommandsManifests> {
  const root = resolve(options.data);
  const first = await loadAnyDataset(root);
  if (first.kind !== 'speech-commands' || !first.splits) {
    throw new Error(`${root}: not a Speech Commands folder (no validation_list.txt and testing_list.txt)`);
  }
  const words = first.dataset.labelKeys;
  const referenceOrder =
    words.length === REFERENCE_WORDS.length && REFERENCE_WORDS.every((word) => words.includes(word));
  const labels = referenceOrder ? new LabelSet([...REFERENCE_WORDS]) : new LabelSet([...words].sort());
  const { splits } = referenceOrder ? await loadAnyDataset(root, { labels }) : first;
  const { train, validation, test } = splits!;
  const count = options.sampleCount ?? audioSampleCount;
  await mkdir(options.out, { recursive: true });
  const write = async (name: string, parts: Dataset[]) => {
    const entries: ClipEntry[] = parts.flatMap((part) => part.entries);
    const tsv: string[] = [root];
    const lbl: string[] = [];
    for (const entry of entries) {
      const path = relative(root, entry.path).split(sep).join('/');
      const samples = await count(entry.path).catch((error) => {
        throw new Error(`${entry.path}: not readable (${(error as Error).message})`);
      });
      tsv.push(`${path}\t${samples}`);
      lbl.push(`${path} ${labels.keys[entry.labels[0]]}`);
    }
    await writeLines(join(options.out, `${name}.tsv`), tsv);
    await writeLines(join(options.out, `${name}.lbl`), lbl);
  };
  await write('train', [train, validation]);
  await write('eval', [test]);
  await writeLabelDescriptors(join(options.out, 'label_descriptors.csv'), labels);
  return {
    train: join(options.out, 'train.tsv'),
    eval: join(options.out, 'eval.tsv'),
    labels,
    referenceOrder,
    counts: { train: train.entries.length, validation: validation.entries.length, test: test.entries.length },
    problems: [train, validation, test].flatMap((d) =>
      d.problems.map((p) => `${p.file}:${p.line}: ${p.reason}`),
    ),
  };
}
