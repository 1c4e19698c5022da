import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NORMALIZATION_PRESETS, referenceFbank } from '@cat/frontend';
import { readAudioFile } from '@cat/frontend/node';
import { layerNorm, loadCheckpoint, prepareBackend, readSafetensors } from '@cat/layers';
import { AudioClassifier, linearClassifierScores } from '@cat/train';
import { loadRecipe } from '@cat/train/node';
import { INSTRUMENT_FAMILIES } from '@example/quickstart';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ABSENT_LOGIT,
  type AudioSetTables,
  assetPath,
  buildNoteManifests,
  FAMILY_CLASSES,
  familyLabels,
  fitProbeHead,
  formatOntologyPath,
  GUITAR_CLIP,
  loadAudioSet,
  parseTagOutput,
  relabel,
  runTag,
  withOntology,
  writeClassifier,
  writeUntrainedCheckpoint,
} from '../src/index.js';

let dir: string;
let tables: AudioSetTables;
let untrained: string;
const clip = assetPath(GUITAR_CLIP);

beforeAll(async () => {
  await prepareBackend({ backend: 'wasm' });
  dir = await mkdtemp(join(tmpdir(), 'example-tag-'));
  tables = await loadAudioSet();
  untrained = join(dir, 'untrained.safetensors');
  await writeUntrainedCheckpoint(untrained, tables, { seed: 7 });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Sigmoid scores of all 527 classes for one clip, computed without the CLI: @cat/layers loads, @cat/train runs. */
async function directScores(weights: string, file: string, targetLength: number): Promise<Float32Array> {
  const bytes = await readFile(weights);
  const tensors = readSafetensors(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), weights);
  const classifier = new AudioClassifier({
    model: 'cat-tiny',
    numClasses: tensors.get('head.weight')!.shape[0],
  });
  loadCheckpoint(classifier.parts, tensors, weights);
  const audio = await readAudioFile(file);
  const fbank = referenceFbank(audio.samples, audio.sampleRate, {
    targetLength,
    normalize: NORMALIZATION_PRESETS.audioset,
  });
  const scores = tf.tidy(
    () =>
      tf
        .sigmoid(classifier.logits(tf.tensor3d(fbank.data, [1, targetLength, 128])))
        .dataSync() as Float32Array,
  );
  classifier.dispose();
  return scores;
}

describe('cat-audio tag on a real recording', () => {
  it('prints k AudioSet classes, sigmoid scores in descending order, equal to the model run directly', async () => {
    const { lines } = await runTag({
      weights: untrained,
      files: [clip],
      top: 7,
      targetLength: 256,
      backend: 'wasm',
    });
    const tagged = parseTagOutput(lines);
    expect(tagged.map((t) => t.file)).toEqual([clip]);
    const { classes } = tagged[0];
    expect(classes).toHaveLength(7);
    const expected = await directScores(untrained, clip, 256);
    const ranking = Array.from(expected.keys()).sort((a, b) => expected[b] - expected[a]);
    for (const [rank, { key, name, score }] of classes.entries()) {
      const index = tables.labels.resolve(key)!;
      expect(index, key).toBeTypeOf('number');
      expect(tables.labels.keys[index]).toBe(key);
      expect(name).toBe(tables.labels.names[index]);
      expect(index).toBe(ranking[rank]);
      expect(Math.abs(score - expected[index])).toBeLessThanOrEqual(5e-5); // printed with 4 decimals
      expect(score).toBeGreaterThanOrEqual(0);
      expect(score).toBeLessThanOrEqual(1);
      if (rank > 0) expect(score).toBeLessThanOrEqual(classes[rank - 1].score);
    }
    // A random head does not put every class at one score: the ranking is the model's, not a tie order.
    expect(expected[ranking[0]] - expected[ranking[526]]).toBeGreaterThan(0.01);
  });

  it('places each class in the ontology under its line', async () => {
    expect(formatOntologyPath(tables.ontology, '/m/0342h')).toBe(
      'Music › Musical instrument › Plucked string instrument › Guitar',
    );
    // Bell has two parents (Musical instrument, Sounds of things): the path follows the first and says so.
    expect(formatOntologyPath(tables.ontology, '/m/0395lw')).toBe(
      'Music › Musical instrument › Bell (+1 other parent)',
    );
    const tagged = [{ file: 'a.wav', classes: [{ score: 0.5, name: 'Guitar', key: '/m/0342h' }] }];
    expect(withOntology(tagged, tables)).toEqual([
      'a.wav',
      '  0.5000  Guitar (/m/0342h)',
      '          Music › Musical instrument › Plucked string instrument › Guitar',
    ]);
  });
});

describe('AudioSet labels of the rendered notes', () => {
  it('maps every quickstart family to a class and its ancestors among the 527, in class-list order', () => {
    expect(Object.keys(FAMILY_CLASSES).sort()).toEqual(INSTRUMENT_FAMILIES.map((f) => f.name).sort());
    expect(familyLabels(tables, 'guitar')).toEqual(['/m/04rlf', '/m/04szw', '/m/0fx80y', '/m/0342h']);
    // Bass guitar sits under Guitar in the ontology, so a bass note is a guitar note too.
    expect(familyLabels(tables, 'bass').map((id) => tables.labels.names[tables.labels.resolve(id)!])).toEqual(
      ['Music', 'Musical instrument', 'Plucked string instrument', 'Guitar', 'Bass guitar'],
    );
    expect(relabel(tables, 'path,label\nclips/a.wav,pipe\n', 'x.csv')).toBe(
      'path,label\nclips/a.wav,/m/04rlf;/m/04szw;/m/085jw;/m/0l14j_\n',
    );
    expect(() => relabel(tables, 'path,label\nclips/a.wav,kazoo\n', 'x.csv')).toThrow(/kazoo/);
  });

  it('fits a probe head on the notes whose folded checkpoint cat-audio tag reads with its own 527 labels', async () => {
    const manifests = await buildNoteManifests(tables, {
      dir: join(dir, 'notes'),
      trainPerClass: 2,
      testPerClass: 1,
    });
    expect(manifests.clips).toEqual({ train: 20, test: 10 });
    const {
      classifier,
      probe,
      classes: learned,
      test,
    } = await fitProbeHead(
      { train: manifests.train, test: manifests.test, tables, targetLength: 128, seed: 4 },
      Object.values(FAMILY_CLASSES),
    );
    expect(test!.clips).toBe(10);
    expect(test!.mAP).toBeGreaterThan(0);
    expect(test!.mAP).toBeLessThanOrEqual(1);
    const weights = join(dir, 'probe.safetensors');
    await writeClassifier(weights, classifier, tables.labels);
    // The probe's own scores on the guitar recording: frozen encoder → CLS → LayerNorm → standardise → linear.
    const audio = await readAudioFile(clip);
    const fbank = referenceFbank(audio.samples, audio.sampleRate, {
      targetLength: 128,
      normalize: NORMALIZATION_PRESETS.audioset,
    });
    const feature = tf.tidy(
      () =>
        layerNorm(
          classifier.encoder.encode(tf.tensor3d(fbank.data, [1, 128, 128])).cls,
          null,
          null,
          1e-6,
        ).dataSync() as Float32Array,
    );
    classifier.dispose();
    // 15 classes: Music, Musical instrument and the families' classes with their ancestors.
    expect(learned.map((k) => tables.labels.keys[k]).sort()).toEqual(
      [...new Set(Object.keys(FAMILY_CLASSES).flatMap((family) => familyLabels(tables, family)))].sort(),
    );
    const probeScores = new Float32Array(tables.labels.size).fill(1 / (1 + Math.exp(-ABSENT_LOGIT)));
    const fitted = linearClassifierScores(probe, feature);
    learned.forEach((k, c) => (probeScores[k] = fitted[c]));
    expect(probeScores[tables.labels.resolve('/m/04rlf')!]).toBeGreaterThan(0.75); // Music: every note
    // Folded into fc_norm + head, the checkpoint gives the same scores, directly and through the CLI.
    const expected = await directScores(weights, clip, 128);
    let worst = 0;
    probeScores.forEach((score, k) => {
      worst = Math.max(worst, Math.abs(score - expected[k]));
    });
    expect(worst).toBeLessThan(1e-4);
    const { lines } = await runTag({ weights, files: [clip], top: 4, targetLength: 128 });
    const [{ classes }] = parseTagOutput(lines);
    const ranking = Array.from(expected.keys()).sort((a, b) => expected[b] - expected[a]);
    expect(classes.map((c) => c.key)).toEqual(ranking.slice(0, 4).map((k) => tables.labels.keys[k]));
    // Only learned classes can rank: every other one scores sigmoid(ABSENT_LOGIT) ≈ 0.
    for (const k of ranking.slice(0, 4)) expect(learned).toContain(k);
    for (const { key, name, score } of classes) {
      expect(name).toBe(tables.labels.names[tables.labels.resolve(key)!]);
      expect(Math.abs(score - expected[tables.labels.resolve(key)!])).toBeLessThanOrEqual(5e-5);
    }
  });

  it('ships a valid cat-audio finetune recipe for the full fine-tune', async () => {
    const recipe = await loadRecipe(assetPath('../recipes/notes-audioset.json'), ['data.train="train.csv"']);
    expect(recipe.task).toBe('finetune');
    expect(recipe.finetune.loss).toBe('bce');
    expect(recipe.finetune.metric).toBe('mAP');
    expect(recipe.data.targetLength).toBe(128);
  });
});
