/**
 * ESC-50 5-fold cross-validation as the reference runs it: one fine-tuning per test fold with the
 * `esc50-finetune` recipe (`cat-audio finetune`), then per-fold and mean accuracy.
 */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { writeJsonAtomic } from '@cat/frontend/node';
import type { Output } from './cat-audio.js';
import { type FinetuneRunResult, runFinetune } from './finetune-run.js';
import { FOLDS, writeEsc50Manifests } from './manifests.js';
import { predict } from './predictions.js';

export const RECIPE = 'esc50-finetune';
/**
 * Clips per forward/backward pass by default. cat-base at 512 frames peaks at ~2.4 GB for one clip on the wasm
 * backend (measured), before the optimizer state: one clip is what fits its 4 GB heap.
 */
export const DEFAULT_MICRO_BATCH = 1;

export const USAGE = `Usage: esc50 --data ESC-50/ [options]

ESC-50 5-fold cross-validation with the reference recipe (${RECIPE}): for each fold k, fine-tune on the
other four folds and score fold k; prints per-fold and mean accuracy.

Options:
  --data DIR          the ESC-50 folder: audio/*.wav and meta/esc50.csv (required)
  --out DIR           run folder (default runs/esc50): manifests/, fold-k/, results.json
  --init FILE         pre-trained weights to start from (default: random initialisation)
  --model NAME|FILE   encoder (default: the recipe's cat-base)
  --folds LIST        folds to run, e.g. 1,2 (default 1,2,3,4,5)
  --batch N           clips per optimizer step (default: the recipe's 48)
  --micro-batch N     clips per pass, accumulated to --batch (default ${DEFAULT_MICRO_BATCH})
  --steps N           optimizer steps per fold (default: the recipe's 4000); warm-up stays 10%
  --target-length T   frames per clip (default: the recipe's 512)
  --backend NAME      auto, wasm, cpu, tensorflow, tensorflow-gpu (default auto)
  --set KEY=VALUE     any other recipe override (repeatable)
A fold that was interrupted resumes from its newest checkpoint when the command is run again.`;

export interface FoldResult {
  fold: number;
  trainClips: number;
  evalClips: number;
  /** Accuracy of the final model, from its saved predictions. */
  accuracy: number;
  correct: number;
  /** The best evaluation during training (the reference keeps the best checkpoint by test accuracy). */
  best: FinetuneRunResult['best'];
  /** The fine-tuning run's own evaluation at its last step (null when it ran none, e.g. on a resumed, finished run). */
  lastEval: number | null;
  model: string;
  predictions: string;
}

export interface Esc50Result {
  clips: number;
  classes: number;
  folds: FoldResult[];
  meanAccuracy: number;
  meanBestAccuracy: number;
}

const integer = (value: string | undefined, name: string): number | undefined => {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) <= 0)
    throw new Error(`--${name} must be a whole number > 0, got '${value}'`);
  return Number(value);
};

export async function runEsc50(argv: string[], output: Output): Promise<Esc50Result> {
  const { values } = parseArgs({
    args: argv,
    options: {
      data: { type: 'string' },
      out: { type: 'string', default: 'runs/esc50' },
      init: { type: 'string' },
      model: { type: 'string' },
      folds: { type: 'string', default: FOLDS.join(',') },
      batch: { type: 'string' },
      'micro-batch': { type: 'string', default: String(DEFAULT_MICRO_BATCH) },
      steps: { type: 'string' },
      'target-length': { type: 'string' },
      backend: { type: 'string' },
      set: { type: 'string', multiple: true, default: [] },
    },
  });
  if (values.data === undefined) throw new Error(`--data is required\n\n${USAGE}`);
  const folds = values.folds.split(',').map((f) => Number(f.trim()));
  if (folds.some((f) => !(FOLDS as readonly number[]).includes(f)))
    throw new Error(`--folds must list folds 1-5, got '${values.folds}'`);
  const out = resolve(values.out);
  const { stdout, stderr } = output;

  const manifests = await writeEsc50Manifests({ data: values.data, out: join(out, 'manifests') });
  for (const problem of manifests.problems) stderr(`warning: ${problem}`);
  stdout(
    `ESC-50: ${manifests.clips} clips, ${manifests.labels.size} classes, folds of ` +
      `${manifests.folds.map((f) => f.evalClips).join('/')} clips (manifests in ${join(out, 'manifests')})`,
  );
  if (values.init === undefined)
    stderr(
      'note: no --init: fine-tuning from random weights (the reference starts from a pre-trained model)',
    );

  const results: FoldResult[] = [];
  for (const fold of folds) {
    const manifest = manifests.folds[fold - 1];
    const foldOut = join(out, `fold-${fold}`);
    stderr(`fold ${fold}: fine-tuning on ${manifest.trainClips} clips, evaluating on ${manifest.evalClips}`);
    const run = await runFinetune(
      {
        recipe: RECIPE,
        train: manifest.train,
        eval: manifest.eval,
        out: foldOut,
        model: values.model,
        init: values.init,
        backend: values.backend,
        batch: integer(values.batch, 'batch'),
        microBatch: integer(values['micro-batch'], 'micro-batch'),
        steps: integer(values.steps, 'steps'),
        targetLength: integer(values['target-length'], 'target-length'),
        set: values.set,
      },
      output,
    );
    const predictions = join(foldOut, 'predictions');
    const { metrics, ids } = await predict({
      weights: run.model,
      data: manifest.eval,
      out: predictions,
      targetLength: run.recipe.data.targetLength,
      normalize: run.recipe.data.normalize,
      batchSize: run.recipe.data.batchSize,
      minSamples: run.recipe.data.minSamples,
      backend: run.recipe.backend,
      log: stderr,
    });
    const correct = Math.round(metrics.accuracy * ids.length);
    results.push({
      fold,
      trainClips: manifest.trainClips,
      evalClips: ids.length,
      accuracy: metrics.accuracy,
      correct,
      best: run.best,
      lastEval: run.last?.step === run.steps ? run.last.value : null,
      model: run.model,
      predictions,
    });
    stdout(
      `fold ${fold}: accuracy ${metrics.accuracy.toFixed(4)} (${correct}/${ids.length} clips) after ${run.steps} steps` +
        (run.best ? `; best during training ${run.best.value.toFixed(4)} at step ${run.best.step}` : ''),
    );
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const result: Esc50Result = {
    clips: manifests.clips,
    classes: manifests.labels.size,
    folds: results,
    meanAccuracy: mean(results.map((r) => r.accuracy)),
    meanBestAccuracy: mean(results.map((r) => r.best?.value ?? Number.NaN)),
  };
  stdout(`mean accuracy over ${results.length} fold(s): ${result.meanAccuracy.toFixed(4)}`);
  if (results.every((r) => r.best))
    stdout(`mean of the best accuracies during training: ${result.meanBestAccuracy.toFixed(4)}`);
  await writeJsonAtomic(join(out, 'results.json'), result);
  return result;
}
