/**
 * The reference's AS-2M pre-training (`as2m-pretrain` recipe, `cat-audio pretrain`) on AudioSet as it is on
 * disk, on a machine that cannot hold the recipe's 96 clips per pass: the batch is accumulated over
 * micro-batches, with the utterance and regularization weights scaled so the objective stays the reference's.
 */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadAnyDataset } from '@cat/data/node';
import { writeJsonAtomic } from '@cat/frontend/node';
import type { Recipe } from '@cat/train';
import { loadRecipe, readJsonl } from '@cat/train/node';
import { catAudio, type Output, runChoices, runOptions, sizeOverrides } from '@example/recipe-kit';

export const RECIPE = 'as2m-pretrain';
/** Clips per pass by default. cat-base at 1024 frames does not fit the wasm heap even at 1 (measured). */
export const DEFAULT_MICRO_BATCH = 1;
const REGULARIZATION = ['auto', 'npy', 'descriptors', 'off'] as const;
type Regularization = (typeof REGULARIZATION)[number];

export const USAGE = `Usage: pretrain-audioset --data PATH [options]

Pre-trains CAT on AudioSet with the reference's ${RECIPE} recipe (4 masked clones, EMA teacher, Representation
Regularization towards external clip features). PATH: the reference's pre-training manifest (train.json:
wav_path, clap_path, num_frame) for regularization towards its features (CLAP in the reference); or a folder of
AudioSet files (Y<id>.wav, <id>_<start>.flac, any sub-folders: bal_train + unbal_train = AS-2M); or a segment list
(unbalanced_train_segments.csv with class_labels_indices.csv beside it) with the audio below --root; or anything
else 'cat-audio data inspect' reads.

Options:
  --data PATH            training audio (required)
  --root DIR             audio root of a segment list or .tsv manifest
  --out DIR              run folder (default runs/as2m-pretrain)
  --regularization R     auto (default): the manifest's features when PATH is a feature manifest, else spectral
                         descriptors; npy: the manifest's features; descriptors; off
  --model NAME|FILE      encoder (default: the recipe's cat-base)
  --batch N              clips per optimizer step (default: the recipe's 96)
  --micro-batch N        clips per pass, accumulated to --batch (default ${DEFAULT_MICRO_BATCH})
  --steps N              optimizer steps (default: the recipe's 400000); warm-up and EMA anneal keep their share
  --minutes M            stop after M minutes (checkpointing first); run again to continue
  --target-length T      frames per clip (default: the recipe's 1024)
  --backend NAME         auto, wasm, cpu, tensorflow, tensorflow-gpu (default auto)
  --set KEY=VALUE        any other recipe override (repeatable)
An interrupted run resumes from its newest checkpoint when the command is run again.`;

export interface PretrainRunResult {
  kind: string;
  clips: number;
  problems: number;
  regularization: string | null;
  batch: number;
  microBatch: number;
  steps: number;
  stoppedBy: 'steps' | 'time';
  /** The last logged metrics (loss and its parts, learning rate, EMA decay, ...). */
  last: Record<string, number>;
  /** Wall-clock seconds of the `cat-audio pretrain` call (start-up, feature extraction and saving included). */
  seconds: number;
  weights: string;
  recipe: Recipe;
}

/**
 * The recipe overrides for a batch of `batch` clips run as `batch / micro` accumulated passes. The reference's
 * utterance and regularization terms are sums over the views of a pass while the frame term is a mean over
 * tokens, and accumulation averages the passes: scaling both weights by the number of passes gives back the
 * reference's objective for the whole batch.
 */
export function batchOverrides(recipe: Recipe, batch: number, micro: number): string[] {
  const sets = sizeOverrides(recipe, { batch, microBatch: micro });
  const passes = batch / micro;
  if (recipe.pretrain.weighting === 'reference' && passes > 1) {
    sets.push(`pretrain.utteranceWeight=${recipe.pretrain.utteranceWeight * passes}`);
    if (recipe.pretrain.regularization)
      sets.push(`pretrain.regularization.weight=${recipe.pretrain.regularization.weight * passes}`);
  }
  return sets;
}

export async function runPretrainAudioSet(argv: string[], output: Output): Promise<PretrainRunResult> {
  const { values } = parseArgs({
    args: argv,
    options: {
      data: { type: 'string' },
      root: { type: 'string' },
      regularization: { type: 'string', default: 'auto' },
      minutes: { type: 'string' },
      ...runOptions({ out: 'runs/as2m-pretrain', microBatch: DEFAULT_MICRO_BATCH }),
    },
  });
  if (values.data === undefined) throw new Error(`--data is required\n\n${USAGE}`);
  const regularization = values.regularization as Regularization;
  if (!REGULARIZATION.includes(regularization))
    throw new Error(
      `--regularization must be one of ${REGULARIZATION.join(', ')}, got '${values.regularization}'`,
    );
  const choices = runChoices(values);
  const { stdout, stderr } = output;
  const out = resolve(values.out);
  const data = resolve(values.data);

  const loaded = await loadAnyDataset(data, { root: values.root });
  const { dataset } = loaded;
  for (const p of dataset.problems.slice(0, 5)) stderr(`data: ${p.file}:${p.line}: ${p.reason}`);
  if (dataset.problems.length > 5) stderr(`data: ... ${dataset.problems.length - 5} more problems`);
  stdout(
    `AudioSet (${loaded.kind}): ${dataset.entries.length} clips` +
      (dataset.problems.length > 0 ? `, ${dataset.problems.length} listed entries unusable` : ''),
  );

  const recipe = await loadRecipe(RECIPE, [`data.train=${data}`]);
  const batch = choices.batch ?? recipe.data.batchSize;
  const micro = choices.microBatch!;
  const sets = batchOverrides(recipe, batch, micro);
  let encoder: string | null;
  if (regularization === 'off') encoder = null;
  else if (regularization === 'descriptors') encoder = 'descriptors';
  else if (loaded.kind === 'feature-json') encoder = `npy:${data}`;
  else if (regularization === 'npy')
    throw new Error(
      `${data}: --regularization npy needs the reference's feature manifest (wav_path, clap_path, num_frame)`,
    );
  else {
    encoder = 'descriptors';
    stderr(
      'note: no external features in the data (the reference regularizes towards CLAP embeddings listed in a ' +
        'train.json): regularizing towards spectral descriptors instead',
    );
  }
  sets.push(encoder === null ? 'pretrain.regularization=null' : `pretrain.regularization.encoder=${encoder}`);
  if (values.root !== undefined) sets.push(`data.root=${resolve(values.root)}`);
  const { steps, targetLength } = choices;
  if (steps !== undefined) {
    // A shorter run keeps the recipe's shape: warm-up and the teacher's EMA anneal scale with the steps.
    sets.push(`optim.warmupSteps=${Math.floor((steps * recipe.optim.warmupSteps) / recipe.optim.steps)}`);
    sets.push(
      `pretrain.ema.steps=${Math.max(1, Math.floor((steps * recipe.pretrain.ema.steps) / recipe.optim.steps))}`,
    );
  }
  if (targetLength !== undefined) sets.push(`data.targetLength=${targetLength}`);

  const args = ['pretrain', '--config', RECIPE, '--data', data, '--out', out];
  if (values.model !== undefined) args.push('--model', values.model);
  if (steps !== undefined) args.push('--steps', String(steps));
  if (values.minutes !== undefined) args.push('--minutes', values.minutes);
  if (values.backend !== undefined) args.push('--backend', values.backend);
  for (const set of [...sets, ...values.set]) args.push('--set', set);

  const started = performance.now();
  const lines = await catAudio(args, output);
  const seconds = (performance.now() - started) / 1000;
  const resolved = await loadRecipe(join(out, 'config.json'));
  const records = readJsonl(join(out, 'metrics.jsonl')).filter((r) => typeof r.loss === 'number');
  const last = (records.at(-1) ?? {}) as Record<string, number>;
  const stepsLine = lines.find((line) => line.startsWith('steps: ')) ?? '';
  const done = Number(/^steps: (\d+)/.exec(stepsLine)?.[1] ?? Number.NaN);
  const result: PretrainRunResult = {
    kind: loaded.kind,
    clips: dataset.entries.length,
    problems: dataset.problems.length,
    regularization: encoder,
    batch,
    microBatch: micro,
    steps: done,
    stoppedBy: stepsLine.includes('--minutes') ? 'time' : 'steps',
    last,
    seconds,
    weights: join(out, 'last.safetensors'),
    recipe: resolved,
  };
  stdout(
    `steps: ${done} of ${resolved.optim.steps} (batch ${batch} = ${batch / micro} x ${micro} clips)` +
      (result.stoppedBy === 'time' ? ', stopped by --minutes' : ''),
  );
  if (typeof last.loss === 'number') {
    // The logged utterance term is before its weight, the regularization term after it (as @cat/ssl logs them).
    const { frameWeight, utteranceWeight, regularization: rr } = resolved.pretrain;
    const weighted = (weight: number, key: string) =>
      `${weight === 1 ? '' : `${weight} x `}${key} ${last[key].toFixed(4)}`;
    const parts = [weighted(frameWeight, 'frame'), weighted(utteranceWeight, 'utterance')];
    if (typeof last.regularization === 'number')
      parts.push(`regularization ${last.regularization.toFixed(4)} (weight ${rr?.weight} included)`);
    stdout(`loss at step ${last.step}: ${last.loss.toFixed(4)} = ${parts.join(' + ')}`);
  }
  stdout(`regularization: ${encoder ?? 'off'}`);
  stdout(`time: ${seconds.toFixed(1)} s in all`);
  stdout(`weights: ${result.weights}`);
  await writeJsonAtomic(join(out, 'summary.json'), { ...result, recipe: undefined });
  return result;
}
