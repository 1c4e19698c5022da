/**
 * ESC-50 5-fold cross-validation as the reference runs it: one fine-tuning per test fold with the
 * `esc50-finetune` recipe (`cat-audio finetune`), then per-fold and mean accuracy.
 */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { writeJsonAtomic } from '@cat/frontend/node';
import {
  finetuneAndPredict,
  finetuneOptions,
  finetuneUsage,
  type Output,
  type RunSummary,
  runChoices,
} from '@example/recipe-kit';
import { FOLDS, writeEsc50Manifests } from './manifests.js';

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
  --folds LIST        folds to run, e.g. 1,2 (default 1,2,3,4,5); each fold runs --steps steps
${finetuneUsage({ batch: 48, steps: 4000, targetLength: 512 }, DEFAULT_MICRO_BATCH)}
A fold that was interrupted resumes from its newest checkpoint when the command is run again.`;

export interface FoldResult extends RunSummary {
  fold: number;
  trainClips: number;
  evalClips: number;
  /** Accuracy of the final model, from its saved predictions. */
  accuracy: number;
  correct: number;
}

export interface Esc50Result {
  clips: number;
  classes: number;
  folds: FoldResult[];
  meanAccuracy: number;
  meanBestAccuracy: number;
}

export async function runEsc50(argv: string[], output: Output): Promise<Esc50Result> {
  const { values } = parseArgs({
    args: argv,
    options: {
      data: { type: 'string' },
      folds: { type: 'string', default: FOLDS.join(',') },
      ...finetuneOptions({ out: 'runs/esc50', microBatch: DEFAULT_MICRO_BATCH }),
    },
  });
  if (values.data === undefined) throw new Error(`--data is required\n\n${USAGE}`);
  const folds = values.folds.split(',').map((f) => Number(f.trim()));
  if (folds.some((f) => !(FOLDS as readonly number[]).includes(f)))
    throw new Error(`--folds must list folds 1-5, got '${values.folds}'`);
  const out = resolve(values.out);
  const choices = runChoices(values);
  const { stdout, stderr } = output;

  const manifests = await writeEsc50Manifests({ data: values.data, out: join(out, 'manifests') });
  for (const problem of manifests.problems) stderr(`warning: ${problem}`);
  stdout(
    `ESC-50: ${manifests.clips} clips, ${manifests.labels.size} classes, folds of ` +
      `${manifests.folds.map((f) => f.evalClips).join('/')} clips (manifests in ${join(out, 'manifests')})`,
  );
  const results: FoldResult[] = [];
  for (const fold of folds) {
    const manifest = manifests.folds[fold - 1];
    const foldOut = join(out, `fold-${fold}`);
    stderr(`fold ${fold}: fine-tuning on ${manifest.trainClips} clips, evaluating on ${manifest.evalClips}`);
    const { run, predictions, summary } = await finetuneAndPredict(
      { recipe: RECIPE, train: manifest.train, eval: manifest.eval, out: foldOut, ...choices },
      output,
    );
    const { metrics, ids } = predictions;
    const correct = Math.round(metrics.accuracy * ids.length);
    results.push({
      fold,
      trainClips: manifest.trainClips,
      evalClips: ids.length,
      accuracy: metrics.accuracy,
      correct,
      ...summary,
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
