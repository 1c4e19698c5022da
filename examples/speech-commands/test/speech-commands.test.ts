import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseLabelList } from '@cat/data';
import { loadClassifier } from '@cat/train/node';
import { readPredictions } from '@example/recipe-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REFERENCE_WORDS, writeSpeechCommandsManifests } from '../src/manifests.js';
import { buildMiniSpeechCommands, type MiniSpeechCommands } from '../src/mini-dataset.js';
import { runSpeechCommands, type SpeechCommandsResult } from '../src/program.js';

let root: string;
let mini: MiniSpeechCommands;
let result: SpeechCommandsResult;
const stdout: string[] = [];
const stderr: string[] = [];
const lines = async (path: string) => (await readFile(path, 'utf8')).trimEnd().split('\n');

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'example-spc2-'));
  mini = await buildMiniSpeechCommands(join(root, 'speech_commands_v0.02'));
  result = await runSpeechCommands(
    [
      ...['--data', mini.dir, '--out', join(root, 'run'), '--model', 'cat-tiny', '--backend', 'wasm'],
      ...['--batch', '4', '--micro-batch', '2', '--steps', '2'],
    ],
    { stdout: (l) => stdout.push(l), stderr: (l) => stderr.push(l) },
  );
});

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

describe('SPC-2 fine-tuning, miniature Speech Commands', () => {
  it('reads the folder layout and its lists, leaving the background noise out', () => {
    expect(result.counts).toEqual({ train: 9, validation: 4, test: 4 });
    expect(result.classes).toBe(4);
    expect(stdout[0]).toBe(
      `Speech Commands: 4 words; training on train 9 + validation 4 = 13 clips, testing on 4 (manifests in ${join(root, 'run', 'manifests')})`,
    );
    expect(stderr).toContain("note: the words are not the reference's 35: classes are the 4 folders, sorted");
  });

  it("writes the reference's manifests: train + validation for training, the test list for evaluation", async () => {
    const dir = join(root, 'run', 'manifests');
    const train = await lines(join(dir, 'train.tsv'));
    expect(train[0]).toBe(mini.dir);
    expect(new Set(train.slice(1).map((l) => l.split('\t')[0]))).toEqual(
      new Set([...mini.train, ...mini.validation]),
    );
    // Sample counts from the headers: 1 s clips, and the 0.5 s one.
    for (const line of train.slice(1)) {
      const [path, samples] = line.split('\t');
      expect(Number(samples)).toBe(path === mini.short ? 8000 : 16_000);
    }
    const test = await lines(join(dir, 'eval.tsv'));
    expect(test.slice(1).map((l) => l.split('\t')[0])).toEqual(mini.test);
    expect(await lines(join(dir, 'eval.lbl'))).toEqual(mini.test.map((p) => `${p} ${p.split('/')[0]}`));
    expect(await lines(join(dir, 'label_descriptors.csv'))).toEqual([
      '0,hat,"hat"',
      '1,kick,"kick"',
      '2,snare,"snare"',
      '3,tabla,"tabla"',
    ]);
  });

  it("trains on the spc2-finetune recipe and drops the clip under the reference's 10,000 samples", async () => {
    const config = JSON.parse(await readFile(join(root, 'run', 'config.json'), 'utf8'));
    expect(config.seed).toBe(42);
    expect(config.finetune).toMatchObject({
      loss: 'bce',
      mixup: { alpha: 0.8, probability: 0.9 },
      specAugment: { freqMask: 25.6, timeMask: 25.6 },
      rollAugment: true,
      noiseAugment: true,
      metric: 'accuracy',
    });
    expect(config.optim).toMatchObject({ lr: 2e-4, steps: 2, warmupSteps: 0, accumulate: 2 });
    expect(config.data).toMatchObject({
      normalize: 'spc2',
      targetLength: 128,
      batchSize: 2,
      minSamples: 10_000,
    });
    expect(stderr.some((l) => l.includes(mini.short.split('/')[1]) && l.includes('10000'))).toBe(true);
  });

  it('saves a loadable model and its checkpoint', async () => {
    expect(existsSync(join(root, 'run', 'checkpoints', 'step-000002', 'model.safetensors'))).toBe(true);
    const { classifier, labels } = await loadClassifier(result.model);
    expect(classifier.numClasses).toBe(4);
    expect(labels?.keys).toEqual(['hat', 'kick', 'snare', 'tabla']);
    classifier.dispose();
  });

  it('reports the test accuracy that the saved predictions reproduce', async () => {
    const p = await readPredictions(result.predictions);
    expect(p.ids).toEqual(mini.test.map((path) => path.slice(0, -4)));
    const argmax = (row: ArrayLike<number>) => Array.from(row).indexOf(Math.max(...Array.from(row)));
    let correct = 0;
    p.ids.forEach((id, i) => {
      const target = argmax(p.targets.subarray(4 * i, 4 * i + 4));
      expect(p.classes.keys[target]).toBe(id.split('/')[0]);
      if (argmax(p.scores.subarray(4 * i, 4 * i + 4)) === target) correct++;
    });
    expect(result.correct).toBe(correct);
    expect(result.accuracy).toBeCloseTo(correct / 4, 12);
    expect(result.lastEval).toBeCloseTo(result.accuracy, 6);
    expect(stdout).toContain(
      `test accuracy: ${result.accuracy.toFixed(4)} (${correct}/4 clips) after 2 steps`,
    );
  });

  it("keeps the reference's class order (SFT_SPC_2/label_descriptors.csv) when the folders are its 35 words", async () => {
    const dir = join(root, 'words35');
    const words = [...REFERENCE_WORDS].sort();
    for (const word of words) {
      await mkdir(join(dir, word), { recursive: true });
      await writeFile(join(dir, word, 'a1b2c3d4_nohash_0.wav'), '');
    }
    await writeFile(join(dir, 'validation_list.txt'), 'yes/a1b2c3d4_nohash_0.wav\n');
    await writeFile(join(dir, 'testing_list.txt'), 'no/a1b2c3d4_nohash_0.wav\n');
    const manifests = await writeSpeechCommandsManifests({
      data: dir,
      out: join(dir, 'manifests'),
      sampleCount: async () => 16_000,
    });
    expect(manifests.referenceOrder).toBe(true);
    expect(manifests.counts).toEqual({ train: 33, validation: 1, test: 1 });
    const reference = parseLabelList(
      await readFile(join(__dirname, '__fixtures__', 'spc2-label_descriptors.csv'), 'utf8'),
    );
    const written = parseLabelList(await readFile(join(dir, 'manifests', 'label_descriptors.csv'), 'utf8'));
    expect(written.keys).toEqual(reference.keys);
    expect(await lines(join(dir, 'manifests', 'eval.lbl'))).toEqual(['no/a1b2c3d4_nohash_0.wav no']);
  });
});
