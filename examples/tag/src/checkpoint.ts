/**
 * Models for `cat-audio tag`: fine-tuned checkpoints in the reference layout (`model.` encoder, `fc_norm`, `head`)
 * that name their encoder and their classes in the safetensors metadata.
 *
 * The demonstration model keeps its encoder frozen and fits only the head: a linear probe on the final CLS after
 * `fc_norm` (weight 1, bias 0), trained with @cat/train's `trainLinearClassifier`, then written into the head so that
 * `head(fc_norm(cls))` gives exactly the probe's logits. A few hundred full-batch steps on a 192 × 527 matrix take
 * seconds, where fine-tuning the whole encoder on a laptop takes many minutes to learn more than the label prior.
 */
import type { LabelSet } from '@cat/data';
import { loadPathLabelCsv } from '@cat/data/node';
import { writeFileAtomic } from '@cat/frontend/node';
import { layerNorm, type ModelName } from '@cat/layers';
import {
  AudioClassifier,
  type LinearClassifier,
  linearClassifierScores,
  meanAveragePrecision,
  trainLinearClassifier,
} from '@cat/train';
import {
  classifierFileBytes,
  extractFeatures,
  type FeatureSet,
  initializeClassifier,
  readModelFile,
} from '@cat/train/node';
import * as tf from '@tensorflow/tfjs-core';
import type { AudioSetTables } from './audioset.js';

/** Model labels as the checkpoint metadata stores them. */
function modelLabels(labels: LabelSet) {
  return { keys: [...labels.keys], names: [...labels.names] };
}

/**
 * An UNTRAINED classifier over AudioSet's 527 classes: encoder and head drawn from `seed`. Its scores are
 * functions of the input, so it exercises every step of tagging, but its labels mean nothing.
 */
export async function writeUntrainedCheckpoint(
  path: string,
  tables: AudioSetTables,
  options: { model?: ModelName; seed?: number } = {},
): Promise<void> {
  const classifier = new AudioClassifier({
    model: options.model ?? 'cat-tiny',
    numClasses: tables.labels.size,
    seed: options.seed ?? 1,
  });
  try {
    await writeFileAtomic(path, classifierFileBytes(classifier, modelLabels(tables.labels)));
  } finally {
    classifier.dispose();
  }
}

/** What the head sees: the final CLS through a LayerNorm without affine, as `fc_norm` with weight 1 and bias 0. */
function headInputs(classifier: AudioClassifier) {
  const epsilon = Number(classifier.head.getConfig().epsilon);
  return async (batch: { inputs: Float32Array; size: number; frames: number; bins: number }) => {
    const rows = tf.tidy(() => {
      const { cls } = classifier.encoder.encode(
        tf.tensor3d(batch.inputs, [batch.size, batch.frames, batch.bins]),
      );
      return layerNorm(cls, null, null, epsilon);
    });
    const values = (await rows.data()) as Float32Array;
    rows.dispose();
    return values;
  };
}

/** The logit of every class the training clips never carry: sigmoid(−20) ≈ 2e-9, printed as 0.0000. */
export const ABSENT_LOGIT = -20;

/**
 * Writes a probe into the head: `fc_norm` = identity, the rows of the probe's classes = the probe with its
 * standardisation folded in, every other class a zero row with bias ABSENT_LOGIT.
 */
function setHead(classifier: AudioClassifier, probe: LinearClassifier, classes: readonly number[]): void {
  const { dim, numClasses, mean, std, weight, bias } = probe;
  const total = classifier.numClasses;
  const folded = new Float32Array(dim * total);
  const shift = new Float64Array(total).fill(ABSENT_LOGIT);
  classes.forEach((k, c) => {
    shift[k] = bias[c];
    for (let d = 0; d < dim; d++) {
      const w = weight[d * numClasses + c] / std[d];
      folded[d * total + k] = w;
      shift[k] -= mean[d] * w;
    }
  });
  const values: Record<string, tf.Tensor> = {
    'fc_norm.weight': tf.ones([dim]),
    'fc_norm.bias': tf.zeros([dim]),
    'head.weight': tf.tensor2d(folded, [dim, total]), // ours [in, out]
    'head.bias': tf.tensor1d(Float32Array.from(shift)),
  };
  for (const { name, variable } of classifier.head.namedWeights()) {
    const value = values[name];
    if (value === undefined) throw new Error(`classification head: unexpected weight ${name}`);
    variable.write(value);
  }
  tf.dispose(Object.values(values));
}

/** Columns `classes` of a row-major [count, width] matrix. */
function columns(matrix: Float32Array, width: number, classes: readonly number[]): Float32Array {
  const count = matrix.length / width;
  const out = new Float32Array(count * classes.length);
  for (let i = 0; i < count; i++)
    classes.forEach((k, c) => (out[i * classes.length + c] = matrix[i * width + k]));
  return out;
}

export interface ProbeHeadOptions {
  /** `path,labels` CSV of AudioSet MIDs (see `buildNoteManifests`). */
  train: string;
  /** Held-out clips in the same form, for the figures. */
  test?: string;
  tables: AudioSetTables;
  /** Pre-trained or fine-tuned checkpoint for the encoder (e.g. `pnpm demo`'s); default a random cat-tiny. */
  init?: string;
  model?: ModelName;
  /** Frames per clip (default 128). */
  targetLength?: number;
  seed?: number;
  log?: (line: string) => void;
}

export interface ProbeHead {
  classifier: AudioClassifier;
  /** The linear probe over the classes the training clips carry (`classes`, indices into the 527). */
  probe: LinearClassifier;
  classes: number[];
  /**
   * On the held-out clips: mAP over the training classes, and how often the highest-scoring of `leafClasses` is
   * one the clip carries.
   */
  test: { mAP: number; leafAccuracy: number; clips: number } | null;
}

/**
 * A classifier over AudioSet's 527 classes whose head is a linear probe on the frozen encoder's CLS. `leafClasses`
 * (MIDs) are the classes told apart in the held-out figure (the instrument of each note).
 */
export async function fitProbeHead(
  options: ProbeHeadOptions,
  leafClasses: readonly string[] = [],
): Promise<ProbeHead> {
  const { tables } = options;
  const log = options.log ?? (() => {});
  const classifier = new AudioClassifier({
    model: options.model ?? 'cat-tiny',
    numClasses: tables.labels.size,
    seed: options.seed ?? 1,
  });
  try {
    if (options.init !== undefined) log(initializeClassifier(classifier, await readModelFile(options.init)));
    else log(`random ${options.model ?? 'cat-tiny'} encoder (seed ${options.seed ?? 1}): no pre-training`);
    const features = async (csv: string): Promise<FeatureSet> => {
      const dataset = await loadPathLabelCsv(csv, { labels: tables.labels });
      if (dataset.problems.length > 0) {
        const [first] = dataset.problems;
        throw new Error(`${first.file}: line ${first.line}: ${first.reason}`);
      }
      return extractFeatures(dataset, headInputs(classifier), { targetLength: options.targetLength ?? 128 });
    };
    const train = await features(options.train);
    // Only the classes the clips carry are learned; the others keep no evidence and score 0 (ABSENT_LOGIT).
    const classes = Array.from({ length: train.numClasses }, (_, k) => k).filter((k) =>
      train.targets.some((value, i) => value > 0 && i % train.numClasses === k),
    );
    log(`fitting a linear head on ${train.count} clips for the ${classes.length} classes they carry`);
    const probe = trainLinearClassifier(
      {
        features: train.features,
        dim: train.dim,
        targets: columns(train.targets, train.numClasses, classes),
        numClasses: classes.length,
      },
      { multiLabel: true, epochs: 300, lr: 0.01, weightDecay: 1e-4 },
    );
    setHead(classifier, probe, classes);
    let test: ProbeHead['test'] = null;
    if (options.test !== undefined) {
      const held = await features(options.test);
      const scores = linearClassifierScores(probe, held.features);
      const targets = columns(held.targets, held.numClasses, classes);
      const leaves = leafClasses.map((id) => classes.indexOf(tables.labels.resolve(id)!));
      if (leaves.some((c) => c < 0)) throw new Error('a leaf class is not among the training classes');
      let right = 0;
      for (let clip = 0; clip < held.count; clip++) {
        const row = clip * classes.length;
        const best = leaves.reduce((a, b) => (scores[row + b] > scores[row + a] ? b : a), leaves[0]);
        if (targets[row + best] === 1) right++;
      }
      test = {
        mAP: meanAveragePrecision({ scores, targets, numClasses: classes.length }).mAP,
        leafAccuracy: leaves.length > 0 ? right / held.count : Number.NaN,
        clips: held.count,
      };
    }
    return { classifier, probe, classes, test };
  } catch (error) {
    classifier.dispose();
    throw error;
  }
}

/** Writes a classifier as a fine-tuned checkpoint labelled with AudioSet's classes. */
export async function writeClassifier(
  path: string,
  classifier: AudioClassifier,
  labels: LabelSet,
): Promise<void> {
  await writeFileAtomic(path, classifierFileBytes(classifier, modelLabels(labels)));
}
