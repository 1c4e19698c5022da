import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labelSetOf } from '@cat/data';
import { FbankLoader, loadAnyDataset } from '@cat/data/node';
import { SeededRandom } from '@cat/frontend';
import { prepareBackend } from '@cat/layers';
import { resolveRecipe } from '@cat/train';
import { evaluateClassifier, finetune, loadClassifier } from '@cat/train/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TINY_ENCODER, toyClip, wavBytes, writeToyDataset } from '../../train/test/finetune-toy-data.js';
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

  it("leaves out clips shorter than --min-samples, by default the reference's 10,000 as fine-tuning does", async () => {
    // The test set and one half-second tone: 8,000 samples.
    const short = join(dir, 'data', 'audio', 'short-tone.wav');
    await writeFile(short, wavBytes(toyClip('tone', new SeededRandom(5)).subarray(0, 8000)));
    const withShort = join(dir, 'data', 'test-with-short.csv');
    await writeFile(
      withShort,
      `${(await readFile(csv.test, 'utf8')).trimEnd()}\naudio/short-tone.wav,tone\n`,
    );
    const common = ['--weights', weights, '--data', withShort, '--target-length', '128', '--backend', 'wasm'];
    const byDefault = await runCommand(evalCommand, [...common, '--workers', '0']);
    expect(byDefault.status).toBe(0);
    expect(metric(byDefault.out, 'clips')).toBe(8);
    expect(byDefault.err).toContain(`skipped ${short}: 8000 samples, fewer than the minimum 10000`);
    const all = await runCommand(evalCommand, [...common, '--workers', '0', '--min-samples', '0']);
    expect(metric(all.out, 'clips')).toBe(9);
    expect(all.err).not.toContain(`skipped ${short}`);
    const help = await runCommand(evalCommand, ['--help']);
    expect(help.out).toMatch(/--min-samples N +leave out clips shorter than N samples.*\(default: 10000\)/);
    const bad = await runCommand(evalCommand, [...common, '--min-samples', '2.5']);
    expect(bad.status).toBe(2);
    expect(bad.err).toContain("--min-samples must be a whole number >= 0, got '2.5'");
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
