import type { Dataset } from '@cat/data';
import type { SpectrogramEncoder } from '@cat/layers';
import { accuracy, meanAveragePrecision } from '../metrics.js';
import {
  embedDataset,
  extractFeatures,
  type FeatureFunction,
  type FeatureOptions,
  type FeatureSet,
  type Pooling,
} from './features.js';
import { type LinearClassifierOptions, linearClassifierScores, trainLinearClassifier } from './linear.js';

export interface LinearProbeOptions extends FeatureOptions, Omit<LinearClassifierOptions, 'multiLabel'> {
  /** A frozen encoder whose pooled outputs are the features... */
  encoder?: SpectrogramEncoder;
  pool?: Pooling;
  /** ...or any other feature function (e.g. `fbankStatistics`). */
  features?: FeatureFunction;
  train: Dataset;
  /** Must use the training set's classes, in the same order (load it with the training set's label list). */
  test: Dataset;
}

export interface LinearProbeResult {
  /** Test accuracy (fraction: argmax of the scores at the argmax of the targets, as the reference). */
  accuracy: number;
  /** Test mAP, for multi-label data. */
  mAP?: number;
  trainAccuracy: number;
  multiLabel: boolean;
  dim: number;
  trainClips: number;
  testClips: number;
}

/**
 * The linear probe: features of the train and test clips (no augmentation), a linear classifier trained on the
 * train features (softmax for single-label data, sigmoid for multi-label), scored on the test features.
 */
export async function linearProbe(options: LinearProbeOptions): Promise<LinearProbeResult> {
  const { train, test } = options;
  if (train.labelKeys.length === 0) throw new Error('linear probe: the training set has no labels');
  if (train.labelKeys.join('\n') !== test.labelKeys.join('\n')) {
    throw new Error(
      `linear probe: the test set's ${test.labelKeys.length} classes differ from the training set's ${train.labelKeys.length}; ` +
        'load it with the training label list',
    );
  }
  const features: (dataset: Dataset) => Promise<FeatureSet> = options.features
    ? (dataset) => extractFeatures(dataset, options.features!, options)
    : options.encoder
      ? (dataset) => embedDataset(options.encoder!, dataset, options)
      : () => Promise.reject(new Error('linear probe: give an encoder or a feature function'));
  const multiLabel = train.entries.some((entry) => entry.labels.length !== 1);
  const trainSet = await features(train);
  const testSet = await features(test);
  const classifier = trainLinearClassifier(trainSet, { ...options, multiLabel });
  const score = (set: FeatureSet) => ({
    scores: linearClassifierScores(classifier, set.features),
    targets: set.targets,
    numClasses: set.numClasses,
  });
  const testScores = score(testSet);
  return {
    accuracy: accuracy(testScores),
    ...(multiLabel ? { mAP: meanAveragePrecision(testScores).mAP } : {}),
    trainAccuracy: accuracy(score(trainSet)),
    multiLabel,
    dim: trainSet.dim,
    trainClips: trainSet.count,
    testClips: testSet.count,
  };
}
