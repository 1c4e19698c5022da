import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LayerNorm, MultiResolutionBlock, prepareBackend } from '@cat/layers';
import { buildDemoDataset } from '@example/quickstart';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildComposedModel,
  evaluate,
  type LabelledFbanks,
  loadLabelledFbanks,
  loadModel,
  predict,
  saveModel,
  trainModel,
} from '../src/index.js';

let dir: string;
let train: LabelledFbanks;

beforeAll(async () => {
  await prepareBackend({ backend: 'wasm' });
  dir = await mkdtemp(join(tmpdir(), 'example-compose-'));
  // Two real rendered notes per instrument family: 20 clips, 10 classes.
  const data = await buildDemoDataset({
    dir: join(dir, 'data'),
    trainPerClass: 2,
    testPerClass: 1,
    sonicPiRecordings: 0,
  });
  train = await loadLabelledFbanks(data.train, { frames: 64 });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('a model composed of CAT blocks and tf.layers', () => {
  it('reads the notes as normalised fbanks with their family labels', () => {
    expect(train.classes).toHaveLength(10);
    expect(train.classes).toContain('guitar');
    expect(train.labels).toHaveLength(20);
    expect(train.fbanks).toHaveLength(20 * 64 * 128);
    // Every class has its two notes, and the features are finite, normalised log-mel values.
    expect(Array.from(train.labels).sort()).toEqual([
      0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9,
    ]);
    expect(train.fbanks.every(Number.isFinite)).toBe(true);
  });

  it('is one tf.model whose config names the registered CAT classes and rebuilds from JSON', async () => {
    const model = buildComposedModel({ numClasses: 10, frames: 64, seed: 3 });
    expect(model.outputs[0].shape).toEqual([null, 10]);
    const json = model.toJSON(undefined, false) as { config: { layers: { class_name: string }[] } };
    const classes = json.config.layers.map((layer) => layer.class_name);
    expect(classes).toEqual([
      'InputLayer',
      'Reshape',
      MultiResolutionBlock.className,
      LayerNorm.className,
      'Reshape',
      'GRU',
      'Dense',
    ]);
    const block = model.getLayer('multi_resolution').getConfig();
    expect(block).toMatchObject({ embedDim: 64, resolutions: [4, 16], channels: [32], depths: [1], seed: 3 });
    // The same topology again from the JSON alone: the registered classes are found by name.
    const copy = await tfl.models.modelFromJSON({ modelTopology: json });
    expect(copy.layers.map((layer) => layer.getClassName())).toEqual(classes);
    expect(copy.countParams()).toBe(model.countParams());
    copy.dispose();
    model.dispose();
  });

  it('learns: a few epochs on the notes lower the training loss well below its start', () => {
    const model = buildComposedModel({ numClasses: 10, frames: 64, seed: 1 });
    const before = evaluate(model, train);
    const losses = trainModel(model, train, { epochs: 6, batchSize: 10, lr: 3e-3 });
    const after = evaluate(model, train);
    expect(losses).toHaveLength(6);
    expect(losses.every(Number.isFinite)).toBe(true);
    // Chance level is ln 10 = 2.30; memorising 20 clips brings it far down.
    expect(before.loss).toBeGreaterThan(1.8);
    expect(losses[5]).toBeLessThan(0.4 * losses[0]);
    expect(after.loss).toBeLessThan(0.4 * before.loss);
    expect(after.accuracy).toBeGreaterThanOrEqual(0.8);
    model.dispose();
  });

  it('saves to model.json + weights.bin and loads back predicting exactly the same', async () => {
    const model = buildComposedModel({ numClasses: 10, frames: 64, seed: 2 });
    trainModel(model, train, { epochs: 1, batchSize: 10 });
    const folder = join(dir, 'model');
    await saveModel(model, folder, train.classes);
    const saved = JSON.parse(await readFile(join(folder, 'model.json'), 'utf8'));
    expect(saved.format).toBe('layers-model');
    expect(saved.weightsManifest[0].paths).toEqual(['./weights.bin']);
    const { model: loaded, classes } = await loadModel(folder);
    expect(classes).toEqual(train.classes);
    const a = predict(model, train);
    const b = predict(loaded, train);
    expect(a.length).toBe(20 * 10);
    expect(Array.from(b)).toEqual(Array.from(a));
    // Every weight comes back bit for bit, under the same name.
    const names = (m: tfl.LayersModel) => m.weights.map((w) => w.originalName);
    expect(names(loaded)).toEqual(names(model));
    model.weights.forEach((weight, i) => {
      expect(Array.from(loaded.weights[i].read().dataSync())).toEqual(Array.from(weight.read().dataSync()));
    });
    model.dispose();
    loaded.dispose();
    // A truncated weights file is refused with both file names.
    await writeFile(join(folder, 'weights.bin'), new Uint8Array(8));
    await expect(loadModel(folder)).rejects.toThrow(/weights\.bin: 8 bytes, but .*model\.json describes/);
  });
});
