import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ClipEntry, SamplerCursor } from '@cat/data';
import { FbankLoader, loadAnyDataset } from '@cat/data/node';
import { writeFileAtomic } from '@cat/frontend/node';
import { loadCheckpoint, prepareBackend } from '@cat/layers';
import type { FeatureStore } from '@cat/regularize';
import { gatherFeatures } from '@cat/regularize/node';
import { CollapseMonitor, embeddingSpread } from '@cat/ssl';
import * as tf from '@tensorflow/tfjs-core';
import { GradientAccumulator } from '../accumulation.js';
import { assertFiniteLoss } from '../guard.js';
import { ProgressReporter } from '../progress.js';
import type { Recipe } from '../recipe.js';
import {
  MODEL_FILE,
  modelCheckpointBytes,
  readOptimizerState,
  readTensors,
  writeModelState,
  writeOptimizerState,
} from '../run/model-state.js';
import { RunFolder } from '../run/run-folder.js';
import { cosineLearningRate } from '../schedules.js';
import { externalFeatureStore } from './features.js';
import {
  buildPretrainingModel,
  checkpointParts,
  disposePretrainingModel,
  type PretrainingModel,
  pretrainingOptimizer,
  pretrainingParameters,
} from './model.js';
import { createStepRunner, replicaCount } from './replicas.js';
import type { HostBatch, PretrainingStepRunner } from './step-runner.js';

export interface PretrainOptions {
  recipe: Recipe;
  /** Stop (and checkpoint) after this much wall time; the schedule still spans `optim.steps`. */
  minutes?: number;
  /** Stop (checkpointing) once this step is reached, as if killed there; the schedule still spans `optim.steps`. */
  until?: number;
  /** Continue from the newest checkpoint in the run folder (default true). */
  resume?: boolean;
  /** One line per event (backend choice, skipped files, checkpoints); default stderr. */
  log?: (line: string) => void;
  /** Progress bar stream (default process.stderr). */
  progress?: NodeJS.WritableStream | false;
  /** The data-parallel worker script (default: the one built beside this module). */
  replicaWorkerScript?: string | URL;
}

export interface PretrainResult {
  /** Optimizer steps completed in total (including those before a resume). */
  step: number;
  out: string;
  /** `out/last.safetensors`: the final weights (pre-training layout), loadable by `embed --weights`. */
  lastWeights: string;
  /** Loss of every step run by this call, in order. */
  losses: number[];
  stoppedBy: 'steps' | 'time' | 'until';
  backend: string;
  /** Threads that computed each step (data-parallel replicas). */
  replicas: number;
}

/** Saved beside the weights: where to resume. */
interface PretrainState {
  step: number;
  cursor: SamplerCursor;
  masks: ReturnType<PretrainingModel['objective']['getState']>;
}

const PLOT = [
  { title: 'loss', keys: ['loss', 'frame', 'utterance', 'regularization'] },
  { title: 'CLS spread', keys: ['clsSpread'] },
];

/**
 * The reference's pre-training (§9) on any data `loadAnyDataset` reads: bootstrap objective with an EMA teacher,
 * optional Representation Regularization, AdamW with warm-up + cosine, clipping, accumulation, crash-safe
 * checkpoints and exact resume.
 */
export async function pretrain(options: PretrainOptions): Promise<PretrainResult> {
  const { recipe } = options;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const backend = await prepareBackend({ backend: recipe.backend, log });
  log(`backend: ${backend.name} (${backend.reason})`);

  const { dataset } = await loadAnyDataset(recipe.data.train, {
    root: recipe.data.root ?? undefined,
    labels: recipe.data.labels ?? undefined,
  });
  const run = await RunFolder.open(recipe);
  const latest = options.resume === false ? undefined : await run.checkpoints.latest();

  let store: FeatureStore | null = null;
  let entries: ClipEntry[] = dataset.entries;
  const rr = recipe.pretrain.regularization;
  if (rr) {
    store = await externalFeatureStore(rr.encoder, dataset.entries, join(run.out, 'features'), log);
    const before = entries.length;
    entries = entries.filter((e) => store!.has(e.id));
    if (entries.length < before)
      log(`regularization: ${before - entries.length} clip(s) without external features left out`);
  }

  const model = buildPretrainingModel(recipe, store ? store.dimension : null);
  const params = pretrainingParameters(model);
  const optimizer = pretrainingOptimizer(recipe, params);
  const variables = params.map((p) => p.variable);

  let step = 0;
  let cursor: SamplerCursor | undefined;
  if (latest) {
    loadCheckpoint(checkpointParts(model), await readTensors(join(latest.dir, MODEL_FILE)), latest.dir);
    optimizer.importState(await readOptimizerState(latest.dir));
    const state = JSON.parse(await readFile(join(latest.dir, 'state.json'), 'utf8')) as PretrainState;
    step = state.step;
    cursor = state.cursor;
    model.objective.setState(state.masks);
    log(`resumed from ${latest.dir} at step ${step}`);
  }

  const replicas = replicaCount(recipe.replicas, backend.name, recipe.data.batchSize);
  let runner: PretrainingStepRunner;
  try {
    runner = await createStepRunner(model, optimizer, variables, recipe, {
      replicas,
      targetDim: store ? store.dimension : null,
      backend: backend.name as Recipe['backend'],
      workerScript: options.replicaWorkerScript,
      log,
    });
  } catch (error) {
    run.close();
    optimizer.dispose();
    disposePretrainingModel(model);
    throw error;
  }
  if (runner.replicas > 1)
    log(`data-parallel: ${runner.replicas} replicas (this thread + ${runner.replicas - 1} worker threads)`);

  const loader = new FbankLoader(
    { ...dataset, entries },
    {
      batchSize: recipe.data.batchSize,
      targetLength: recipe.data.targetLength,
      normalize: recipe.data.normalize,
      workers: recipe.data.workers ?? undefined,
      seed: recipe.seed,
      cursor,
      cache: recipe.data.cache ?? undefined,
      minSamples: recipe.data.minSamples,
      dropLast: true,
      log,
    },
  );

  const { steps, accumulate } = recipe.optim;
  const progress =
    options.progress === false
      ? null
      : new ProgressReporter({ total: steps, startStep: step, stream: options.progress ?? process.stderr });
  const monitor = new CollapseMonitor({ warn: log });
  const accumulator = new GradientAccumulator();
  const deadline =
    options.minutes === undefined ? Number.POSITIVE_INFINITY : Date.now() + options.minutes * 60_000;
  const losses: number[] = [];
  let stoppedBy: PretrainResult['stoppedBy'] = 'steps';
  let micro = 0;

  const save = async (metrics: Record<string, number>) => {
    const state: PretrainState = { step, cursor: loader.cursor, masks: model.objective.getState() };
    const info = await run.checkpoints.save(
      step,
      async (writer) => {
        await writeModelState(writer, checkpointParts(model), 'pretraining');
        await writeOptimizerState(writer, optimizer);
        await writer.writeJson('state.json', state);
      },
      metrics,
    );
    await writeFileAtomic(
      join(run.out, 'last.safetensors'),
      modelCheckpointBytes(checkpointParts(model), 'pretraining'),
    );
    await run.plot(PLOT);
    log(`checkpoint: ${info.dir}`);
  };

  try {
    let lastMetrics: Record<string, number> = {};
    training: while (step < steps) {
      for await (const batch of loader.epoch()) {
        if (Date.now() > deadline) {
          stoppedBy = 'time';
          break training;
        }
        const host: HostBatch = {
          spectrogram: batch.inputs,
          clips: batch.size,
          frames: batch.frames,
          bins: batch.bins,
        };
        if (store)
          host.external = { values: (await gatherFeatures(store, batch.ids)).matrix, dim: store.dimension };
        const lr = cosineLearningRate(step, {
          peakLr: recipe.optim.lr,
          warmupSteps: recipe.optim.warmupSteps,
          totalSteps: steps,
          minLr: recipe.optim.minLr,
        });
        const inputs = { step, lr, clipNorm: recipe.optim.clipNorm };
        const { values, cls, grads } = await runner.gradients(host, step);
        values.clsSpread = embeddingSpread(cls);
        cls.dispose();
        if (!Number.isFinite(values.loss)) tf.dispose(Object.values(grads));
        assertFiniteLoss(values.loss, step);
        micro++;
        let update = grads;
        if (accumulate > 1) {
          accumulator.add(grads);
          tf.dispose(Object.values(grads));
          if (micro % accumulate !== 0) continue;
          update = accumulator.drain('mean');
        }
        const { tau, norm } = runner.update(update, inputs);
        if (norm) {
          values.gradNorm = (await norm.data())[0];
          norm.dispose();
        }
        values.tau = tau;
        values.lr = lr;
        monitor.observe(step, values.clsSpread);
        step++;
        losses.push(values.loss);
        lastMetrics = values;
        progress?.update(step, { loss: values.loss, frame: values.frame, utt: values.utterance });
        if (step % recipe.log.every === 0 || step === steps)
          // Live tensors and resident memory show a leak long before it becomes an out-of-memory.
          run.metrics({
            step,
            epoch: batch.epoch,
            ...values,
            tensors: tf.memory().numTensors,
            rssMB: Math.round(process.memoryUsage().rss / 2 ** 20),
          });
        if (step % recipe.checkpoint.every === 0 && step < steps) await save(values);
        if (step >= steps) break training;
        if (options.until !== undefined && step >= options.until) {
          stoppedBy = 'until';
          break training;
        }
      }
    }
    progress?.finish();
    await save(lastMetrics);
    const report = loader.report();
    if (report.skipped.length > 0)
      log(`data: ${report.skipped.length} file(s) skipped (see the lines above)`);
    return {
      step,
      out: run.out,
      lastWeights: join(run.out, 'last.safetensors'),
      losses,
      stoppedBy,
      backend: backend.name,
      replicas: runner.replicas,
    };
  } finally {
    await loader.close();
    await runner.close();
    run.close();
    optimizer.dispose();
    disposePretrainingModel(model);
  }
}
