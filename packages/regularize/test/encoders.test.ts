import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CAT_SAMPLE_RATE,
  NORMALIZATION_PRESETS,
  pooledDescriptors,
  referenceFbank,
  resample,
} from '@cat/frontend';
import { readAudioFile } from '@cat/frontend/node';
import {
  checkpointTensors,
  createEncoder,
  FeatureExtractor,
  prepareBackend,
  writeSafetensors,
} from '@cat/layers';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SpectralDescriptorEncoder } from '../src/encoders/descriptors.js';
import { FrozenCatEncoder } from '../src/encoders/frozen-cat.js';
import { PrecomputedEncoder } from '../src/encoders/precomputed.js';
import { openExternalEncoder, parseEncoderSpec } from '../src/encoders/spec.js';
import {
  FeatureStatistics,
  readStandardization,
  standardize,
  writeStandardization,
} from '../src/encoders/standardization.js';
import { TfjsModelEncoder } from '../src/encoders/tfjs-model.js';
import type { ClipInput } from '../src/encoders/types.js';
import { PackedFeatureStore, writePackedFeatures } from '../src/stores.js';
import { testClip, writeWav } from './encoders-helpers.js';

let dir: string;
const clipA = testClip(0.5, 16000, 1);
const clipB = testClip(0.4, 16000, 2);
const clips: ClipInput[] = [
  { id: 'a', samples: clipA, sampleRate: 16000 },
  { id: 'b', samples: clipB, sampleRate: 16000 },
];

beforeAll(async () => {
  await prepareBackend({ backend: 'wasm' });
  dir = await mkdtemp(join(tmpdir(), 'cat-rr-enc-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function expectClose(actual: Float32Array, expected: ArrayLike<number>, tolerance: number) {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  expect(worst).toBeLessThanOrEqual(tolerance);
}

/** The reference front end of a clip, as a model input row block [T, 128]. */
function fbankOf(samples: Float32Array, targetLength: number, normalize = true): Float32Array {
  return referenceFbank(samples, 16000, {
    targetLength,
    normalize: normalize ? NORMALIZATION_PRESETS.audioset : undefined,
  }).data;
}

describe('SpectralDescriptorEncoder', () => {
  it('gives pooledDescriptors of the 16 kHz audio, from samples or from a file at another rate', async () => {
    const encoder = new SpectralDescriptorEncoder();
    expect(encoder.dimension).toBe(46);
    const [a, b] = await encoder.embed(clips);
    expect(a).toEqual(pooledDescriptors(clipA, 16000));
    expect(b).toEqual(pooledDescriptors(clipB, 16000));
    const path = join(dir, 'c22k.wav');
    await writeWav(path, testClip(0.3, 22050, 3), 22050);
    const [c] = await encoder.embed([{ id: 'c22k', path }]);
    const decoded = await readAudioFile(path);
    expect(decoded.sampleRate).toBe(22050);
    expect(c).toEqual(pooledDescriptors(resample(decoded.samples, 22050, CAT_SAMPLE_RATE), CAT_SAMPLE_RATE));
  });

  it('standardises with given statistics: (x - mean) / std per dimension', async () => {
    const raw = pooledDescriptors(clipA, 16000);
    const mean = Float32Array.from({ length: 46 }, (_, k) => k * 0.5);
    const std = Float32Array.from({ length: 46 }, (_, k) => 1 + k);
    const encoder = new SpectralDescriptorEncoder({ standardization: { mean, std, count: 2 } });
    const [a] = await encoder.embed([clips[0]]);
    expect(a).toEqual(Float32Array.from(raw, (x, k) => (x - k * 0.5) / (1 + k)));
    expect(
      () => new SpectralDescriptorEncoder({ standardization: { mean: mean.subarray(1), std, count: 1 } }),
    ).toThrow(/45 dimensions, descriptors have 46/);
  });

  it('names the clip that is too short for one frame', async () => {
    const encoder = new SpectralDescriptorEncoder();
    await expect(
      encoder.embed([{ id: 'tiny', samples: new Float32Array(100), sampleRate: 16000 }]),
    ).rejects.toThrow(/clip tiny: pooledDescriptors: 100 samples/);
    await expect(encoder.embed([{ id: 'nowhere' }])).rejects.toThrow(
      /clip nowhere: neither samples nor a path/,
    );
  });
});

describe('FeatureStatistics', () => {
  it('computes per-dimension mean and population std; a constant dimension gets std 1', async () => {
    const stats = new FeatureStatistics(3)
      .add(Float32Array.of(1, 2, 10))
      .add(Float32Array.of(3, 2, -10))
      .add(Float32Array.of(5, 2, 0))
      .result();
    expect(stats.count).toBe(3);
    expectClose(stats.mean, [3, 2, 0], 1e-7);
    expectClose(stats.std, [Math.sqrt(8 / 3), 1, Math.sqrt(200 / 3)], 1e-6);
    expectClose(standardize(Float32Array.of(5, 2, 0), stats), [2 / Math.sqrt(8 / 3), 0, 0], 1e-6);
    const path = join(dir, 'standardization.json');
    await writeStandardization(path, stats);
    const back = await readStandardization(path);
    expect(back).toEqual(stats);
    expect(() => new FeatureStatistics(2).add(Float32Array.of(1))).toThrow(/1 values, expected 2/);
    await writeFile(join(dir, 'bad-stats.json'), '{"count": 1, "mean": [0], "std": [0]}');
    await expect(readStandardization(join(dir, 'bad-stats.json'))).rejects.toThrow(
      /bad-stats.json: every std must be positive/,
    );
  });
});

describe('PrecomputedEncoder', () => {
  it('looks features up by id and names a missing clip', async () => {
    const store = new PackedFeatureStore(Float32Array.of(1, 2, 3, 4, 5, 6), ['x', 'y'], 3);
    const encoder = new PrecomputedEncoder(store, 'packed:test');
    expect(encoder.dimension).toBe(3);
    const [y, x] = await encoder.embed([{ id: 'y' }, { id: 'x' }]);
    expect([...y]).toEqual([4, 5, 6]);
    expect([...x]).toEqual([1, 2, 3]);
    expect(encoder.has('x')).toBe(true);
    await expect(encoder.embed([{ id: 'x' }, { id: 'zzz' }])).rejects.toThrow(
      'packed:test: no feature for clip zzz',
    );
  });
});

/** Saves a LayersModel as model.json + weights.bin, as tfjs's file handlers do. */
async function saveLayersModel(model: tfl.LayersModel, folder: string): Promise<string> {
  await mkdir(folder, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights = tf.io.CompositeArrayBuffer.join(artifacts.weightData as ArrayBuffer);
      await writeFile(join(folder, 'weights.bin'), new Uint8Array(weights));
      const json = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
      };
      await writeFile(join(folder, 'model.json'), JSON.stringify(json));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return join(folder, 'model.json');
}

/** Row-wise pooling of a [B, T, d] prediction, done in plain JS. */
function poolRows(data: Float32Array, batch: number, time: number, dim: number, rule: 'mean-time' | 'cls') {
  return Array.from({ length: batch }, (_, b) => {
    const out = new Float32Array(dim);
    for (let d = 0; d < dim; d++) {
      if (rule === 'cls') out[d] = data[b * time * dim + d];
      else {
        let sum = 0;
        for (let t = 0; t < time; t++) sum += data[(b * time + t) * dim + d];
        out[d] = sum / time;
      }
    }
    return out;
  });
}

describe('TfjsModelEncoder', () => {
  const T = 48;
  let model: tfl.LayersModel;
  let modelPath: string;
  let expectedRows: Float32Array;

  beforeAll(async () => {
    model = tfl.sequential({
      layers: [
        tfl.layers.dense({
          units: 6,
          activation: 'tanh',
          inputShape: [null, 128],
          kernelInitializer: tfl.initializers.glorotNormal({ seed: 3 }),
          biasInitializer: 'randomNormal',
        }),
        tfl.layers.dense({ units: 5, kernelInitializer: tfl.initializers.glorotNormal({ seed: 4 }) }),
      ],
    });
    modelPath = await saveLayersModel(model, join(dir, 'layers-model'));
    const input = tf.tensor3d([...fbankOf(clipA, T), ...fbankOf(clipB, T)], [2, T, 128]);
    const predicted = model.predict(input) as tf.Tensor;
    expectedRows = predicted.dataSync() as Float32Array;
    tf.dispose([input, predicted]);
  });

  it('loads a LayersModel from disk and pools its [B, T, d] output over time, as model.predict then a mean', async () => {
    const encoder = await TfjsModelEncoder.load(modelPath, { targetLength: T });
    expect(encoder.dimension).toBe(5);
    expect(encoder.name).toBe(`tfjs:${modelPath}`);
    const vectors = await encoder.embed(clips);
    const expected = poolRows(expectedRows, 2, T, 5, 'mean-time');
    expectClose(vectors[0], expected[0], 1e-5);
    expectClose(vectors[1], expected[1], 1e-5);
    encoder.dispose();
  });

  it("takes the first token with 'cls' and reads audio from a file when no samples are given", async () => {
    const path = join(dir, 'a.wav');
    await writeWav(path, clipA, 16000);
    const encoder = await TfjsModelEncoder.load(modelPath, { targetLength: T, pool: 'cls' });
    const [a] = await encoder.embed([{ id: 'a', path }]);
    expectClose(a, poolRows(expectedRows, 2, T, 5, 'cls')[0], 1e-5);
    encoder.dispose();
  });

  it("feeds [B, T, 128, 1] to an image model whose [B, d] output is used as is ('none')", async () => {
    const image = tfl.sequential({
      layers: [
        tfl.layers.conv2d({
          filters: 4,
          kernelSize: 3,
          strides: 2,
          inputShape: [T, 128, 1],
          kernelInitializer: tfl.initializers.glorotNormal({ seed: 5 }),
        }),
        tfl.layers.globalAveragePooling2d({}),
      ],
    });
    const path = await saveLayersModel(image, join(dir, 'image-model'));
    const encoder = await TfjsModelEncoder.load(path, {
      targetLength: T,
      layout: 'btf1',
      pool: 'none',
      normalize: null,
    });
    expect(encoder.dimension).toBe(4);
    const vectors = await encoder.embed(clips);
    const input = tf.tensor4d([...fbankOf(clipA, T, false), ...fbankOf(clipB, T, false)], [2, T, 128, 1]);
    const expected = image.predict(input) as tf.Tensor;
    const data = expected.dataSync();
    expectClose(vectors[0], data.slice(0, 4), 1e-5);
    expectClose(vectors[1], data.slice(4, 8), 1e-5);
    tf.dispose([input, expected]);
    encoder.dispose();
    await expect(
      TfjsModelEncoder.load(path, { targetLength: T, layout: 'btf1', pool: 'mean-time' }),
    ).rejects.toThrow(/image-model\/model.json: output of shape \[1, 4\] cannot be pooled with 'mean-time'/);
  });

  it('runs a GraphModel (hand-written graph: batched matmul, bias, relu) like the same ops in tfjs', async () => {
    const folder = join(dir, 'graph-model');
    await mkdir(folder, { recursive: true });
    const w = tf.randomNormal([128, 3], 0, 0.1, 'float32', 7);
    const b = tf.tensor1d([0.1, -0.2, 0.3]);
    const weightBytes = new Uint8Array([
      ...new Uint8Array((w.dataSync() as Float32Array).buffer),
      ...new Uint8Array((b.dataSync() as Float32Array).buffer),
    ]);
    await writeFile(join(folder, 'group1-shard1of1.bin'), weightBytes);
    const float = { type: 'DT_FLOAT' };
    const dims = (...sizes: number[]) => ({ dim: sizes.map((size) => ({ size: String(size) })) });
    const constant = (name: string, shape: number[]) => ({
      name,
      op: 'Const',
      attr: { value: { tensor: { dtype: 'DT_FLOAT', tensorShape: dims(...shape) } }, dtype: float },
    });
    const graph = {
      format: 'graph-model',
      generatedBy: 'hand-written test graph',
      convertedBy: null,
      modelTopology: {
        node: [
          { name: 'fbank', op: 'Placeholder', attr: { dtype: float, shape: { shape: dims(-1, -1, 128) } } },
          constant('w', [128, 3]),
          constant('b', [3]),
          {
            name: 'mm',
            op: 'BatchMatMulV2',
            input: ['fbank', 'w'],
            attr: { T: float, adj_x: { b: false }, adj_y: { b: false } },
          },
          {
            name: 'biased',
            op: 'BiasAdd',
            input: ['mm', 'b'],
            attr: { T: float, data_format: { s: 'TkhXQw==' } },
          },
          { name: 'out', op: 'Relu', input: ['biased'], attr: { T: float } },
        ],
        library: {},
        versions: {},
      },
      weightsManifest: [
        {
          paths: ['group1-shard1of1.bin'],
          weights: [
            { name: 'w', shape: [128, 3], dtype: 'float32' },
            { name: 'b', shape: [3], dtype: 'float32' },
          ],
        },
      ],
    };
    await writeFile(join(folder, 'model.json'), JSON.stringify(graph));
    const encoder = await TfjsModelEncoder.load(join(folder, 'model.json'), { targetLength: T });
    expect(encoder.dimension).toBe(3);
    const vectors = await encoder.embed(clips);
    const input = tf.tensor3d([...fbankOf(clipA, T), ...fbankOf(clipB, T)], [2, T, 128]);
    const direct = tf.relu(tf.add(tf.matMul(tf.reshape(input, [2 * T, 128]), w), b));
    const expected = poolRows(direct.dataSync() as Float32Array, 2, T, 3, 'mean-time');
    expectClose(vectors[0], expected[0], 1e-5);
    expectClose(vectors[1], expected[1], 1e-5);
    tf.dispose([w, b, input, direct]);
    encoder.dispose();
  });

  it('names the file when the model cannot be read', async () => {
    await expect(TfjsModelEncoder.load(join(dir, 'absent/model.json'))).rejects.toThrow(
      /absent\/model.json: cannot read the model/,
    );
    await writeFile(join(dir, 'not-a-model.json'), '{"hello": 1}');
    await expect(TfjsModelEncoder.load(join(dir, 'not-a-model.json'))).rejects.toThrow(
      /not a tfjs model.json/,
    );
  });
});

describe('FrozenCatEncoder', () => {
  it('embeds a batch like FeatureExtractor.embed does clip by clip (CLS, or the mean of the patch tokens)', async () => {
    const source = createEncoder('cat-tiny', 11);
    const path = join(dir, 'cat-tiny.safetensors');
    const tensors = checkpointTensors({ encoder: source });
    await writeFile(path, writeSafetensors(tensors));
    source.dispose();
    const T = 32;
    const cls = await FrozenCatEncoder.load(path, { model: 'cat-tiny', targetLength: T });
    expect(cls.dimension).toBe(192);
    const mean = await FrozenCatEncoder.load(path, { model: 'cat-tiny', targetLength: T, pool: 'mean' });
    const reference = new FeatureExtractor({ model: 'cat-tiny', weights: tensors });
    const byCls = await cls.embed(clips);
    const byMean = await mean.embed(clips);
    [clipA, clipB].forEach((clip, i) => {
      const utterance = reference.embed(fbankOf(clip, T), 'utterance');
      expectClose(byCls[i], utterance.data, 2e-5);
      const frame = reference.embed(fbankOf(clip, T), 'frame');
      const [n, d] = frame.shape;
      const average = Array.from({ length: d }, (_, k) => {
        let sum = 0;
        for (let r = 0; r < n; r++) sum += frame.data[r * d + k];
        return sum / n;
      });
      expectClose(byMean[i], average, 2e-5);
    });
    // The two clips differ, so a batch mix-up would show.
    expect(Math.abs(byCls[0][0] - byCls[1][0]) + Math.abs(byCls[0][1] - byCls[1][1])).toBeGreaterThan(1e-4);
    reference.dispose();
    cls.dispose();
    mean.dispose();
    await expect(FrozenCatEncoder.load(path, { model: 'cat-tiny', targetLength: 40 })).rejects.toThrow(
      /targetLength 40 is not a multiple of the patch size 16/,
    );
    await expect(FrozenCatEncoder.load(path, { model: 'cat-tiny', use: 'teacher' })).rejects.toThrow(/_ema/);
    await expect(FrozenCatEncoder.load(path, { model: 'eat-tiny', targetLength: T })).rejects.toThrow(
      /cat-tiny.safetensors/,
    );
  });

  it('embeds with the EMA teacher of a pre-training checkpoint when asked', async () => {
    const student = createEncoder('cat-tiny', 21);
    const teacher = createEncoder('cat-tiny', 22);
    const tensors = checkpointTensors({ encoder: student, teacher });
    student.dispose();
    teacher.dispose();
    const T = 16;
    const fromTeacher = new FrozenCatEncoder(
      { model: 'cat-tiny', targetLength: T, use: 'teacher' },
      tensors,
      'pt',
    );
    const fromStudent = new FrozenCatEncoder({ model: 'cat-tiny', targetLength: T }, tensors, 'pt');
    expect(fromTeacher.name).toBe('cat:pt?model=cat-tiny&pool=cls&use=teacher');
    const reference = new FeatureExtractor({ model: 'cat-tiny', weights: tensors, use: 'teacher' });
    const [byTeacher] = await fromTeacher.embed([clips[0]]);
    const [byStudent] = await fromStudent.embed([clips[0]]);
    expectClose(byTeacher, reference.embed(fbankOf(clipA, T), 'utterance').data, 2e-5);
    expect(Math.abs(byTeacher[0] - byStudent[0]) + Math.abs(byTeacher[5] - byStudent[5])).toBeGreaterThan(
      1e-4,
    );
    for (const encoder of [reference, fromTeacher, fromStudent]) encoder.dispose();
  });
});

describe('parseEncoderSpec', () => {
  it('parses every kind with its options', () => {
    expect(parseEncoderSpec('descriptors')).toEqual({ kind: 'descriptors' });
    expect(parseEncoderSpec('descriptors?stats=/d/standardization.json')).toEqual({
      kind: 'descriptors',
      standardization: '/d/standardization.json',
    });
    expect(parseEncoderSpec('npy:data/train.json')).toEqual({ kind: 'npy', manifest: 'data/train.json' });
    expect(parseEncoderSpec('packed:/feats')).toEqual({ kind: 'packed', dir: '/feats' });
    expect(parseEncoderSpec('tfjs:/m/model.json')).toEqual({ kind: 'tfjs', model: '/m/model.json' });
    expect(parseEncoderSpec('tfjs:/m/model.json?pool=cls&layout=btf1&frames=998&norm=none')).toEqual({
      kind: 'tfjs',
      model: '/m/model.json',
      pool: 'cls',
      layout: 'btf1',
      targetLength: 998,
      normalize: null,
    });
    expect(
      parseEncoderSpec('cat:C:/w/cat.safetensors?model=cat-base&pool=mean&use=teacher&norm=esc50'),
    ).toEqual({
      kind: 'cat',
      weights: 'C:/w/cat.safetensors',
      model: 'cat-base',
      pool: 'mean',
      use: 'teacher',
      normalize: 'esc50',
    });
  });

  it('rejects malformed specs with a message quoting them', () => {
    expect(() => parseEncoderSpec('clap:/x')).toThrow(/encoder 'clap:\/x': unknown kind 'clap'/);
    expect(() => parseEncoderSpec('npy:')).toThrow(/expected npy:PATH/);
    expect(() => parseEncoderSpec('tfjs:/m.json?pool=max')).toThrow(
      /pool must be one of mean-time, cls, none, got 'max'/,
    );
    expect(() => parseEncoderSpec('tfjs:/m.json?speed=1')).toThrow(/unknown option 'speed'/);
    expect(() => parseEncoderSpec('tfjs:/m.json?frames=-3')).toThrow(/frames must be a positive integer/);
    expect(() => parseEncoderSpec('cat:/w.safetensors')).toThrow(/needs \?model=NAME/);
    expect(() => parseEncoderSpec('cat:/w.safetensors?model=cat-huge')).toThrow(
      /model must be one of cat-tiny/,
    );
    expect(() => parseEncoderSpec('descriptors:/x')).toThrow(/takes no path/);
    expect(() => parseEncoderSpec('packed:/x?pool')).toThrow(/unknown option 'pool' \(allowed: none\)/);
  });

  it('opens the encoder a spec names', async () => {
    const packedDir = join(dir, 'packed-store');
    await writePackedFeatures(packedDir, ['p', 'q'], [Float32Array.of(1, 2), Float32Array.of(3, 4)]);
    const packed = await openExternalEncoder(`packed:${packedDir}`);
    expect(packed.dimension).toBe(2);
    expect([...(await packed.embed([{ id: 'q' }]))[0]]).toEqual([3, 4]);
    const statsPath = join(dir, 'spec-stats.json');
    const mean = new Float32Array(46).fill(1);
    await writeStandardization(statsPath, { mean, std: new Float32Array(46).fill(2), count: 5 });
    const descriptors = await openExternalEncoder(`descriptors?stats=${statsPath}`);
    const [a] = await descriptors.embed([clips[0]]);
    expect(a).toEqual(Float32Array.from(pooledDescriptors(clipA, 16000), (x) => (x - 1) / 2));
  });
});
