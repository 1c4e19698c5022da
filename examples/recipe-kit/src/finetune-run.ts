/**
 * One `cat-audio finetune` run of a bundled recipe, with what a small machine needs on top: the recipe's batch
 * split into micro-batches (gradient accumulation) and shorter runs that keep the recipe's warm-up share.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Recipe } from '@cat/train';
import { loadRecipe, readJsonl } from '@cat/train/node';
import { catAudio, type Output } from './cat-audio.js';

/**
 * An encoder configuration (for `--model <file>.json`) far smaller than cat-tiny's 5.6 M parameters: 32
 * dimensions, 2 blocks. Runs of a few steps take seconds, which is what tests of whole programs need.
 */
export const MICRO_ENCODER = {
  embedDim: 32,
  numHeads: 2,
  depth: 2,
  multiResolution: { channels: [8, 16], depths: [1, 1] },
  maxTimePatches: 8,
} as const;

export interface RunSize {
  /** Clips per optimizer step (default: the recipe's `data.batchSize`). */
  batch?: number;
  /** Clips per forward/backward pass; `batch / microBatch` passes are accumulated per step. */
  microBatch?: number;
  /** Optimizer steps (default: the recipe's); the warm-up keeps the recipe's share of them. */
  steps?: number;
  targetLength?: number;
}

export interface FinetuneRunOptions extends RunSize {
  recipe: string;
  train: string;
  eval: string | null;
  out: string;
  model?: string;
  init?: string;
  labels?: string;
  root?: string;
  backend?: string;
  /** Further `--set key=value` overrides, applied last. */
  set?: string[];
}

export interface FinetuneRunResult {
  /** The recipe as the run resolved it (`out/config.json`). */
  recipe: Recipe;
  /** `out/last.safetensors`. */
  model: string;
  steps: number;
  /** The best evaluation during training, by the recipe's metric (how the reference picks its checkpoint). */
  best: { step: number; value: number } | null;
  /** The last evaluation. */
  last: { step: number; value: number } | null;
  /** The evaluation at the final step (null when the run made none there, e.g. a finished run resumed). */
  finalEval: number | null;
}

/** The `--set` overrides that turn the recipe's batch into `microBatch`-sized passes and shorten the schedule. */
export function sizeOverrides(recipe: Recipe, size: RunSize): string[] {
  const batch = size.batch ?? recipe.data.batchSize;
  const micro = size.microBatch ?? batch;
  if (
    !(Number.isInteger(batch) && batch > 0 && Number.isInteger(micro) && micro > 0 && batch % micro === 0)
  ) {
    throw new Error(`the batch (${batch}) must be a whole multiple of the micro-batch (${micro})`);
  }
  const sets = [`data.batchSize=${micro}`, `optim.accumulate=${batch / micro}`];
  if (size.steps !== undefined) {
    if (!(Number.isInteger(size.steps) && size.steps > 0))
      throw new Error(`--steps must be a whole number > 0`);
    const share = recipe.optim.warmupSteps / recipe.optim.steps;
    sets.push(`optim.steps=${size.steps}`, `optim.warmupSteps=${Math.floor(size.steps * share)}`);
  }
  if (size.targetLength !== undefined) sets.push(`data.targetLength=${size.targetLength}`);
  return sets;
}

/** The arguments of the `cat-audio finetune` command a run stands for. */
export async function finetuneArgs(options: FinetuneRunOptions): Promise<string[]> {
  const recipe = await loadRecipe(options.recipe, ['data.train=unused']);
  const args = ['finetune', '--config', options.recipe, '--data', options.train];
  if (options.eval !== null) args.push('--eval', options.eval);
  args.push('--out', options.out);
  if (options.model !== undefined) args.push('--model', options.model);
  if (options.init !== undefined) args.push('--init', options.init);
  if (options.labels !== undefined) args.push('--labels', options.labels);
  if (options.backend !== undefined) args.push('--backend', options.backend);
  const sets = [...sizeOverrides(recipe, options), ...(options.root ? [`data.root=${options.root}`] : [])];
  for (const set of [...sets, ...(options.set ?? [])]) args.push('--set', set);
  return args;
}

/**
 * Runs (or resumes: the run folder's newest checkpoint is the starting point when there is one) the
 * fine-tuning, and reads its evaluations back from `out/metrics.jsonl`.
 */
export async function runFinetune(options: FinetuneRunOptions, output: Output): Promise<FinetuneRunResult> {
  if (options.init === undefined)
    output.stderr(
      'note: no --init: fine-tuning from random weights (the reference starts from a pre-trained model)',
    );
  await catAudio(await finetuneArgs(options), output);
  const recipe = await loadRecipe(join(options.out, 'config.json'));
  const model = join(options.out, 'last.safetensors');
  if (!existsSync(model)) throw new Error(`${model}: the run finished without its final model`);
  const key = `eval_${recipe.finetune.metric}`;
  const evaluations = readJsonl(join(options.out, 'metrics.jsonl'))
    .filter((r) => typeof r[key] === 'number' && typeof r.step === 'number')
    .map((r) => ({ step: r.step as number, value: r[key] as number }));
  const best = evaluations.reduce<FinetuneRunResult['best']>(
    (top, e) => (top === null || e.value > top.value ? e : top),
    null,
  );
  const last = evaluations.at(-1) ?? null;
  const steps = recipe.optim.steps;
  return { recipe, model, steps, best, last, finalEval: last?.step === steps ? last.value : null };
}
