import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '@cat/cli';
import { loadClassifier } from '@cat/train/node';
// Much smaller than cat-tiny: five fine-tuning runs must fit a test's time.
import { MICRO_ENCODER, readPredictions } from '@example/recipe-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMiniEsc50, type MiniEsc50 } from '../src/mini-dataset.js';
import { type Esc50Result, runEsc50 } from '../src/program.js';

let root: string;
let mini: MiniEsc50;
let result: Esc50Result;
const stdout: string[] = [];
const stderr: string[] = [];

/** Manifest lines after the root line: file name and sample count. */
async function tsvEntries(path: string): Promise<{ root: string; files: string[]; samples: number[] }> {
  const [first, ...lines] = (await readFile(path, 'utf8')).trimEnd().split('\n');
  return {
    root: first,
    files: lines.map((l) => l.split('\t')[0]),
    samples: lines.map((l) => Number(l.split('\t')[1])),
  };
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'example-esc50-'));
  mini = await buildMiniEsc50(join(root, 'ESC-50'), 1);
  const model = join(root, 'micro-encoder.json');
  await writeFile(model, JSON.stringify(MICRO_ENCODER));
  result = await runEsc50(
    [
      ...['--data', mini.dir, '--out', join(root, 'run'), '--model', model, '--backend', 'wasm'],
      ...['--target-length', '64', '--batch', '2', '--micro-batch', '1', '--steps', '2'],
    ],
    { stdout: (l) => stdout.push(l), stderr: (l) => stderr.push(l) },
  );
});

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

describe('ESC-50 5-fold cross-validation, miniature dataset', () => {
  it('reads the real layout: 25 clips, 5 classes, 5 clips per fold', () => {
    expect(mini.clips).toBe(25);
    expect(stdout[0]).toBe(
      `ESC-50: 25 clips, 5 classes, folds of 5/5/5/5/5 clips (manifests in ${join(root, 'run', 'manifests')})`,
    );
    expect(result.clips).toBe(25);
    expect(result.classes).toBe(5);
  });

  it('writes the reference manifests: folds disjoint, each test fold its own clips, together all clips', async () => {
    const evalSets: string[][] = [];
    for (let fold = 1; fold <= 5; fold++) {
      const dir = join(root, 'run', 'manifests', `test0${fold}`);
      const train = await tsvEntries(join(dir, 'train.tsv'));
      const test = await tsvEntries(join(dir, 'eval.tsv'));
      expect(train.root).toBe(join(mini.dir, 'audio'));
      expect(test.files).toEqual(mini.rows.filter((r) => r.fold === fold).map((r) => r.filename));
      expect(train.files).toEqual(mini.rows.filter((r) => r.fold !== fold).map((r) => r.filename));
      // Sample counts from the WAV headers: 5 s at 44.1 kHz, as ESC-50's originals.
      expect(new Set([...train.samples, ...test.samples])).toEqual(new Set([220_500]));
      const lbl = (await readFile(join(dir, 'eval.lbl'), 'utf8')).trimEnd().split('\n');
      expect(lbl).toEqual(test.files.map((f) => `${f}\t${f.slice(0, -4).split('-')[3]}`));
      const labels = (await readFile(join(dir, 'label_descriptors.csv'), 'utf8')).trimEnd().split('\n');
      expect(labels).toEqual([
        '0,0,"kick_drum"',
        '1,1,"hi_hat"',
        '2,2,"tabla"',
        '3,3,"electronic"',
        '4,4,"drum"',
      ]);
      evalSets.push(test.files);
    }
    const all = evalSets.flat();
    expect(new Set(all).size).toBe(all.length);
    expect(new Set(all)).toEqual(new Set(mini.rows.map((r) => r.filename)));
  });

  it('fine-tunes with the esc50-finetune recipe, resized by micro-batches only where asked', async () => {
    const config = JSON.parse(await readFile(join(root, 'run', 'fold-3', 'config.json'), 'utf8'));
    expect(config.finetune).toMatchObject({
      loss: 'ce',
      labelSmoothing: 0.1,
      mixup: null,
      specAugment: { freqMask: 51.2, timeMask: 204.8 },
      rollAugment: true,
      metric: 'accuracy',
    });
    expect(config.optim).toMatchObject({
      lr: 5e-5,
      layerDecay: 0.65,
      steps: 2,
      warmupSteps: 0,
      accumulate: 2,
    });
    expect(config.data).toMatchObject({
      normalize: 'esc50',
      batchSize: 1,
      targetLength: 64,
      minSamples: 10_000,
    });
    expect(config.model).toBe(join(root, 'micro-encoder.json'));
  });

  it('saves loadable models and checkpoints for every fold', async () => {
    for (const fold of result.folds) {
      const dir = join(root, 'run', `fold-${fold.fold}`);
      expect(existsSync(join(dir, 'checkpoints', 'step-000002', 'model.safetensors'))).toBe(true);
      const { classifier, labels } = await loadClassifier(fold.model);
      expect(classifier.numClasses).toBe(5);
      expect(labels?.names).toEqual(['kick_drum', 'hi_hat', 'tabla', 'electronic', 'drum']);
      classifier.dispose();
    }
  });

  it('reports accuracies that the saved predictions reproduce', async () => {
    expect(result.folds.map((f) => f.fold)).toEqual([1, 2, 3, 4, 5]);
    for (const fold of result.folds) {
      const p = await readPredictions(fold.predictions);
      // The test fold's clips, each scored once, with its own class as target.
      expect(p.ids).toEqual(
        mini.rows.filter((r) => r.fold === fold.fold).map((r) => r.filename.slice(0, -4)),
      );
      const argmax = (row: ArrayLike<number>) => Array.from(row).indexOf(Math.max(...Array.from(row)));
      let correct = 0;
      p.ids.forEach((id, i) => {
        const target = argmax(p.targets.subarray(5 * i, 5 * i + 5));
        expect(target).toBe(Number(id.split('-')[3]));
        if (argmax(p.scores.subarray(5 * i, 5 * i + 5)) === target) correct++;
      });
      expect(fold.correct).toBe(correct);
      expect(fold.accuracy).toBeCloseTo(correct / 5, 12);
      // The fine-tuning run's own evaluation of its last step scored the same model on the same clips.
      expect(fold.best).not.toBeNull();
      expect(fold.lastEval).toBeCloseTo(fold.accuracy, 6);
      expect(stdout).toContain(
        `fold ${fold.fold}: accuracy ${fold.accuracy.toFixed(4)} (${correct}/5 clips) after 2 steps; ` +
          `best during training ${fold.best!.value.toFixed(4)} at step 2`,
      );
    }
    const mean = result.folds.reduce((a, f) => a + f.accuracy, 0) / 5;
    expect(result.meanAccuracy).toBeCloseTo(mean, 12);
    expect(stdout).toContain(`mean accuracy over 5 fold(s): ${mean.toFixed(4)}`);
  });

  it('agrees with cat-audio eval on a fold', async () => {
    const fold = result.folds[0];
    const out: string[] = [];
    const status = await main(
      [
        ...['eval', '--weights', fold.model, '--data', join(root, 'run', 'manifests', 'test01', 'eval.tsv')],
        ...['--target-length', '64', '--normalize', 'esc50', '--batch-size', '4', '--backend', 'wasm'],
      ],
      { stdout: (l) => out.push(l), stderr: () => {} },
    );
    expect(status).toBe(0);
    expect(out).toContain('clips: 5');
    expect(out).toContain(`accuracy: ${fold.accuracy.toFixed(4)}`);
  });

  it('prints the cat-audio command of each fold', () => {
    const commands = stderr.filter((l) => l.startsWith('$ cat-audio finetune'));
    expect(commands).toHaveLength(5);
    expect(commands[0]).toContain('--config esc50-finetune');
    expect(commands[0]).toContain(`--data ${join(root, 'run', 'manifests', 'test01', 'train.tsv')}`);
  });
});
