/**
 * ESC-50's five cross-validation splits written as the reference's fine-tuning manifests
 * (`SFT_ESC_50/test0k/{train,eval}.{tsv,lbl}` + `label_descriptors.csv`), from the dataset as distributed
 * (`audio/*.wav` + `meta/esc50.csv`).
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type Esc50Row, LabelSet, parseEsc50Meta } from '@cat/data';
import {
  audioSampleCount,
  type ManifestOptions,
  writeLabelDescriptors,
  writeLines,
} from '@example/recipe-kit';

export const FOLDS = [1, 2, 3, 4, 5] as const;

export interface FoldManifests {
  fold: number;
  dir: string;
  train: string;
  eval: string;
  trainClips: number;
  evalClips: number;
}

export interface Esc50Manifests {
  clips: number;
  labels: LabelSet;
  folds: FoldManifests[];
  /** Rows of esc50.csv that could not be used (wrong field count, bad fold or target). */
  problems: string[];
}

/** Classes by `target`, named by `category`, as the reference's `label_descriptors.csv` (`0,0,"dog"`). */
function esc50Labels(rows: Esc50Row[], file: string): LabelSet {
  const names: string[] = [];
  for (const row of rows) {
    if (names[row.target] !== undefined && names[row.target] !== row.category) {
      throw new Error(`${file}: target ${row.target} is "${names[row.target]}" and "${row.category}"`);
    }
    names[row.target] = row.category;
  }
  if (names.length === 0) throw new Error(`${file}: no clips`);
  // A loop, not indexOf: the array may have holes, which indexOf skips.
  for (let target = 0; target < names.length; target++) {
    if (names[target] === undefined) throw new Error(`${file}: no clip has target ${target}`);
  }
  return new LabelSet(
    names.map((_, target) => String(target)),
    names,
  );
}

/**
 * Writes `out/test0k/` for k = 1..5 from the ESC-50 folder `data` (`audio/`, `meta/esc50.csv`): fold k is the
 * evaluation set, the other four the training set.
 */
export async function writeEsc50Manifests(options: ManifestOptions): Promise<Esc50Manifests> {
  const meta = join(options.data, 'meta', 'esc50.csv');
  let csv: string;
  try {
    csv = await readFile(meta, 'utf8');
  } catch (error) {
    throw new Error(
      `${meta}: cannot read ESC-50's metadata (${(error as Error).message}); --data must be the ESC-50 folder`,
    );
  }
  const { rows, problems } = parseEsc50Meta(csv, meta);
  const labels = esc50Labels(rows, meta);
  const audio = resolve(options.data, 'audio');
  const count = options.sampleCount ?? audioSampleCount;
  const samples = new Map<string, number>();
  for (const row of rows) {
    const path = join(audio, row.filename);
    samples.set(
      row.filename,
      await count(path).catch((error) => {
        throw new Error(`${path}: listed in ${meta} but not readable (${(error as Error).message})`);
      }),
    );
  }
  const folds: FoldManifests[] = [];
  for (const fold of FOLDS) {
    const dir = join(options.out, `test0${fold}`);
    await mkdir(dir, { recursive: true });
    const split = { train: rows.filter((r) => r.fold !== fold), eval: rows.filter((r) => r.fold === fold) };
    for (const [name, part] of Object.entries(split)) {
      if (part.length === 0) throw new Error(`${meta}: fold ${fold} leaves the ${name} set empty`);
      await writeLines(join(dir, `${name}.tsv`), [
        audio,
        ...part.map((r) => `${r.filename}\t${samples.get(r.filename)}`),
      ]);
      await writeLines(
        join(dir, `${name}.lbl`),
        part.map((r) => `${r.filename}\t${r.target}`),
      );
    }
    await writeLabelDescriptors(join(dir, 'label_descriptors.csv'), labels);
    folds.push({
      fold,
      dir,
      train: join(dir, 'train.tsv'),
      eval: join(dir, 'eval.tsv'),
      trainClips: split.train.length,
      evalClips: split.eval.length,
    });
  }
  return {
    clips: rows.length,
    labels,
    folds,
    problems: problems.map((p) => `${p.file}:${p.line}: ${p.reason}`),
  };
}
