import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '@cat/cli';
import { loadClassifier } from '@cat/train/node';
import { buildMiniAudioSet, MINI_GROUPS, type MiniAudioSet, readPredictions } from '@example/recipe-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type As20kResult, runAs20k } from '../src/program.js';

let root: string;
let mini: MiniAudioSet;
let result: As20kResult;
const stdout: string[] = [];
const stderr: string[] = [];

/**
 * Average precision of one class written out plainly (rank by score, precision at each positive, averaged);
 * an independent check of the package's scikit-learn-equivalent implementation (no tied scores here).
 */
function averagePrecision(scores: number[], positives: boolean[]): number {
  const order = scores.map((s, i) => [s, i] as const).sort((a, b) => b[0] - a[0]);
  let hits = 0;
  let sum = 0;
  order.forEach(([, i], rank) => {
    if (positives[i]) {
      hits++;
      sum += hits / (rank + 1);
    }
  });
  return sum / hits;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'example-as20k-'));
  mini = await buildMiniAudioSet(join(root, 'audioset'));
  result = await runAs20k(
    [
      ...['--train', mini.trainCsv, '--eval', mini.evalCsv, '--train-root', join(mini.audio, 'bal_train')],
      ...['--eval-root', join(mini.audio, 'eval'), '--out', join(root, 'run'), '--model', 'cat-tiny'],
      ...['--backend', 'wasm', '--target-length', '64', '--batch', '4', '--micro-batch', '2', '--steps', '2'],
    ],
    { stdout: (l) => stdout.push(l), stderr: (l) => stderr.push(l) },
  );
});

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

describe('AS-20K fine-tuning, miniature AudioSet', () => {
  it('matches the segment lists to the audio files: 527 classes, the missing segments reported', () => {
    expect(result.classes).toBe(527);
    expect(result.trainClips).toBe(12);
    expect(result.evalClips).toBe(8);
    expect(result.problems).toEqual({ train: 1, eval: 1 });
    expect(stdout[0]).toBe(
      'AudioSet: 527 classes; training on 12 clips (1 listed entries without audio or label), evaluating on 8 clips ' +
        `(1 listed entries without audio or label) (manifests in ${join(root, 'run', 'manifests')})`,
    );
    const missing = mini.train.find((s) => s.file === undefined)!;
    expect(
      stderr.some((l) => l.startsWith('train: ') && l.includes(`no audio file for segment ${missing.ytid}`)),
    ).toBe(true);
  });

  it('writes datafiles with absolute paths and the multi-label targets of the lists', async () => {
    const train = JSON.parse(await readFile(join(root, 'run', 'manifests', 'train.json'), 'utf8')).data;
    const expected = mini.train
      .filter((s) => s.file)
      .map((s) => ({ wav: join(mini.dir, s.file!), labels: s.mids.join(',') }));
    expect(new Set(train.map((e: any) => JSON.stringify(e)))).toEqual(
      new Set(expected.map((e) => JSON.stringify(e))),
    );
  });

  it('fine-tunes with the as20k-finetune recipe', async () => {
    const config = JSON.parse(await readFile(join(root, 'run', 'config.json'), 'utf8'));
    expect(config.finetune).toMatchObject({
      loss: 'bce',
      mixup: { alpha: 0.8, probability: 0.9 },
      specAugment: { freqMask: 25.6, timeMask: 204.8 },
      rollAugment: true,
      metric: 'mAP',
    });
    expect(config.optim).toMatchObject({ lr: 5e-5, minLr: 1e-6, layerDecay: 0.65, steps: 2, accumulate: 2 });
    expect(config.data).toMatchObject({ normalize: 'audioset', targetLength: 64, batchSize: 2 });
    expect(existsSync(join(root, 'run', 'checkpoints', 'step-000002', 'model.safetensors'))).toBe(true);
    const { classifier, labels } = await loadClassifier(result.model);
    expect(classifier.numClasses).toBe(527);
    expect(labels?.names.slice(0, 2)).toEqual(['Speech', 'Male speech, man speaking']);
    classifier.dispose();
  });

  it('reports the mAP that the saved predictions reproduce', async () => {
    const p = await readPredictions(result.predictions);
    const evalFiles = mini.eval.filter((s) => s.file);
    expect([...p.ids].sort()).toEqual(evalFiles.map((s) => `Y${s.ytid}`).sort());
    // Targets are the lists' labels.
    const keys = p.classes.keys;
    p.ids.forEach((id, i) => {
      const segment = evalFiles.find((s) => `Y${s.ytid}` === id)!;
      const positive = keys.filter((_, c) => p.targets[i * 527 + c] === 1);
      expect(positive.sort()).toEqual([...segment.mids].sort());
    });
    // mAP = mean over the classes with a positive of their average precision.
    const classes = [...new Set(MINI_GROUPS.flatMap((g) => g.mids))].map((mid) => keys.indexOf(mid));
    expect(result.scoredClasses).toBe(classes.length);
    const aps = classes.map((c) =>
      averagePrecision(
        p.ids.map((_, i) => p.scores[i * 527 + c]),
        p.ids.map((_, i) => p.targets[i * 527 + c] === 1),
      ),
    );
    const mAP = aps.reduce((a, b) => a + b, 0) / aps.length;
    expect(result.mAP).toBeCloseTo(mAP, 6);
    expect(result.lastEval).toBeCloseTo(result.mAP, 6);
    expect(stdout).toContain(
      `mAP: ${mAP.toFixed(4)} over ${classes.length} classes with positives, 8 clips, after 2 steps`,
    );
  });

  it('agrees with cat-audio eval', async () => {
    const out: string[] = [];
    const status = await main(
      [
        ...['eval', '--weights', result.model, '--data', join(root, 'run', 'manifests', 'eval.json')],
        ...['--target-length', '64', '--batch-size', '4', '--backend', 'wasm'],
      ],
      { stdout: (l) => out.push(l), stderr: () => {} },
    );
    expect(status).toBe(0);
    expect(out).toContain('clips: 8');
    expect(out).toContain(`mAP: ${result.mAP.toFixed(4)}`);
    expect(out).toContain(`d-prime: ${result.dPrime.toFixed(4)}`);
  });
});
