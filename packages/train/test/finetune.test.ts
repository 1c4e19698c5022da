import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FbankLoader, loadAnyDataset } from '@cat/data/node';
import {
  checkpointTensors,
  createEncoder,
  loadCheckpoint,
  prepareBackend,
  writeSafetensors,
} from '@cat/layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckpointDirectory } from '../src/checkpoints.js';
import { AudioClassifier } from '../src/finetune/classifier.js';
import { evaluateClassifier } from '../src/finetune/evaluate.js';
import { finetune, finetuneParameterGroups } from '../src/finetune/finetune.js';
import {
  classifierFileBytes,
  initializeClassifier,
  loadClassifier,
  readModelFile,
} from '../src/finetune/model-file.js';
import { NonFiniteLossError } from '../src/guard.js';
import { readJsonl } from '../src/jsonl.js';
import { defaultRecipe, type Recipe, resolveRecipe } from '../src/recipe.js';
import { TINY_ENCODER, writeToyDataset } from './finetune-toy-data.js';

let root: string;
let data: { train: string; test: string };
let modelSpec: string;

beforeAll(async () => {
  await prepareBackend({ backend: 'wasm' });
  root = await mkdtemp(join(tmpdir(), 'cat-finetune-'));
  data = await writeToyDataset(join(root, 'data'), { train: 8, test: 6 });
  modelSpec = join(root, 'tiny.json');
  await writeFile(modelSpec, JSON.stringify(TINY_ENCODER));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A small fine-tuning recipe on the toy data; `patch` overrides any part. */
function recipe(out: string, patch: Record<string, unknown> = {}): Recipe {
  const base = resolveRecipe({
    task: 'finetune',
    model: modelSpec,
    backend: 'wasm',
    seed: 3,
    data: { train: data.train, eval: data.test, targetLength: 128, batchSize: 8, workers: 0, minSamples: 0 },
    optim: { lr: 1e-2, minLr: 1e-5, warmupSteps: 2, steps: 16, clipNorm: 4, layerDecay: 0.65 },
    finetune: {
      loss: 'ce',
      labelSmoothing: 0.1,
      mixup: null,
      specAugment: { freqMask: 8, timeMask: 8 },
      rollAugment: true,
      noiseAugment: false,
      dropPath: 0.1,
      metric: 'accuracy',
    },
    checkpoint: { out, every: 8, keepLast: 2, keepBest: 1 },
    log: { every: 1, evalEvery: 0 },
  });
  return resolveRecipe({ ...base, ...patch, data: { ...base.data, ...(patch.data as object) } });
}

const losses = (out: string) =>
  readJsonl(join(out, 'metrics.jsonl'))
    .filter((r) => typeof r.loss === 'number')
    .map((r) => [r.step, r.loss]);

describe('finetune', () => {
  it('learns a toy task: the loss falls and the eval accuracy beats chance', async () => {
    const out = join(root, 'learn');
    const result = await finetune({ recipe: recipe(out), log: () => {}, progress: false });
    // No tensor leaks from step to step (evaluations and checkpoints included).
    const tensors = readJsonl(join(out, 'metrics.jsonl')).map((r) => r.tensors);
    expect(tensors.filter((n) => n !== undefined)).toHaveLength(16);
    expect(new Set(tensors.filter((n) => n !== undefined)).size).toBe(1);
    expect(result.step).toBe(16);
    const curve = losses(out).map(([, loss]) => loss as number);
    expect(curve).toHaveLength(16);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(curve.slice(-4))).toBeLessThan(0.6 * mean(curve.slice(0, 4)));
    expect(result.metrics?.clips).toBe(12);
    expect(result.metrics!.accuracy).toBeGreaterThanOrEqual(0.75);
    expect(result.best?.metric).toBe('accuracy');
    expect(result.best!.value).toBeGreaterThanOrEqual(result.metrics!.accuracy);

    // The saved model reloads (its file names its encoder and classes) and scores the same.
    const { classifier, labels } = await loadClassifier(result.model!);
    expect(labels).toEqual({ keys: ['noise', 'tone'], names: ['noise', 'tone'] });
    const test = (await loadAnyDataset(data.test)).dataset;
    const loader = new FbankLoader(test, {
      batchSize: 5,
      targetLength: 128,
      normalize: 'audioset',
      workers: 0,
      minSamples: 0,
      shuffle: false,
      singleLabel: true,
      log: false,
    });
    const again = await evaluateClassifier(classifier, loader.epoch());
    expect(again.metrics.accuracy).toBeCloseTo(result.metrics!.accuracy, 6);
    classifier.dispose();
    await loader.close();

    const checkpoints = await new CheckpointDirectory(join(out, 'checkpoints')).list();
    expect(checkpoints.map((c) => c.step)).toEqual([8, 16]);
    expect(checkpoints[1].metrics.accuracy).toBeCloseTo(result.metrics!.accuracy, 9);
  });

  it('gives block i of L the learning-rate scale decay^(L-i) and no decay to biases and 1-D weights', () => {
    const classifier = new AudioClassifier({ model: TINY_ENCODER, numClasses: 3, seed: 1 });
    const groups = finetuneParameterGroups(classifier, { ...defaultRecipe().optim, layerDecay: 0.5 });
    const where = new Map<string, { lrScale?: number; weightDecay: number }>();
    for (const group of groups) for (const p of group.params) where.set(p.name, group);
    expect(where.size).toBe(
      classifier.encoder.trainableWeights.length + classifier.head.trainableWeights.length,
    );
    expect(where.get('model.blocks.0.attn.qkv.weight')).toMatchObject({ lrScale: 0.25, weightDecay: 0.05 });
    expect(where.get('model.blocks.1.attn.qkv.weight')).toMatchObject({ lrScale: 0.5, weightDecay: 0.05 });
    expect(where.get('model.blocks.1.attn.qkv.bias')).toMatchObject({ lrScale: 0.5, weightDecay: 0 });
    expect(where.get('model.modality_encoders.IMAGE.extra_tokens')).toMatchObject({
      lrScale: 1,
      weightDecay: 0.05,
    });
    expect(where.get('head.weight')).toMatchObject({ lrScale: 1, weightDecay: 0.05 });
    expect(where.get('fc_norm.weight')).toMatchObject({ lrScale: 1, weightDecay: 0 });
    expect(new Set(groups.map((g) => g.lrScale))).toEqual(new Set([0.25, 0.5, 1]));
    classifier.dispose();
  });

  it('initialises from a pre-training checkpoint (the student) or a fine-tuned one (encoder, head if it fits)', async () => {
    const student = createEncoder(TINY_ENCODER, 31);
    const teacher = createEncoder(TINY_ENCODER, 32);
    const pretrained = join(root, 'pretrained.safetensors');
    await writeFile(
      pretrained,
      writeSafetensors(checkpointTensors({ encoder: student, teacher }, 'pretraining')),
    );
    const key = 'blocks.1.mlp.fc1.weight';
    const firstValues = (c: AudioClassifier, name: string) =>
      c
        .namedParameters()
        .find((p) => p.name === name)!
        .variable.dataSync()
        .slice(0, 8);
    const studentValue = student
      .namedWeights()
      .find((w) => w.name === key)!
      .variable.read()
      .dataSync()
      .slice(0, 8);

    const fromPretrained = new AudioClassifier({ model: TINY_ENCODER, numClasses: 3, seed: 1 });
    const headBefore = firstValues(fromPretrained, 'head.weight');
    expect(initializeClassifier(fromPretrained, await readModelFile(pretrained))).toMatch(
      /pre-trained encoder \(student\); new head/,
    );
    expect(firstValues(fromPretrained, `model.${key}`)).toEqual(studentValue);
    expect(firstValues(fromPretrained, 'head.weight')).toEqual(headBefore);

    const finetuned = join(root, 'finetuned.safetensors');
    await writeFile(finetuned, classifierFileBytes(fromPretrained));
    const same = new AudioClassifier({ model: TINY_ENCODER, numClasses: 3, seed: 2 });
    expect(initializeClassifier(same, await readModelFile(finetuned))).toMatch(
      /fine-tuned encoder and 3-class head/,
    );
    expect(firstValues(same, 'head.weight')).toEqual(headBefore);
    const other = new AudioClassifier({ model: TINY_ENCODER, numClasses: 5, seed: 2 });
    expect(initializeClassifier(other, await readModelFile(finetuned))).toMatch(
      /new head \(the file's head has 3 classes, the data 5\)/,
    );
    expect(firstValues(other, `model.${key}`)).toEqual(studentValue);
    for (const model of [student, teacher, fromPretrained, same, other]) model.dispose();
  });

  it('resumes a killed run exactly: the same losses and weights as an uninterrupted run', async () => {
    const patch = {
      optim: { ...recipe('').optim, steps: 8, warmupSteps: 2, accumulate: 2 },
      data: { batchSize: 4 },
      finetune: { ...recipe('').finetune, mixup: { alpha: 0.8, probability: 0.9 } },
      checkpoint: { out: '', every: 3, keepLast: 2, keepBest: 1 },
      log: { every: 1, evalEvery: 0 },
    };
    const straight = join(root, 'straight');
    const resumed = join(root, 'resumed');
    const withOut = (out: string) => recipe(out, { ...patch, checkpoint: { ...patch.checkpoint, out } });
    await finetune({ recipe: withOut(straight), log: () => {}, progress: false });
    // "Killed" after step 5: the last checkpoint is step 3, and steps 4-5 were logged past it.
    const first = await finetune({ recipe: withOut(resumed), log: () => {}, progress: false, stopAfter: 5 });
    expect(first.step).toBe(5);
    expect(losses(resumed)).toHaveLength(5);
    const lines: string[] = [];
    const second = await finetune({ recipe: withOut(resumed), log: (l) => lines.push(l), progress: false });
    expect(second.resumedFrom).toBe(3);
    expect(lines.some((l) => l.includes('resuming') && l.includes('step 3'))).toBe(true);
    const a = losses(straight);
    const b = losses(resumed);
    expect(b.map(([step]) => step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    for (let i = 0; i < a.length; i++) expect(b[i][1] as number).toBeCloseTo(a[i][1] as number, 5);
    const wa = (await readModelFile(join(straight, 'last.safetensors'))).tensors;
    const wb = (await readModelFile(join(resumed, 'last.safetensors'))).tensors;
    let worst = 0;
    for (const [name, t] of wa) {
      const other = wb.get(name)!.data;
      for (let i = 0; i < t.data.length; i++) worst = Math.max(worst, Math.abs(t.data[i] - other[i]));
    }
    expect(worst).toBeLessThan(1e-5);
  });

  it('stops at a time limit with a checkpoint, and starts over when not resuming', async () => {
    const out = join(root, 'timed');
    const short = recipe(out, { data: { eval: null } });
    const timed = await finetune({ recipe: short, log: () => {}, progress: false, minutes: 1e-9 });
    expect([timed.step, timed.stoppedBy, timed.model]).toEqual([1, 'time', null]);
    const checkpoints = new CheckpointDirectory(join(out, 'checkpoints'));
    expect((await checkpoints.list()).map((c) => c.step)).toEqual([1]);
    const lines: string[] = [];
    const fresh = await finetune({
      recipe: short,
      log: (l) => lines.push(l),
      progress: false,
      resume: false,
      stopAfter: 2,
    });
    expect([fresh.step, fresh.resumedFrom, fresh.stoppedBy]).toEqual([2, null, 'stopAfter']);
    expect(lines.some((l) => l.startsWith('starting over: removed the checkpoints'))).toBe(true);
    expect(await checkpoints.list()).toEqual([]);
    expect(losses(out).map(([step]) => step)).toEqual([1, 2]);
  });

  it('stops on a non-finite loss with a clear message and keeps the last good checkpoint', async () => {
    const out = join(root, 'diverge');
    // Warm-up from 0, then an absurd learning rate: the weights overflow and the next loss is not finite.
    const diverging = recipe(out, {
      optim: { ...recipe('').optim, lr: 1e38, minLr: 0, warmupSteps: 1, steps: 6 },
      checkpoint: { out, every: 1, keepLast: 3, keepBest: 0 },
      data: { eval: null },
    });
    const error = await finetune({ recipe: diverging, log: () => {}, progress: false }).catch((e) => e);
    expect(error).toBeInstanceOf(NonFiniteLossError);
    expect(error.message).toMatch(
      /loss is (NaN|-?Infinity) at step (\d+).*last good checkpoint is .*step-0+(\d+) \(step (\d+)\)/,
    );
    const failedAt = (error as NonFiniteLossError).step;
    const latest = await new CheckpointDirectory(join(out, 'checkpoints')).latest();
    expect(latest?.step).toBe(failedAt - 1);
    // The checkpoint is complete and loads.
    const classifier = new AudioClassifier({ model: TINY_ENCODER, numClasses: 2 });
    loadCheckpoint(classifier.parts, (await readModelFile(join(latest!.dir, 'model.safetensors'))).tensors);
    classifier.dispose();
  });
});
