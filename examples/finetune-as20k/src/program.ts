/**
 * AS-20K fine-tuning with the reference's `as20k-finetune` recipe (`cat-audio finetune`), then mAP on the
 * AudioSet evaluation set from saved predictions.
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
import { writeAudioSetManifests } from './manifests.js';

export const RECIPE = 'as20k-finetune';
/**
 * Clips per forward/backward pass by default. cat-base at 1024 frames peaks at ~3.8 GB for one clip on the wasm
 * backend (measured): even one clip and the optimizer state exceed its 4 GB heap; other backends take more.
 * Mixup pairs clips within a pass, so it needs at least 2.
 */
export const DEFAULT_MICRO_BATCH = 1;

export const USAGE = `Usage: finetune-as20k --train TRAIN --eval EVAL [options]

Fine-tunes on AudioSet's balanced training set (AS-20K) with the ${RECIPE} recipe and prints the mAP on the
evaluation set. TRAIN and EVAL: segment lists (balanced_train_segments.csv, eval_segments.csv, with
class_labels_indices.csv beside them or given by --labels) matched to the audio files below --train-root /
--eval-root; or the reference's SFT_AS20k/train.tsv and eval.tsv (with .lbl and label_descriptors.csv), whose root
line --train-root / --eval-root replace; or anything else 'cat-audio data inspect' reads.

Options:
  --train PATH        training list (required)
  --eval PATH         evaluation list (required)
  --train-root DIR    audio of the training list (default: beside the list / its root line)
  --eval-root DIR     audio of the evaluation list (default: likewise)
  --labels FILE       class list fixing the 527 classes' order (default: the one beside TRAIN)
  --out DIR           run folder (default runs/as20k): manifests/, config, checkpoints, predictions/
${finetuneUsage({ batch: 48, steps: 40_000, targetLength: 1024 }, DEFAULT_MICRO_BATCH)}
An interrupted run resumes from its newest checkpoint when the command is run again.`;

export interface As20kResult extends RunSummary {
  classes: number;
  trainClips: number;
  evalClips: number;
  /** Problems found reading the lists (missing segments, ...). */
  problems: { train: number; eval: number };
  /** Metrics of the final model on the evaluation set, from its saved predictions. */
  mAP: number;
  auc: number;
  dPrime: number;
  /** Classes with at least one positive evaluation clip (the mAP's average runs over these). */
  scoredClasses: number;
}

export async function runAs20k(argv: string[], output: Output): Promise<As20kResult> {
  const { values } = parseArgs({
    args: argv,
    options: {
      train: { type: 'string' },
      eval: { type: 'string' },
      'train-root': { type: 'string' },
      'eval-root': { type: 'string' },
      labels: { type: 'string' },
      ...finetuneOptions({ out: 'runs/as20k', microBatch: DEFAULT_MICRO_BATCH }),
    },
  });
  if (values.train === undefined || values.eval === undefined)
    throw new Error(`--train and --eval are required\n\n${USAGE}`);
  const out = resolve(values.out);
  const { stdout, stderr } = output;

  const manifests = await writeAudioSetManifests({
    train: { path: values.train, root: values['train-root'] },
    eval: { path: values.eval, root: values['eval-root'] },
    labels: values.labels,
    out: join(out, 'manifests'),
  });
  for (const [name, split] of [
    ['train', manifests.train],
    ['eval', manifests.eval],
  ] as const) {
    for (const problem of split.problems.slice(0, 5)) stderr(`${name}: ${problem}`);
    if (split.problems.length > 5) stderr(`${name}: ... ${split.problems.length - 5} more problems`);
  }
  const describe = (split: typeof manifests.train) =>
    `${split.clips} clips` +
    (split.problems.length > 0 ? ` (${split.problems.length} listed entries without audio or label)` : '');
  stdout(
    `AudioSet: ${manifests.labels.size} classes; training on ${describe(manifests.train)}, ` +
      `evaluating on ${describe(manifests.eval)} (manifests in ${join(out, 'manifests')})`,
  );

  const {
    run,
    predictions: p,
    summary,
  } = await finetuneAndPredict(
    { recipe: RECIPE, train: manifests.train.file, eval: manifests.eval.file, out, ...runChoices(values) },
    output,
  );
  const numClasses = p.classes.keys.length;
  let scoredClasses = 0;
  for (let c = 0; c < numClasses; c++) {
    let positives = 0;
    for (let i = 0; i < p.ids.length; i++) positives += p.targets[i * numClasses + c];
    if (positives > 0) scoredClasses++;
  }
  const result: As20kResult = {
    classes: manifests.labels.size,
    trainClips: manifests.train.clips,
    evalClips: p.ids.length,
    problems: { train: manifests.train.problems.length, eval: manifests.eval.problems.length },
    mAP: p.metrics.mAP,
    auc: p.metrics.auc,
    dPrime: p.metrics.dPrime,
    scoredClasses,
    ...summary,
  };
  stdout(
    `mAP: ${p.metrics.mAP.toFixed(4)} over ${scoredClasses} classes with positives, ${p.ids.length} clips, after ${run.steps} steps`,
  );
  stdout(`mean AUC: ${p.metrics.auc.toFixed(4)}, d-prime: ${p.metrics.dPrime.toFixed(4)}`);
  if (run.best) stdout(`best mAP during training: ${run.best.value.toFixed(4)} at step ${run.best.step}`);
  stdout(`model: ${run.model}`);
  await writeJsonAtomic(join(out, 'results.json'), result);
  return result;
}
