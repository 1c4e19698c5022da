import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '@cat/cli';
import { readNpyFile } from '@cat/frontend/node';
import { readTensors } from '@cat/train/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMiniPretrainingSet, type MiniPretrainingSet } from '../src/mini-dataset.js';
import { type PretrainRunResult, runPretrainAudioSet } from '../src/program.js';

let root: string;
let mini: MiniPretrainingSet;
let result: PretrainRunResult;
const stdout: string[] = [];
const stderr: string[] = [];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'example-pretrain-'));
  mini = await buildMiniPretrainingSet(join(root, 'audioset'));
  result = await runPretrainAudioSet(
    [
      ...['--data', mini.manifest, '--out', join(root, 'run'), '--model', 'cat-tiny', '--backend', 'wasm'],
      ...['--target-length', '64', '--batch', '4', '--micro-batch', '2', '--steps', '2'],
    ],
    { stdout: (l) => stdout.push(l), stderr: (l) => stderr.push(l) },
  );
});

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

describe('AS-2M pre-training recipe on a miniature AudioSet', () => {
  it("reads the reference's feature manifest and regularizes towards its features", () => {
    expect(result.kind).toBe('feature-json');
    expect(result.clips).toBe(12);
    expect(stdout[0]).toBe('AudioSet (feature-json): 12 clips');
    expect(result.regularization).toBe(`npy:${mini.manifest}`);
    expect(stdout).toContain(`regularization: npy:${mini.manifest}`);
  });

  it('keeps the as2m-pretrain recipe and scales the view-summed terms for accumulated passes', () => {
    const { recipe } = result;
    expect(recipe.model).toBe('cat-tiny');
    expect(recipe.pretrain).toMatchObject({
      clones: 4,
      maskProb: 0.8,
      weighting: 'reference',
      frameWeight: 1,
      // Two passes of 2 clips: the sums over views of one pass are half the reference's sums over the batch.
      utteranceWeight: 2,
      regularization: { encoder: `npy:${mini.manifest}`, weight: 2, loss: 'mse', layer: 0 },
    });
    expect(recipe.data).toMatchObject({
      batchSize: 2,
      targetLength: 64,
      normalize: 'audioset',
      minSamples: 10_000,
    });
    expect(recipe.optim).toMatchObject({ lr: 5e-4, accumulate: 2, steps: 2, warmupSteps: 0, clipNorm: 4 });
    expect(recipe.pretrain.ema).toEqual({ start: 0.9998, end: 0.99999, steps: 1 });
  });

  it('runs the steps and logs every loss term', async () => {
    expect(result.steps).toBe(2);
    expect(result.stoppedBy).toBe('steps');
    expect(result.last.step).toBe(2);
    for (const key of ['loss', 'frame', 'utterance', 'regularization']) {
      expect(Number.isFinite(result.last[key])).toBe(true);
      expect(result.last[key]).toBeGreaterThan(0);
    }
    // The total is the frame term, the utterance term at its doubled weight and the (weighted) regularization term.
    const { loss, frame, utterance, regularization } = result.last;
    expect(loss).toBeCloseTo(frame + 2 * utterance + regularization, 2);
    expect(stdout).toContain('steps: 2 of 2 (batch 4 = 2 x 2 clips)');
    expect(stdout).toContain(
      `loss at step 2: ${loss.toFixed(4)} = frame ${frame.toFixed(4)} + 2 x utterance ${utterance.toFixed(4)} + ` +
        `regularization ${regularization.toFixed(4)} (weight 2 included)`,
    );
  });

  it('saves checkpoints whose weights load and embed a clip', async () => {
    const checkpoint = join(root, 'run', 'checkpoints', 'step-000002');
    expect(existsSync(join(checkpoint, 'model.safetensors'))).toBe(true);
    expect(existsSync(join(checkpoint, 'state.json'))).toBe(true);
    const tensors = await readTensors(result.weights);
    // The projector maps the student's 192-d CLS to the 46-d features of the manifest.
    const projector = [...tensors.entries()].filter(
      ([name]) => /proj/i.test(name) && name.endsWith('weight'),
    );
    expect(projector.map(([, t]) => t.shape.slice().sort((a, b) => a - b))).toContainEqual([
      mini.featureDimension,
      192,
    ]);
    const clip = join(mini.dir, mini.train[0].file!);
    const out = join(root, 'embedding.npy');
    const status = await main(
      [
        'embed',
        '--weights',
        result.weights,
        '--model',
        'cat-tiny',
        '--target-length',
        '64',
        '--backend',
        'wasm',
        clip,
        out,
      ],
      { stdout: () => {}, stderr: () => {} },
    );
    expect(status).toBe(0);
    const embedding = await readNpyFile(out);
    // CLS + 4 x 8 patch tokens of 192 values.
    expect(embedding.shape).toEqual([33, 192]);
    expect(Array.from(embedding.data).every(Number.isFinite)).toBe(true);
  });

  it('prints the cat-audio command it ran', async () => {
    const command = stderr.find((l) => l.startsWith('$ cat-audio pretrain'));
    expect(command).toContain('--config as2m-pretrain');
    expect(command).toContain('--set optim.accumulate=2');
    const summary = JSON.parse(await readFile(join(root, 'run', 'summary.json'), 'utf8'));
    expect(summary.steps).toBe(2);
  });
});
