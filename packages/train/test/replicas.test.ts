import { prepareBackend } from '@cat/layers';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildPretrainingModel,
  disposePretrainingModel,
  pretrainingOptimizer,
  pretrainingParameters,
} from '../src/pretrain/model.js';
import {
  replicatedVariables,
  sliceHostBatch,
  sliceMasks,
  splitClips,
} from '../src/pretrain/replica-protocol.js';
import { ReplicatedStepRunner } from '../src/pretrain/replicas.js';
import { type HostBatch, hostBatchGradients } from '../src/pretrain/step-runner.js';
import { resolveRecipe } from '../src/recipe.js';
import { TINY_PRETRAIN_ARCHITECTURE } from './finetune-toy-data.js';
import { buildReplicaWorker } from './replica-worker-bundle.js';

let workerScript: string;

const recipe = resolveRecipe({
  task: 'pretrain',
  model: 'custom',
  architecture: TINY_PRETRAIN_ARCHITECTURE,
  backend: 'wasm',
  data: { train: '(random)', targetLength: 64, batchSize: 5 },
  optim: { lr: 0.001, warmupSteps: 1, steps: 10, clipNorm: 1 },
  pretrain: {
    clones: 2,
    ema: { start: 0.99, end: 0.999, steps: 10 },
    regularization: {
      encoder: 'descriptors',
      weight: 1,
      loss: 'mse',
      layer: 0,
      projection: 'student-to-target',
    },
  },
});
const targetDim = 6;

function randomBatch(clips: number, seed: number): HostBatch {
  const values = (shape: number[], s: number) =>
    tf.tidy(() => tf.randomNormal(shape, 0, 1, 'float32', s).dataSync() as Float32Array);
  return {
    spectrogram: values([clips, 64, 128], seed),
    clips,
    frames: 64,
    bins: 128,
    external: { values: values([clips, targetDim], seed + 1), dim: targetDim },
  };
}

/** A fresh model, its parameters and optimizer, as every replica builds them. */
function replica() {
  const model = buildPretrainingModel(recipe, targetDim);
  const params = pretrainingParameters(model);
  return { model, optimizer: pretrainingOptimizer(recipe, params), variables: params.map((p) => p.variable) };
}

function flat(grads: tf.NamedTensorMap, variables: tf.Variable[]): Float32Array {
  const parts = variables.map((v) => grads[v.name].dataSync() as Float32Array);
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

beforeAll(async () => {
  await prepareBackend({ backend: 'wasm' });
  workerScript = await buildReplicaWorker();
}, 60_000);

describe('splitting a batch', () => {
  it('gives every replica a near-equal share of the clips and the masks of exactly its views', () => {
    expect(splitClips(5, 2)).toEqual([3, 2]);
    expect(splitClips(8, 3)).toEqual([3, 3, 2]);
    const { model } = replica();
    const masks = model.objective.sampleMasks(5, 64, 128);
    const part = sliceMasks(masks, 3, 5, 2);
    expect(part.views).toBe(4);
    expect([...part.visible]).toEqual([...masks.visible.slice(6 * masks.tokens, 10 * masks.tokens)]);
    expect([...part.visibleIndices]).toEqual([
      ...masks.visibleIndices.slice(6 * masks.visibleCount, 10 * masks.visibleCount),
    ]);
    const batch = randomBatch(5, 3);
    const half = sliceHostBatch(batch, 3, 5);
    expect(half.spectrogram[0]).toBe(batch.spectrogram[3 * 64 * 128]);
    expect(half.external?.values[0]).toBe(batch.external?.values[3 * targetDim]);
    disposePretrainingModel(model);
  });
});

describe('ReplicatedStepRunner', () => {
  let main: ReturnType<typeof replica>;
  let runner: ReplicatedStepRunner;

  beforeAll(async () => {
    main = replica();
    runner = await ReplicatedStepRunner.start(main.model, main.optimizer, main.variables, recipe, {
      replicas: 2,
      targetDim,
      backend: 'wasm',
      workerScript,
    });
  }, 60_000);

  afterAll(async () => {
    await runner?.close();
    main.optimizer.dispose();
    disposePretrainingModel(main.model);
  });

  it('returns the clip-weighted mean of the gradients of its parts, and the same in meaning as one thread', async () => {
    // A twin of the main replica (same seed: same weights, same mask stream) computes the parts by hand.
    const twin = replica();
    const batch = randomBatch(5, 11);
    const step = 0;
    const result = await runner.gradients(batch, step);
    const masks = twin.model.objective.sampleMasks(5, 64, 128);
    const first = hostBatchGradients(twin.model, twin.variables, sliceHostBatch(batch, 0, 3), step, {
      masks: sliceMasks(masks, 0, 3, 2),
      noiseStream: 0,
    });
    const second = hostBatchGradients(twin.model, twin.variables, sliceHostBatch(batch, 3, 5), step, {
      masks: sliceMasks(masks, 3, 5, 2),
      noiseStream: 1,
    });
    const got = flat(result.grads, main.variables);
    const a = flat(first.grads, twin.variables);
    const b = flat(second.grads, twin.variables);
    let worst = 0;
    let scale = 0;
    for (let i = 0; i < got.length; i++) {
      worst = Math.max(worst, Math.abs(got[i] - (0.6 * a[i] + 0.4 * b[i])));
      scale = Math.max(scale, Math.abs(got[i]));
    }
    expect(worst / scale).toBeLessThan(1e-6);
    expect(result.values.loss).toBeCloseTo(0.6 * first.values.loss + 0.4 * second.values.loss, 5);
    expect(result.values.regularization).toBeCloseTo(
      0.6 * first.values.regularization + 0.4 * second.values.regularization,
      5,
    );
    expect(result.cls.shape).toEqual([10, 32]);

    // One thread over the whole batch with the same masks differs only by the decoder's noise tokens.
    const whole = hostBatchGradients(twin.model, twin.variables, batch, step, { masks });
    const full = flat(whole.grads, twin.variables);
    let dot = 0;
    let n1 = 0;
    let n2 = 0;
    for (let i = 0; i < full.length; i++) {
      dot += full[i] * got[i];
      n1 += full[i] * full[i];
      n2 += got[i] * got[i];
    }
    expect(dot / Math.sqrt(n1 * n2)).toBeGreaterThan(0.99);
    expect(result.values.loss).toBeCloseTo(whole.values.loss, 2);
    for (const r of [result, first, second, whole]) tf.dispose([r.cls, ...Object.values(r.grads)]);
    twin.optimizer.dispose();
    disposePretrainingModel(twin.model);
  }, 60_000);

  it('keeps every replica identical, teacher and optimizer state included, over several steps', async () => {
    for (let step = 1; step <= 3; step++) {
      const { cls, grads, values } = await runner.gradients(randomBatch(5, 100 + step), step);
      expect(Number.isFinite(values.loss)).toBe(true);
      cls.dispose();
      runner.update(grads, { step, lr: 1e-3, clipNorm: 1 }).norm?.dispose();
    }
    const remote = await runner.weightsOf(1);
    const local = replicatedVariables(main.model);
    expect(remote).toHaveLength(local.length);
    let differing = 0;
    local.forEach((v, i) => {
      const values = v.dataSync();
      for (let j = 0; j < values.length; j++) if (values[j] !== remote[i][j]) differing++;
    });
    expect(differing).toBe(0);
    // The weights did move (the check above is not comparing two untouched copies).
    const fresh = replica();
    const before = replicatedVariables(fresh.model)[0].dataSync();
    const after = local[0].dataSync();
    expect(before.some((x, i) => x !== after[i])).toBe(true);
    fresh.optimizer.dispose();
    disposePretrainingModel(fresh.model);
  }, 60_000);

  it('fails with the worker error, not a hang, when a replica cannot take a part', async () => {
    const bad = { ...randomBatch(2, 5), bins: 64, spectrogram: new Float32Array(2 * 64 * 64) };
    await expect(runner.gradients(bad, 9)).rejects.toThrow();
  }, 60_000);
});
