import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labelSetOf } from '@cat/data';
import { FbankLoader, loadAnyDataset } from '@cat/data/node';
import { prepareBackend } from '@cat/layers';
import { resolveRecipe } from '@cat/train';
import { evaluateClassifier, finetune, loadClassifier } from '@cat/train/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TINY_ENCODER, writeToyDataset } from '../../train/test/finetune-toy-data.js';
import { evalCommand } from '../src/commands/eval.js';
import { runCommand } from './command-runner.js';

let dir: string;
let csv: { train: string; test: string };
let weights: string;

beforeAll(async () => {
  await prepareBackend({ backend: 'wasm' });
  dir = await mkdtemp(join(tmpdir(), 'cat-cli-eval-'));
  csv = await writeToyDataset(join(dir, 'data'), { train: 6, test: 4 }, 9);
  const model = join(dir, 'tiny.json');
  await writeFile(model, JSON.stringify(TINY_ENCODER));
  // A tiny model fine-tuned on the toy task.
  const result = await finetune({
    recipe: resolveRecipe({
      task: 'finetune',
      model,
      backend: 'wasm',
      data: { train: csv.train, targetLength: 128, batchSize: 6, workers: 0, minSamples: 0 },
      optim: { lr: 0.01, minLr: 1e-5, warmupSteps: 1, steps: 10, layerDecay: 0.65 },
      finetune: { loss: 'ce', mixup: null, metric: 'accuracy' },
      checkpoint: { out: join(dir, 'run'), every: 10 },
    }),
    log: () => {},
    progress: false,
  });
  weights = result.model!;
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const metric = (out: string, name: string) => Number(new RegExp(`^${name}: (\\S+)$`, 'm').exec(out)?.[1]);

describe('cat-audio eval', () => {
  it('prints the metrics of a fine-tuned model, as evaluateClassifier computes them', async () => {
    const args = [
      '--weights',
      weights,
      '--data',
      csv.test,
      '--target-length',
      '128',
      '--backend',
      'wasm',
      '--workers',
      '0',
    ];
    const { status, out, err } = await runCommand(evalCommand, args);
    expect(err).toContain('backend wasm');
    expect(status).toBe(0);
    expect(metric(out, 'clips')).toBe(8);
    const accuracy = metric(out, 'accuracy');
    expect(accuracy).toBeGreaterThanOrEqual(0.75);

    const { classifier } = await loadClassifier(weights);
    const train = (await loadAnyDataset(csv.train)).dataset;
    const test = (await loadAnyDataset(csv.test, { labels: labelSetOf(train) })).dataset;
    const loader = new FbankLoader(test, {
      batchSize: 3,
      targetLength: 128,
      normalize: 'audioset',
      workers: 0,
      minSamples: 0,
      shuffle: false,
      log: false,
    });
    const { metrics } = await evaluateClassifier(classifier, loader.epoch());
    await loader.close();
    classifier.dispose();
    expect(accuracy).toBeCloseTo(metrics.accuracy, 4);
    expect(metric(out, 'mAP')).toBeCloseTo(metrics.mAP, 4);
    expect(metric(out, 'd-prime')).toBeCloseTo(metrics.dPrime, 4);
  });

  it('refuses data whose classes do not fit the head, naming both', async () => {
    const labels = join(dir, 'three.csv');
    await writeFile(labels, '0,tone,tone\n1,noise,noise\n2,hum,hum\n');
    const { status, err } = await runCommand(evalCommand, [
      '--weights',
      weights,
      '--data',
      csv.test,
      '--labels',
      labels,
      '--backend',
      'wasm',
    ]);
    expect(status).toBe(1);
    expect(err).toContain(`${csv.test}: 3 classes, but ${weights} has a 2-class head`);
  });
});
