/**
 * Scores a fine-tuned model on an evaluation set and keeps the per-clip predictions, so every reported metric
 * can be recomputed (or computed differently) from files. `cat-audio eval` prints the same metrics but keeps
 * no predictions.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LabelSet } from '@cat/data';
import { FbankLoader, loadAnyDataset } from '@cat/data/node';
import { readNpyFile, writeJsonAtomic, writeNpyFile } from '@cat/frontend/node';
import { prepareBackend } from '@cat/layers';
import type { BackendChoice, NormalizationPreset } from '@cat/train';
import { type ClassificationMetrics, evaluateClassifier, loadClassifier } from '@cat/train/node';
import type { Output } from './cat-audio.js';
import { type FinetuneRunOptions, type FinetuneRunResult, runFinetune } from './finetune-run.js';

export interface PredictOptions {
  /** A fine-tuned model (`last.safetensors` or a checkpoint's `model.safetensors`). */
  weights: string;
  /** Evaluation data: anything `loadAnyDataset` reads (the test split of a layout with splits). */
  data: string;
  /** Folder for `predictions.json`, `scores.npy`, `targets.npy`. */
  out: string;
  targetLength: number;
  normalize: NormalizationPreset;
  batchSize: number;
  /** Clips shorter than this are left out, as the fine-tuning run's own evaluation leaves them out. */
  minSamples: number;
  root?: string;
  backend?: BackendChoice;
  workers?: number;
  log?: (line: string) => void;
}

export interface Predictions {
  weights: string;
  data: string;
  ids: string[];
  classes: { keys: string[]; names: string[] };
  /** Sigmoid scores and targets, row-major [clips, classes]. */
  scores: Float32Array;
  targets: Float32Array;
  metrics: ClassificationMetrics;
}

const PREDICTIONS = 'predictions.json';

/** Runs the model over the data without augmentation and writes the predictions to `out`. */
export async function predict(options: PredictOptions): Promise<Predictions> {
  const log = options.log ?? (() => {});
  await prepareBackend({ backend: options.backend ?? 'auto' });
  const { classifier, labels } = await loadClassifier(options.weights);
  try {
    if (!labels) throw new Error(`${options.weights}: the model file does not record its classes`);
    const loaded = await loadAnyDataset(options.data, {
      root: options.root,
      labels: new LabelSet(labels.keys, labels.names),
    });
    const dataset = loaded.splits?.test ?? loaded.dataset;
    const loader = new FbankLoader(dataset, {
      batchSize: options.batchSize,
      targetLength: options.targetLength,
      normalize: options.normalize,
      minSamples: options.minSamples,
      workers: options.workers,
      shuffle: false,
      log,
    });
    try {
      const evaluation = await evaluateClassifier(classifier, loader.epoch());
      const numClasses = classifier.numClasses;
      await mkdir(options.out, { recursive: true });
      await writeNpyFile(join(options.out, 'scores.npy'), evaluation.scores, [
        evaluation.ids.length,
        numClasses,
      ]);
      await writeNpyFile(join(options.out, 'targets.npy'), evaluation.targets, [
        evaluation.ids.length,
        numClasses,
      ]);
      const result: Predictions = {
        weights: options.weights,
        data: options.data,
        ids: evaluation.ids,
        classes: labels,
        scores: evaluation.scores,
        targets: evaluation.targets,
        metrics: evaluation.metrics,
      };
      await writeJsonAtomic(join(options.out, PREDICTIONS), {
        weights: result.weights,
        data: result.data,
        ids: result.ids,
        classes: result.classes,
        metrics: result.metrics,
        scores: 'scores.npy',
        targets: 'targets.npy',
      });
      return result;
    } finally {
      await loader.close();
    }
  } finally {
    classifier.dispose();
  }
}

/** What a program reports of its fine-tuning run besides its metrics. */
export interface RunSummary {
  /** The best evaluation during training (the reference keeps the best checkpoint by the test metric). */
  best: FinetuneRunResult['best'];
  /** The run's own evaluation at its final step (null when it made none there). */
  lastEval: number | null;
  /** The final model. */
  model: string;
  /** The folder of the saved predictions. */
  predictions: string;
}

/**
 * A fine-tuning run (`runFinetune`), then `predict` with its final model on the run's evaluation data into
 * `<out>/predictions`, clips prepared as the run's own evaluation prepared them (the recipe's frames,
 * normalisation, batch, minimum length and backend).
 */
export async function finetuneAndPredict(
  options: FinetuneRunOptions & { eval: string },
  output: Output,
): Promise<{ run: FinetuneRunResult; predictions: Predictions; summary: RunSummary }> {
  const run = await runFinetune(options, output);
  const dir = join(options.out, 'predictions');
  const { data, backend } = run.recipe;
  const predictions = await predict({
    weights: run.model,
    data: options.eval,
    out: dir,
    targetLength: data.targetLength,
    normalize: data.normalize,
    batchSize: data.batchSize,
    minSamples: data.minSamples,
    backend,
    log: output.stderr,
  });
  const summary = { best: run.best, lastEval: run.finalEval, model: run.model, predictions: dir };
  return { run, predictions, summary };
}

/** Reads what `predict` wrote. */
export async function readPredictions(dir: string): Promise<Predictions> {
  const path = join(dir, PREDICTIONS);
  let meta: Omit<Predictions, 'scores' | 'targets'>;
  try {
    meta = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new Error(`${path}: cannot read the predictions (${(error as Error).message})`);
  }
  const scores = await readNpyFile(join(dir, 'scores.npy'));
  const targets = await readNpyFile(join(dir, 'targets.npy'));
  const expected = [meta.ids.length, meta.classes.keys.length].join(',');
  for (const [name, array] of [
    ['scores.npy', scores],
    ['targets.npy', targets],
  ] as const) {
    if (array.shape.join(',') !== expected)
      throw new Error(`${join(dir, name)}: shape (${array.shape}) instead of (${expected})`);
  }
  return { ...meta, scores: Float32Array.from(scores.data), targets: Float32Array.from(targets.data) };
}
