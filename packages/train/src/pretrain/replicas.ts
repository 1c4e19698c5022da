import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import type { AdamW } from '../adamw.js';
import type { Recipe } from '../recipe.js';
import type { PretrainingModel } from './model.js';
import {
  type ReplicaGradients,
  type ReplicaMessage,
  type ReplicaRequest,
  type ReplicaWorkerData,
  replicatedVariables,
  sliceHostBatch,
  sliceMasks,
  splitClips,
  transferableValues,
} from './replica-protocol.js';
import { applyPretrainingUpdate } from './step.js';
import {
  type BatchGradients,
  type HostBatch,
  hostBatchGradients,
  LocalStepRunner,
  type PretrainingStepRunner,
  type UpdateInputs,
} from './step-runner.js';

const defaultWorkerScript = new URL('./replica-worker.js', import.meta.url);

export interface ReplicaOptions {
  /** Threads in all, this one included. */
  replicas: number;
  /** Regularizer target width (null: no regularizer), as given to `buildPretrainingModel`. */
  targetDim: number | null;
  /** The backend each worker sets up (the one this thread uses). */
  backend: Recipe['backend'];
  /** The worker script (default: `replica-worker.js` next to this module in the built package). */
  workerScript?: string | URL;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

/** One worker thread holding a replica, with its requests answered in order. */
class ReplicaWorker {
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private failure: Error | null = null;
  readonly ready: Promise<void>;

  constructor(
    private readonly worker: Worker,
    readonly rank: number,
  ) {
    let started: () => void = () => {};
    let failedToStart: (error: Error) => void = () => {};
    this.ready = new Promise<void>((resolve, reject) => {
      started = resolve;
      failedToStart = reject;
    });
    worker.on('message', (message: ReplicaMessage) => {
      if (message.kind === 'ready') return started();
      if (message.kind === 'error' && message.id === null)
        return this.fail(new Error(`replica ${rank}: ${message.message}`), failedToStart);
      const id = message.id as number;
      const job = this.pending.get(id);
      this.pending.delete(id);
      if (message.kind === 'error') job?.reject(new Error(`replica ${rank}: ${message.message}`));
      else job?.resolve(message.result);
    });
    worker.on('error', (error) =>
      this.fail(new Error(`replica ${rank} failed: ${error.message}`), failedToStart),
    );
    worker.on('exit', (code) =>
      this.fail(new Error(`replica ${rank} exited with code ${code}`), failedToStart),
    );
  }

  private fail(error: Error, failedToStart: (error: Error) => void): void {
    this.failure ??= error;
    failedToStart(error);
    for (const job of this.pending.values()) job.reject(error);
    this.pending.clear();
  }

  /** Sends a request; the promise settles with the worker's reply. */
  request<T>(request: ReplicaRequest, transfer: ArrayBuffer[] = []): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    const reply = new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
    });
    this.worker.postMessage({ id, request }, transfer);
    return reply;
  }

  /** A request whose reply nobody awaits: a failure surfaces at the next awaited request. */
  send(request: ReplicaRequest, transfer: ArrayBuffer[] = []): void {
    this.request(request, transfer).catch((error: Error) => {
      this.failure ??= error;
    });
  }

  async terminate(): Promise<void> {
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }
}

/**
 * Data-parallel pre-training over worker threads, each with its own backend and a full replica of the model.
 * The main thread draws the masks of the whole batch (the same stream as on one thread), keeps the first part
 * of the batch and sends each worker its part; the gradients are averaged weighted by clips, so a step means the
 * same as on one thread. Every replica then applies the same averaged gradients with the same optimizer, so the
 * replicas stay identical without sending weights around.
 */
export class ReplicatedStepRunner implements PretrainingStepRunner {
  private constructor(
    private readonly model: PretrainingModel,
    private readonly optimizer: AdamW,
    private readonly variables: tf.Variable[],
    private readonly workers: ReplicaWorker[],
  ) {}

  get replicas(): number {
    return this.workers.length + 1;
  }

  /** Starts the workers and gives them this thread's weights and optimizer state. */
  static async start(
    model: PretrainingModel,
    optimizer: AdamW,
    variables: tf.Variable[],
    recipe: Recipe,
    options: ReplicaOptions,
  ): Promise<ReplicatedStepRunner> {
    if (!Number.isInteger(options.replicas) || options.replicas < 2)
      throw new Error(`ReplicatedStepRunner: replicas must be a whole number >= 2, got ${options.replicas}`);
    const script = options.workerScript ?? defaultWorkerScript;
    const workers = Array.from({ length: options.replicas - 1 }, (_, i) => {
      const workerData: ReplicaWorkerData = {
        recipe,
        targetDim: options.targetDim,
        backend: options.backend,
        rank: i + 1,
      };
      return new ReplicaWorker(new Worker(script, { workerData }), i + 1);
    });
    const runner = new ReplicatedStepRunner(model, optimizer, variables, workers);
    try {
      await Promise.all(workers.map((w) => w.ready));
      await runner.sync();
    } catch (error) {
      await runner.close();
      throw error;
    }
    return runner;
  }

  /** Copies this thread's weights, teacher and optimizer state to every worker. */
  async sync(): Promise<void> {
    const values = replicatedVariables(this.model).map((v) => v.dataSync() as Float32Array);
    const optimizer = await this.optimizer.exportState();
    await Promise.all(this.workers.map((w) => w.request({ kind: 'sync', values, optimizer })));
  }

  async gradients(batch: HostBatch, step: number): Promise<BatchGradients> {
    const { clones } = this.model.objective.config;
    const masks = this.model.objective.sampleMasks(batch.clips, batch.frames, batch.bins);
    const counts = splitClips(batch.clips, this.replicas);
    if (counts[counts.length - 1] === 0)
      throw new Error(
        `data-parallel step: a batch of ${batch.clips} clips cannot feed ${this.replicas} replicas`,
      );
    const replies: Promise<ReplicaGradients>[] = [];
    let from = counts[0];
    for (const worker of this.workers) {
      const to = from + counts[worker.rank];
      const part = sliceHostBatch(batch, from, to);
      const transfer = [part.spectrogram.buffer as ArrayBuffer];
      if (part.external) transfer.push(part.external.values.buffer as ArrayBuffer);
      const request: ReplicaRequest = {
        kind: 'gradients',
        batch: part,
        step,
        masks: sliceMasks(masks, from, to, clones),
        noiseStream: worker.rank,
      };
      replies.push(worker.request<ReplicaGradients>(request, transfer));
      from = to;
    }
    let local: BatchGradients;
    try {
      local = hostBatchGradients(this.model, this.variables, sliceHostBatch(batch, 0, counts[0]), step, {
        masks: sliceMasks(masks, 0, counts[0], clones),
        noiseStream: 0,
      });
    } catch (error) {
      // The workers' replies still come (and may fail the same way): nobody awaits them now.
      for (const reply of replies) reply.catch(() => {});
      throw error;
    }
    let remote: ReplicaGradients[];
    try {
      remote = await Promise.all(replies);
    } catch (error) {
      tf.dispose([local.cls, ...Object.values(local.grads)]);
      throw error;
    }
    return combine(local, remote, counts, this.variables);
  }

  update(grads: tf.NamedTensorMap, inputs: UpdateInputs) {
    // Workers apply exactly these values with the same code, so every replica takes the same step.
    const ordered = this.variables.map((v) => transferableValues(grads[v.name]));
    this.workers.forEach((worker, i) => {
      const copy = i === this.workers.length - 1 ? ordered : ordered.map((g) => g.slice());
      worker.send(
        { kind: 'update', grads: copy, inputs },
        copy.map((g) => g.buffer as ArrayBuffer),
      );
    });
    return applyPretrainingUpdate(this.model, this.optimizer, grads, inputs);
  }

  /** The replicated variables of one worker (rank >= 1), in `replicatedVariables` order: for checks. */
  weightsOf(rank: number): Promise<Float32Array[]> {
    const worker = this.workers.find((w) => w.rank === rank);
    if (!worker) throw new Error(`no replica of rank ${rank} (ranks 1..${this.workers.length})`);
    return worker.request<Float32Array[]>({ kind: 'weights' });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** The clip-weighted mean of the replicas' gradients and loss values; CLS of every view in batch order. */
function combine(
  local: BatchGradients,
  remote: ReplicaGradients[],
  counts: number[],
  variables: tf.Variable[],
): BatchGradients {
  const total = counts.reduce((a, b) => a + b, 0);
  const weights = counts.map((n) => n / total);
  const values: Record<string, number> = {};
  for (const name of Object.keys(local.values)) {
    values[name] = local.values[name] * weights[0];
    remote.forEach((r, i) => {
      values[name] += r.values[name] * weights[i + 1];
    });
  }
  const grads: tf.NamedTensorMap = {};
  variables.forEach((variable, index) => {
    const own = local.grads[variable.name];
    if (!own) throw new Error(`data-parallel step: no gradient for ${variable.name}`);
    grads[variable.name] = tf.tidy(() => {
      let sum = tf.mul(own, weights[0]);
      remote.forEach((r, i) => {
        sum = tf.add(sum, tf.mul(tf.tensor(r.grads[index], variable.shape), weights[i + 1]));
      });
      return sum;
    });
  });
  const dim = local.cls.shape[1];
  const cls = tf.tidy(() =>
    tf.concat([local.cls, ...remote.map((r) => tf.tensor2d(r.cls, [r.cls.length / dim, dim]))], 0),
  ) as tf.Tensor2D;
  tf.dispose([local.cls, ...Object.values(local.grads)]);
  return { values, cls, grads };
}

/**
 * Replicas a run uses: the recipe's count, or (null) one per core on the single-threaded backends (wasm, cpu)
 * and one on TensorFlow, which uses every core by itself; never more than the clips of a batch.
 */
export function replicaCount(requested: number | null, backend: string, batchSize: number): number {
  const wanted = requested ?? (backend === 'wasm' || backend === 'cpu' ? availableParallelism() : 1);
  return Math.max(1, Math.min(wanted, batchSize));
}

/**
 * This thread alone, or data-parallel over worker threads when `replicas > 1`. Without a built worker script
 * (running from sources) it says so through `log` and stays on this thread.
 */
export async function createStepRunner(
  model: PretrainingModel,
  optimizer: AdamW,
  variables: tf.Variable[],
  recipe: Recipe,
  options: ReplicaOptions & { log?: (line: string) => void },
): Promise<PretrainingStepRunner> {
  if (options.replicas > 1) {
    const script = options.workerScript ?? defaultWorkerScript;
    const path = script instanceof URL || script.startsWith('file:') ? fileURLToPath(script) : script;
    if (existsSync(path)) return ReplicatedStepRunner.start(model, optimizer, variables, recipe, options);
    options.log?.(`data-parallel: no worker script at ${path} (running from sources?); one thread`);
  }
  return new LocalStepRunner(model, optimizer, variables);
}
