import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NORMALIZATION_PRESETS, referenceFbank, SeededRandom } from '@cat/frontend';
import { prepareBackend } from '@cat/layers';
import { AudioClassifier } from '@cat/train';
import { classifierFileBytes, loadClassifier } from '@cat/train/node';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TINY_ENCODER, toyClip, wavBytes } from '../../train/test/finetune-toy-data.js';
import { assetPath } from '../src/assets.js';
import { tagCommand } from '../src/commands/tag.js';
import { runCommand } from './command-runner.js';

let dir: string;
let weights: string;
let clips: string[];
const samples: Float32Array[] = [];

beforeAll(async () => {
  await prepareBackend({ backend: 'wasm' });
  dir = await mkdtemp(join(tmpdir(), 'cat-cli-tag-'));
  // A tiny model with AudioSet's 527 outputs (random weights: the test checks the ranking and the names).
  const classifier = new AudioClassifier({ model: TINY_ENCODER, numClasses: 527, seed: 13 });
  weights = join(dir, 'tiny-as.safetensors');
  await writeFile(weights, classifierFileBytes(classifier));
  classifier.dispose();
  const random = new SeededRandom(2);
  clips = [];
  for (const kind of ['tone', 'noise'] as const) {
    const clip = toyClip(kind, random);
    samples.push(clip);
    clips.push(join(dir, `${kind}.wav`));
    await writeFile(clips.at(-1)!, wavBytes(clip));
  }
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('cat-audio tag', () => {
  it('lists the top-k AudioSet classes with their display names and sigmoid scores', async () => {
    const { status, lines, err } = await runCommand(tagCommand, [
      '--weights',
      weights,
      '--top',
      '3',
      '--target-length',
      '128',
      '--backend',
      'wasm',
      ...clips,
    ]);
    expect(err).toContain('backend wasm');
    expect(status).toBe(0);
    expect(lines).toHaveLength(8);
    const { classifier } = await loadClassifier(weights);
    const rows = readFileSync(assetPath('class_labels_indices.csv'), 'utf8').split('\n');
    for (const [i, clip] of clips.entries()) {
      expect(lines[4 * i]).toBe(clip);
      // Expected: the same model on the reference fbank of the decoded 16-bit samples.
      const fbank = referenceFbank(
        Float32Array.from(samples[i], (s) => Math.round(Math.max(-1, Math.min(1, s)) * 32767) / 32768),
        16_000,
        { targetLength: 128, normalize: NORMALIZATION_PRESETS.audioset },
      );
      const scores = tf.tidy(() =>
        tf.sigmoid(classifier.logits(tf.tensor3d(fbank.data, [1, 128, 128]))).dataSync(),
      );
      const top = Array.from(scores.keys())
        .sort((a, b) => scores[b] - scores[a])
        .slice(0, 3);
      for (const [rank, k] of top.entries()) {
        const match = /^ {2}(\d\.\d{4}) {2}(.+) \((\/m\/\w+)\)$/.exec(lines[4 * i + 1 + rank]);
        expect(match, lines[4 * i + 1 + rank]).not.toBeNull();
        expect(Number(match![1])).toBeCloseTo(scores[k], 3);
        const row = rows[k + 1];
        expect(row.startsWith(`${k},${match![3]},`)).toBe(true);
        expect(row).toContain(match![2]);
      }
    }
    classifier.dispose();
  });

  it('uses another label list when given and refuses one of the wrong size', async () => {
    const labels = join(dir, 'two.csv');
    await writeFile(labels, '0,a,alpha\n1,b,beta\n');
    const { status, err } = await runCommand(tagCommand, [
      '--weights',
      weights,
      '--labels',
      labels,
      '--backend',
      'wasm',
      clips[0],
    ]);
    expect(status).toBe(1);
    expect(err).toContain('has a 527-class head but the label list has 2 classes');
  });
});
