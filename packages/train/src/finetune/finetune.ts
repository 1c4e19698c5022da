import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { audiosetSampleWeights, type Dataset, labelSetOf, type SamplerCursor, streamSeed } from '@cat/data';
import { FbankLoader, type FbankLoaderOptions, loadAnyDataset } from '@cat/data/node';
import { writeFileAtomic } from '@cat/frontend/node';
import { loadCheckpoint, prepareBackend, requireGradients } from '@cat/layers';
import * as tf from '@tensorflow/tfjs-core';
import { GradientAccumulator } from '../accumulation.js';
import { AdamW } from '../adamw.js';
import { CheckpointDirectory, type CheckpointInfo } from '../checkpoints.js';
import { clipGradientsByGlobalNorm } from '../clipping.js';
import { assertFiniteLoss, NonFiniteLossError } from '../guard.js';
import { readJsonl } from '../jsonl.js';
import { multiLabelBceWithLogits, softTargetCrossEntropy } from '../losses.js';
import { type ParameterGroup, parameterGroups } from '../parameters.js';
import { ProgressReporter, type ProgressStream } from '../progress.js';
import { type OptimRecipe, type Recipe, RecipeError, validateRecipe } from '../recipe.js';
import { MODEL_FILE, readOptimizerState, writeOptimizerState } from '../run/model-state.js';
import { RunFolder } from '../run/run-folder.js';
import { cosineLearningRate, layerDecayScale } from '../schedules.js';
import { AudioClassifier } from './classifier.js';
import { type ClassificationMetrics, evaluateClassifier } from './evaluate.js';
import {
  classifierFileBytes,
  initializeClassifier,
  type ModelLabels,
  readModelFile,
  readModelSpec,
} from './model-file.js';
import { withSeededMathRandom } from './random-scope.js';

export interface FinetuneOptions {
  recipe: Recipe;
  /** Summaries, evaluations and warnings, one line each (default: stderr). */
  log?: (line: string) => void;
  /** Where the progress bar or lines go (default: stderr); false for none. */
  progress?: ProgressStream | false;
  /** Continue from the newest checkpoint in the run folder (default true); false deletes its checkpoints and metrics first. */
  resume?: boolean;
  /** Stop (checkpointing first) after this much wall time; the schedule still spans `optim.steps`. */
  minutes?: number;
  /**
   * Return right after this step's update, before its evaluation and checkpoint, as a process killed there
   * would stop (for tests of resuming).
   */
  stopAfter?: number;
}

export interface FinetuneResult {
  /** Updates done (the run's total when it finished). */
  step: number;
  /** The best evaluation by `recipe.finetune.metric` over the whole run; `model` is its checkpoint's weights while kept. */
  best: { step: number; metric: 'mAP' | 'accuracy'; value: number; model?: string } | null;
  /** The evaluation at the step reached (null when none ran there, e.g. after `stopAfter`). */
  metrics: ClassificationMetrics | null;
  /** The run folder. */
  out: string;
  /** The final weights (`out/last.safetensors`, fine-tuned layout) once the run has finished. */
  model: string | null;
  /** The checkpoint step this invocation resumed from. */
  resumedFrom: number | null;
  stoppedBy: 'steps' | 'time' | 'stopAfter';
}

/** What a checkpoint holds besides the weights and optimizer moments. */
interface TrainingState {
  step: number;
  /** Where the training loader continues (seed, epoch, position). */
  cursor: SamplerCursor;
  seed: number;
  numClasses: number;
  encoder: unknown;
}

const STATE_FILE = 'state.json';
export const FINAL_MODEL_FILE = 'last.safetensors';

/**
 * The optimizer groups of fine-tuning: weight decay except on biases and 1-D parameters, and, with
 * `optim.layerDecay`, block i of L at `decay^(L−i)` of the learning rate (everything else at 1).
 */
export function finetuneParameterGroups(classifier: AudioClassifier, optim: OptimRecipe): ParameterGroup[] {
  const depth = classifier.encoderConfig.depth;
  const decay = optim.layerDecay;
  return parameterGroups(classifier.namedParameters(), {
    weightDecay: optim.weightDecay,
    lrScale: decay === null ? undefined : (name) => layerDecayScale(name, depth, decay),
  });
}

/**
 * Train and evaluation sets of a recipe, with the evaluation classes in the training set's order. A layout with
 * splits trains on every split but its test split (Speech Commands: train + validation, the reference's 94,824
 * SPC-2 clips) and is evaluated on its test split.
 */
export async function finetuneData(recipe: Recipe): Promise<{ train: Dataset; evaluation: Dataset | null }> {
  const { root, labels } = recipe.data;
  const loaded = await loadAnyDataset(recipe.data.train, {
    root: root ?? undefined,
    labels: labels ?? undefined,
  });
  const parts = Object.entries(loaded.splits ?? { all: loaded.dataset })
    .filter(([name]) => name !== 'test')
    .map(([, part]) => part);
  // The splits of one layout share its classes.
  const train: Dataset = {
    ...parts[0],
    entries: parts.flatMap((part) => part.entries),
    problems: parts.flatMap((part) => part.problems),
  };
  if (train.labelKeys.length === 0) {
    throw new RecipeError(
      `${recipe.data.train}: the training data has no labels (fine-tuning needs labelled clips)`,
    );
  }
  if (recipe.data.eval === null) return { train, evaluation: null };
  const other = await loadAnyDataset(recipe.data.eval, {
    root: root ?? undefined,
    labels: labelSetOf(train),
  });
  return { train, evaluation: other.splits?.test ?? other.dataset };
}

/** Loader options shared by training and evaluation. */
function commonLoaderOptions(recipe: Recipe, log: (line: string) => void): FbankLoaderOptions {
  const { data } = recipe;
  return {
    batchSize: data.batchSize,
    targetLength: data.targetLength,
    normalize: data.normalize,
    workers: data.workers ?? undefined,
    minSamples: data.minSamples,
    cache: data.cache ?? undefined,
    singleLabel: recipe.finetune.metric === 'accuracy',
    log,
  };
}

function trainLoaderOptions(
  recipe: Recipe,
  train: Dataset,
  cursor: SamplerCursor | undefined,
  log: (line: string) => void,
): FbankLoaderOptions {
  const { finetune, data } = recipe;
  return {
    ...commonLoaderOptions(recipe, log),
    ...(cursor ? { cursor } : { seed: recipe.seed }),
    mixup: finetune.mixup ?? undefined,
    specAugment: finetune.specAugment
      ? { freqMaskParam: finetune.specAugment.freqMask, timeMaskParam: finetune.specAugment.timeMask }
      : undefined,
    rollGain: finetune.rollAugment,
    noise: finetune.noiseAugment,
    labelSmoothing: finetune.labelSmoothing,
    ...(data.samplesPerEpoch === null
      ? {}
      : {
          weights: audiosetSampleWeights(
            train.entries.map((e) => e.labels),
            train.labelKeys.length,
          ),
          samplesPerEpoch: data.samplesPerEpoch,
        }),
  };
}

/**
 * Keeps the metric lines up to `step` (a killed run may have logged past its last checkpoint), so the resumed
 * run's lines continue the file without repeats.
 */
async function truncateMetrics(out: string, step: number): Promise<void> {
  const path = join(out, 'metrics.jsonl');
  const kept = readJsonl(path).filter((r) => typeof r.step === 'number' && r.step <= step);
  await writeFileAtomic(path, kept.map((r) => `${JSON.stringify(r)}\n`).join(''));
}

async function readState(checkpoint: CheckpointInfo): Promise<TrainingState> {
  const path = join(checkpoint.dir, STATE_FILE);
  try {
    return JSON.parse(await readFile(path, 'utf8')) as TrainingState;
  } catch (error) {
    throw new Error(`${path}: cannot read the training state to resume (${(error as Error).message})`);
  }
}

function bestOf(records: Record<string, unknown>[], metric: 'mAP' | 'accuracy'): FinetuneResult['best'] {
  let best: FinetuneResult['best'] = null;
  for (const r of records) {
    const value = r[`eval_${metric}`];
    if (typeof value === 'number' && typeof r.step === 'number' && (best === null || value > best.value)) {
      best = { step: r.step, metric, value };
    }
  }
  return best;
}

/**
 * Fine-tunes a classifier as the reference (§10): encoder (random, pre-trained or fine-tuned init) + CLS head,
 * AdamW with layer-wise LR decay, cosine schedule, the recipe's augmentations and loss, evaluation on the eval
 * split, crash-safe checkpoints in `recipe.checkpoint.out`. A run folder that already holds checkpoints is
 * resumed from the newest one exactly (weights, optimizer moments, step, data cursor; the random draws are
 * functions of seed and step). A NaN or infinite loss stops the run with a NonFiniteLossError naming the last
 * good checkpoint.
 */
export async function finetune(options: FinetuneOptions): Promise<FinetuneResult> {
  const recipe = validateRecipe(options.recipe);
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  if (recipe.task !== 'finetune') {
    throw new RecipeError(`the recipe's task is '${recipe.task}', not 'finetune' (--set task=finetune)`);
  }
  const { optim, finetune: ft, checkpoint: saving } = recipe;
  const out = saving.out;
  await prepareBackend({ backend: recipe.backend, log });
  await requireGradients();
  const model = await readModelSpec(recipe.model);
  const { train, evaluation } = await finetuneData(recipe);
  const numClasses = train.labelKeys.length;
  const labels = { keys: [...train.labelKeys], names: [...train.labelNames] };

  if (options.resume === false && existsSync(join(out, 'checkpoints'))) {
    await rm(join(out, 'checkpoints'), { recursive: true, force: true });
    log(`starting over: removed the checkpoints in ${out}`);
  }
  const latest = await new CheckpointDirectory(join(out, 'checkpoints')).latest();
  if (RunFolder.hasHistory(out)) await truncateMetrics(out, latest?.step ?? 0);
  const run = await RunFolder.open(recipe, { bestMetric: evaluation ? ft.metric : undefined });
  const classifier = new AudioClassifier({ model, numClasses, seed: recipe.seed, dropPath: ft.dropPath });
  const optimizer = new AdamW(finetuneParameterGroups(classifier, optim), {
    betas: optim.betas,
    eps: optim.eps,
  });
  try {
    const start = await restore(recipe, classifier, optimizer, latest, log);
    log(
      `fine-tuning ${typeof model === 'string' ? model : 'a custom encoder'} (${classifier.encoder.countParams()} encoder parameters) ` +
        `on ${train.entries.length} clips, ${numClasses} classes` +
        (evaluation
          ? `; evaluating on ${evaluation.entries.length} clips (${ft.metric})`
          : '; no evaluation set'),
    );
    const { step, stoppedBy } = await trainingLoop(
      { ...options, recipe, log },
      { run, classifier, optimizer, train, evaluation, labels, start },
    );
    let finalModel: string | null = null;
    if (step >= optim.steps) {
      finalModel = join(out, FINAL_MODEL_FILE);
      await writeFileAtomic(finalModel, classifierFileBytes(classifier, labels));
    }
    const best = evaluation ? bestOf(run.history(), ft.metric) : null;
    if (best) {
      const kept = (await run.checkpoints.list()).find((c) => c.step === best.step);
      if (kept) best.model = join(kept.dir, MODEL_FILE);
    }
    const lastEval = evaluation ? lastMetrics(run.history(), step) : null;
    return {
      step,
      best,
      metrics: lastEval,
      out,
      model: finalModel,
      resumedFrom: latest?.step ?? null,
      stoppedBy,
    };
  } finally {
    run.close();
    optimizer.dispose();
    classifier.dispose();
  }
}

/** Loads the newest checkpoint of the run (weights, moments, step, cursor), else the recipe's initial weights. */
async function restore(
  recipe: Recipe,
  classifier: AudioClassifier,
  optimizer: AdamW,
  latest: CheckpointInfo | undefined,
  log: (line: string) => void,
): Promise<{ step: number; cursor?: SamplerCursor }> {
  if (!latest) {
    const init = recipe.finetune.init;
    log(
      init
        ? `initialised from ${initializeClassifier(classifier, await readModelFile(init))}`
        : `random initialisation (seed ${recipe.seed})`,
    );
    return { step: 0 };
  }
  const state = await readState(latest);
  if (
    state.numClasses !== classifier.numClasses ||
    JSON.stringify(state.encoder) !== JSON.stringify(classifier.encoderConfig)
  ) {
    throw new Error(
      `${latest.dir}: saved by a different model or data (${state.numClasses} classes); ` +
        `use another checkpoint.out or remove ${recipe.checkpoint.out}`,
    );
  }
  const weights = await readModelFile(join(latest.dir, MODEL_FILE));
  loadCheckpoint(classifier.parts, weights.tensors, weights.path);
  optimizer.importState(await readOptimizerState(latest.dir));
  log(`resuming ${recipe.checkpoint.out} from step ${state.step} (${latest.dir})`);
  return { step: state.step, cursor: state.cursor };
}

/** The metrics of the evaluation logged at `step`, if there was one. */
function lastMetrics(records: Record<string, unknown>[], step: number): ClassificationMetrics | null {
  const r = [...records]
    .reverse()
    .find((record) => record.step === step && typeof record.eval_accuracy === 'number');
  if (!r) return null;
  const value = (key: string) => (typeof r[key] === 'number' ? (r[key] as number) : Number.NaN);
  return {
    mAP: value('eval_mAP'),
    accuracy: value('eval_accuracy'),
    auc: value('eval_auc'),
    dPrime: value('eval_dPrime'),
    clips: value('eval_clips'),
  };
}

interface LoopParts {
  run: RunFolder;
  classifier: AudioClassifier;
  optimizer: AdamW;
  train: Dataset;
  evaluation: Dataset | null;
  labels: ModelLabels;
  start: { step: number; cursor?: SamplerCursor };
}

/** Steps from `start` to the end of the schedule (or the time limit, or `stopAfter`), evaluating and checkpointing. */
async function trainingLoop(
  options: FinetuneOptions & { log: (line: string) => void },
  parts: LoopParts,
): Promise<{ step: number; stoppedBy: FinetuneResult['stoppedBy'] }> {
  const { recipe, log } = options;
  const { optim, finetune: ft, checkpoint: saving } = recipe;
  const { run, classifier, optimizer, train, evaluation, labels } = parts;
  let step = parts.start.step;
  const trainLoader = new FbankLoader(train, trainLoaderOptions(recipe, train, parts.start.cursor, log));
  const evalLoader = evaluation
    ? new FbankLoader(evaluation, { ...commonLoaderOptions(recipe, log), shuffle: false })
    : null;
  const progress =
    options.progress === false
      ? null
      : new ProgressReporter({
          total: optim.steps,
          startStep: step,
          stream: options.progress ?? process.stderr,
        });
  const accumulator = optim.accumulate > 1 ? new GradientAccumulator() : null;
  const variables = classifier.namedParameters().map((p) => p.variable);
  const schedule = {
    peakLr: optim.lr,
    warmupSteps: optim.warmupSteps,
    totalSteps: optim.steps,
    minLr: optim.minLr,
  };
  const lossOf = (logits: tf.Tensor2D, targets: tf.Tensor2D): tf.Scalar =>
    ft.loss === 'ce'
      ? softTargetCrossEntropy(logits, targets)
      : // The reference divides the summed BCE by the label sum on AudioSet, by the batch on single-label SPC-2.
        multiLabelBceWithLogits(logits, targets, ft.metric === 'accuracy' ? 'batch' : 'labelSum');
  const plotLayout = [
    { title: 'training loss', keys: ['loss'] },
    { title: 'learning rate', keys: ['lr'] },
    { title: 'evaluation', keys: [`eval_${ft.metric}`] },
  ];
  let microLosses: number[] = [];

  const evaluate = async (): Promise<ClassificationMetrics> => {
    const { metrics } = await evaluateClassifier(classifier, evalLoader!.epoch());
    run.metrics({
      step,
      eval_mAP: metrics.mAP,
      eval_accuracy: metrics.accuracy,
      eval_dPrime: metrics.dPrime,
      eval_auc: metrics.auc,
      eval_clips: metrics.clips,
    });
    log(
      `step ${step}: eval mAP ${metrics.mAP.toFixed(4)}, accuracy ${metrics.accuracy.toFixed(4)}, ` +
        `d-prime ${metrics.dPrime.toFixed(3)} (${metrics.clips} clips)`,
    );
    return metrics;
  };

  const saveCheckpoint = async (at: SamplerCursor, metrics: ClassificationMetrics | null) => {
    const state: TrainingState = {
      step,
      cursor: at,
      seed: recipe.seed,
      numClasses: classifier.numClasses,
      encoder: classifier.encoderConfig,
    };
    const values: Record<string, number> = metrics
      ? { mAP: metrics.mAP, accuracy: metrics.accuracy, dPrime: metrics.dPrime, auc: metrics.auc }
      : {};
    await run.checkpoints.save(
      step,
      async (writer) => {
        await writer.writeFile(MODEL_FILE, classifierFileBytes(classifier, labels));
        await writeOptimizerState(writer, optimizer);
        await writer.writeJson(STATE_FILE, state);
      },
      values,
    );
  };

  const deadline =
    options.minutes === undefined ? Number.POSITIVE_INFINITY : Date.now() + options.minutes * 60_000;
  let stoppedBy: FinetuneResult['stoppedBy'] = 'steps';
  try {
    let at = trainLoader.cursor;
    while (step < optim.steps && stoppedBy === 'steps') {
      let batches = 0;
      for await (const batch of trainLoader.epoch()) {
        batches++;
        at = trainLoader.cursor;
        const micro = accumulator?.count ?? 0;
        const { value, grads } = withSeededMathRandom(streamSeed(recipe.seed, step, micro), () =>
          tf.variableGrads(() => {
            const inputs = tf.tensor3d(batch.inputs, [batch.size, batch.frames, batch.bins]);
            const targets = tf.tensor2d(batch.targets, [batch.size, batch.numClasses]);
            return lossOf(classifier.logits(inputs, true), targets);
          }, variables),
        );
        const loss = (await value.data())[0];
        value.dispose();
        microLosses.push(loss);
        try {
          assertFiniteLoss(loss, step + 1);
        } catch (error) {
          tf.dispose(grads);
          throw error;
        }
        let update = grads;
        if (accumulator) {
          accumulator.add(grads);
          tf.dispose(grads);
          if (accumulator.count < optim.accumulate) continue;
          update = accumulator.drain('mean');
        }
        let gradNorm: number | undefined;
        if (optim.clipNorm !== null) {
          const clipped = clipGradientsByGlobalNorm(update, optim.clipNorm);
          tf.dispose(update);
          update = clipped.grads;
          gradNorm = (await clipped.norm.data())[0];
          clipped.norm.dispose();
        }
        const lr = cosineLearningRate(step, schedule);
        optimizer.step(update, lr);
        tf.dispose(update);
        step += 1;
        const stepLoss = microLosses.reduce((a, b) => a + b, 0) / microLosses.length;
        microLosses = [];
        if (step % recipe.log.every === 0 || step === optim.steps) {
          // The live tensor count shows a leak (it must stay flat) before it becomes an out-of-memory days later.
          run.metrics({
            step,
            loss: stepLoss,
            lr,
            ...(gradNorm === undefined ? {} : { gradNorm }),
            tensors: tf.memory().numTensors,
          });
        }
        progress?.update(step, { loss: stepLoss, lr });
        if (step === options.stopAfter) {
          stoppedBy = 'stopAfter';
          break;
        }
        const checkpointNow = step % saving.every === 0 || step === optim.steps;
        const evalNow =
          evalLoader !== null &&
          (checkpointNow || (recipe.log.evalEvery > 0 && step % recipe.log.evalEvery === 0));
        const metrics = evalNow ? await evaluate() : null;
        if (checkpointNow) await saveCheckpoint(at, metrics);
        if (evalNow || checkpointNow) await run.plot(plotLayout);
        if (step >= optim.steps) break;
        if (Date.now() > deadline) {
          if (!checkpointNow) await saveCheckpoint(at, null);
          log(
            `stopping at step ${step}: the ${options.minutes}-minute limit is reached (run again to continue)`,
          );
          stoppedBy = 'time';
          break;
        }
      }
      if (batches === 0)
        throw new Error(`${recipe.data.train}: no training clip could be read (see the skipped files above)`);
    }
    return { step, stoppedBy };
  } catch (error) {
    if (error instanceof NonFiniteLossError) {
      const good = await run.checkpoints.latest();
      error.message += good
        ? `; the last good checkpoint is ${good.dir} (step ${good.step})`
        : '; no checkpoint was saved before it';
    }
    throw error;
  } finally {
    progress?.finish();
    accumulator?.reset();
    await trainLoader.close();
    await evalLoader?.close();
  }
}
