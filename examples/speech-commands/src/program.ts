/** SPC-2 (Speech Commands v2, 35 words) fine-tuning and test accuracy with the reference's `spc2-finetune` recipe. */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { writeJsonAtomic } from '@cat/frontend/node';
import type { Output } from './cat-audio.js';
import { type FinetuneRunResult, runFinetune } from './finetune-run.js';
import { writeSpeechCommandsManifests } from './manifests.js';
import { predict } from './predictions.js';

export const RECIPE = 'spc2-finetune';
/**
 * Clips per forward/backward pass by default: cat-base at 128 frames peaks at ~1.5 GB for one clip on the wasm
 * backend (measured); four clips and the optimizer state stay under its 4 GB heap (estimated). Mixup pairs clips
 * within a pass.
 */
export const DEFAULT_MICRO_BATCH = 4;

export const USAGE = `Usage: speech-commands --data speech_commands_v0.02/ [options]

Fine-tunes on Speech Commands v2 (train + validation parts, as the reference) with the ${RECIPE} recipe and
prints the accuracy on the test part.

Options:
  --data DIR          the Speech Commands v2 folder (word folders, validation_list.txt, testing_list.txt) (required)
  --out DIR           run folder (default runs/speech-commands): manifests/, config, checkpoints, predictions/
  --init FILE         pre-trained weights to start from (default: random initialisation)
  --model NAME|FILE   encoder (default: the recipe's cat-base)
  --batch N           clips per optimizer step (default: the recipe's 256)
  --micro-batch N     clips per pass, accumulated to --batch (default ${DEFAULT_MICRO_BATCH})
  --steps N           optimizer steps (default: the recipe's 40000); warm-up stays 10%
  --target-length T   frames per clip (default: the recipe's 128)
  --backend NAME      auto, wasm, cpu, tensorflow, tensorflow-gpu (default auto)
  --set KEY=VALUE     any other recipe override (repeatable)
An interrupted run resumes from its newest checkpoint when the command is run again.`;

export interface SpeechCommandsResult {
  classes: number;
  counts: { train: number; validation: number; test: number };
  /** Accuracy of the final model on the test part, from its saved predictions. */
  accuracy: number;
  correct: number;
  evalClips: number;
  best: FinetuneRunResult['best'];
  /** The fine-tuning run's own evaluation at its last step. */
  lastEval: number | null;
  model: string;
  predictions: string;
}

const integer = (value: string | undefined, name: string): number | undefined => {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) <= 0)
    throw new Error(`--${name} must be a whole number > 0, got '${value}'`);
  return Number(value);
};

export async function runSpeechCommands(argv: string[], output: Output): Promise<SpeechCommandsResult> {
  const { values } = parseArgs({
    args: argv,
    options: {
      data: { type: 'string' },
      out: { type: 'string', default: 'runs/speech-commands' },
      init: { type: 'string' },
      model: { type: 'string' },
      batch: { type: 'string' },
      'micro-batch': { type: 'string', default: String(DEFAULT_MICRO_BATCH) },
      steps: { type: 'string' },
      'target-length': { type: 'string' },
      backend: { type: 'string' },
      set: { type: 'string', multiple: true, default: [] },
    },
  });
  if (values.data === undefined) throw new Error(`--data is required\n\n${USAGE}`);
  const out = resolve(values.out);
  const { stdout, stderr } = output;

  const manifests = await writeSpeechCommandsManifests({ data: values.data, out: join(out, 'manifests') });
  for (const problem of manifests.problems) stderr(`warning: ${problem}`);
  const { train, validation, test } = manifests.counts;
  stdout(
    `Speech Commands: ${manifests.labels.size} words; training on train ${train} + validation ${validation} = ` +
      `${train + validation} clips, testing on ${test} (manifests in ${join(out, 'manifests')})`,
  );
  if (!manifests.referenceOrder)
    stderr(
      `note: the words are not the reference's 35: classes are the ${manifests.labels.size} folders, sorted`,
    );
  if (values.init === undefined)
    stderr(
      'note: no --init: fine-tuning from random weights (the reference starts from a pre-trained model)',
    );

  const run = await runFinetune(
    {
      recipe: RECIPE,
      train: manifests.train,
      eval: manifests.eval,
      out,
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
  const predictions = join(out, 'predictions');
  const { metrics, ids } = await predict({
    weights: run.model,
    data: manifests.eval,
    out: predictions,
    targetLength: run.recipe.data.targetLength,
    normalize: run.recipe.data.normalize,
    batchSize: run.recipe.data.batchSize,
    minSamples: run.recipe.data.minSamples,
    backend: run.recipe.backend,
    log: stderr,
  });
  const correct = Math.round(metrics.accuracy * ids.length);
  const result: SpeechCommandsResult = {
    classes: manifests.labels.size,
    counts: manifests.counts,
    accuracy: metrics.accuracy,
    correct,
    evalClips: ids.length,
    best: run.best,
    lastEval: run.last?.step === run.steps ? run.last.value : null,
    model: run.model,
    predictions,
  };
  stdout(
    `test accuracy: ${metrics.accuracy.toFixed(4)} (${correct}/${ids.length} clips) after ${run.steps} steps`,
  );
  if (run.best) stdout(`best during training: ${run.best.value.toFixed(4)} at step ${run.best.step}`);
  stdout(`model: ${run.model}`);
  await writeJsonAtomic(join(out, 'results.json'), result);
  return result;
}
