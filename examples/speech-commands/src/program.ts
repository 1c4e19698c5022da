/** SPC-2 (Speech Commands v2, 35 words) fine-tuning and test accuracy with the reference's `spc2-finetune` recipe. */
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
import { writeSpeechCommandsManifests } from './manifests.js';

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
${finetuneUsage({ batch: 256, steps: 40_000, targetLength: 128 }, DEFAULT_MICRO_BATCH)}
An interrupted run resumes from its newest checkpoint when the command is run again.`;

export interface SpeechCommandsResult extends RunSummary {
  classes: number;
  counts: { train: number; validation: number; test: number };
  /** Accuracy of the final model on the test part, from its saved predictions. */
  accuracy: number;
  correct: number;
  evalClips: number;
}

export async function runSpeechCommands(argv: string[], output: Output): Promise<SpeechCommandsResult> {
  const { values } = parseArgs({
    args: argv,
    options: {
      data: { type: 'string' },
      ...finetuneOptions({ out: 'runs/speech-commands', microBatch: DEFAULT_MICRO_BATCH }),
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

  const { run, predictions, summary } = await finetuneAndPredict(
    { recipe: RECIPE, train: manifests.train, eval: manifests.eval, out, ...runChoices(values) },
    output,
  );
  const { metrics, ids } = predictions;
  const correct = Math.round(metrics.accuracy * ids.length);
  const result: SpeechCommandsResult = {
    classes: manifests.labels.size,
    counts: manifests.counts,
    accuracy: metrics.accuracy,
    correct,
    evalClips: ids.length,
    ...summary,
  };
  stdout(
    `test accuracy: ${metrics.accuracy.toFixed(4)} (${correct}/${ids.length} clips) after ${run.steps} steps`,
  );
  if (run.best) stdout(`best during training: ${run.best.value.toFixed(4)} at step ${run.best.step}`);
  stdout(`model: ${run.model}`);
  await writeJsonAtomic(join(out, 'results.json'), result);
  return result;
}
