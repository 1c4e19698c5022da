import type { Dataset } from '@cat/data';
import type { SpectrogramEncoder } from '@cat/layers';
import { accuracy, linearClassifierScores, trainLinearClassifier } from '@cat/train';
import {
  embedDataset,
  extractFeatures,
  type FeatureSet,
  fbankStatistics,
  type Pooling,
} from '@cat/train/node';

export interface ProbeRow {
  features: string;
  dim: number;
  trainAccuracy: number;
  testAccuracy: number;
}

/** Keep columns [from, from + width) of every row. */
function columns(set: FeatureSet, from: number, width: number): FeatureSet {
  const features = new Float32Array(set.count * width);
  for (let i = 0; i < set.count; i++) {
    features.set(set.features.subarray(i * set.dim + from, i * set.dim + from + width), i * width);
  }
  return { ...set, features, dim: width };
}

function probe(name: string, train: FeatureSet, test: FeatureSet, seed: number): ProbeRow {
  const classifier = trainLinearClassifier(train, { multiLabel: false, seed });
  const score = (set: FeatureSet) =>
    accuracy({
      scores: linearClassifierScores(classifier, set.features),
      targets: set.targets,
      numClasses: set.numClasses,
    });
  return { features: name, dim: train.dim, trainAccuracy: score(train), testAccuracy: score(test) };
}

export interface ProbeSettings {
  train: Dataset;
  test: Dataset;
  targetLength: number;
  seed: number;
  workers?: number;
}

/**
 * Linear-probe rows of one frozen encoder: the clips are embedded once, and the classifier is trained on the CLS,
 * the mean of the patch tokens, and the tokens averaged over time per frequency band (which keeps, as the fbank
 * baseline's per-bin statistics do, where in frequency things are).
 */
export async function encoderRows(
  label: string,
  encoder: SpectrogramEncoder,
  settings: ProbeSettings,
): Promise<ProbeRow[]> {
  const options = {
    targetLength: settings.targetLength,
    pool: ['cls', 'mean', 'bands'] as Pooling[],
    workers: settings.workers,
  };
  const train = await embedDataset(encoder, settings.train, options);
  const test = await embedDataset(encoder, settings.test, options);
  const d = encoder.config.embedDim;
  const rows: Array<[string, number, number]> = [
    ['CLS', 0, d],
    ['mean of patch tokens', d, d],
    ['patch tokens averaged over time, per frequency band', 2 * d, train.dim - 2 * d],
  ];
  return rows.map(([name, from, width]) =>
    probe(`${label}, ${name}`, columns(train, from, width), columns(test, from, width), settings.seed),
  );
}

/** The baseline without a model: per-bin mean and standard deviation of the normalised fbank. */
export async function fbankStatisticsRow(settings: ProbeSettings): Promise<ProbeRow> {
  const options = { targetLength: settings.targetLength, workers: settings.workers };
  const train = await extractFeatures(settings.train, fbankStatistics, options);
  const test = await extractFeatures(settings.test, fbankStatistics, options);
  return probe('fbank mean/std per bin (no model)', train, test, settings.seed);
}

/** The rows as a Markdown table. */
export function markdownTable(rows: ProbeRow[]): string {
  const lines = ['| features | dim | train accuracy | held-out accuracy |', '| --- | --- | --- | --- |'];
  for (const row of rows) {
    lines.push(
      `| ${row.features} | ${row.dim} | ${row.trainAccuracy.toFixed(3)} | **${row.testAccuracy.toFixed(3)}** |`,
    );
  }
  return lines.join('\n');
}
