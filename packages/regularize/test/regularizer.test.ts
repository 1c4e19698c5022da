import {
  CnnDecoder,
  createEncoder,
  type EncoderConfig,
  type EncoderOutput,
  prepareBackend,
} from '@cat/layers';
import { BootstrapObjective } from '@cat/ssl';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { alignmentLoss } from '../src/losses.js';
import { RepresentationRegularizer, resampleFrames } from '../src/regularizer.js';

const SMALL: EncoderConfig = {
  embedDim: 32,
  numHeads: 2,
  depth: 2,
  multiResolution: { resolutions: [4, 8, 16], channels: [8, 16], depths: [1, 1] },
};

beforeAll(async () => {
  await prepareBackend({ backend: 'cpu' });
});

function fakeStudent(views: number, dim: number): EncoderOutput {
  return {
    cls: tf.randomNormal([views, dim], 0, 1, 'float32', 1) as tf.Tensor2D,
    tokens: tf.randomNormal([views, 3, dim], 0, 1, 'float32', 2) as tf.Tensor3D,
    layerOutputs: [0, 1].map((i) => tf.randomNormal([views, 4, dim], 0, 1, 'float32', 10 + i) as tf.Tensor3D),
    visibleIndices: tf.tensor2d(
      [0, 9, 17, 3, 8, 30, 1, 2, 31, 4, 5, 6].slice(0, views * 3),
      [views, 3],
      'int32',
    ),
  };
}

describe('RepresentationRegularizer', () => {
  it('projects the final CLS with a Linear and repeats each clip target over its clones', () => {
    const rr = new RepresentationRegularizer({ targetDim: 5, studentDim: 6, weight: 2, seed: 3 });
    const student = fakeStudent(4, 6);
    const targets = tf.randomNormal([2, 5], 0, 1, 'float32', 4);
    const actual = rr.perViewLoss({ student, clips: 2, clones: 2, step: 0, input: targets });
    const projected = rr.projector.apply(student.cls) as tf.Tensor2D;
    const expected = tf.mul(alignmentLoss(projected, tf.gather(targets, [0, 0, 1, 1]) as tf.Tensor2D), 2);
    expect(Array.from(actual.dataSync())).toEqual(
      Array.from(expected.dataSync()).map((v) => expect.closeTo(v, 5)),
    );
    expect(rr.namedWeights().map((w) => w.name)).toEqual(['clap_proj.weight', 'clap_proj.bias']);
    const mlp = new RepresentationRegularizer({
      targetDim: 5,
      studentDim: 6,
      projection: 'mlp',
      hiddenDim: 4,
    });
    expect(mlp.namedWeights().map((w) => `${w.name}:${w.variable.shape}`)).toEqual([
      'clap_proj.0.weight:6,4',
      'clap_proj.0.bias:4',
      'clap_proj.2.weight:4,5',
      'clap_proj.2.bias:5',
    ]);
  });

  it('aligns the CLS of a chosen block FFN output (1-based layer)', () => {
    const rr = new RepresentationRegularizer({ targetDim: 5, studentDim: 6, layer: 2, seed: 3 });
    const student = fakeStudent(2, 6);
    const targets = tf.randomNormal([2, 5], 0, 1, 'float32', 4);
    const actual = rr.perViewLoss({ student, clips: 2, clones: 1, step: 0, input: targets });
    const cls = tf.reshape(tf.slice(student.layerOutputs[1], [0, 0, 0], [2, 1, 6]), [2, 6]);
    const expected = alignmentLoss(rr.projector.apply(cls) as tf.Tensor2D, targets as tf.Tensor2D);
    expect(Array.from(actual.dataSync())).toEqual(
      Array.from(expected.dataSync()).map((v) => expect.closeTo(v, 5)),
    );
    const wrong = new RepresentationRegularizer({ targetDim: 5, studentDim: 6, layer: 9 });
    expect(() => wrong.perViewLoss({ student, clips: 2, clones: 1, step: 0, input: targets })).toThrow(
      /layer 9/,
    );
  });

  it('projects the target instead for target-to-student, and follows a weight schedule', () => {
    const rr = new RepresentationRegularizer({
      targetDim: 5,
      studentDim: 6,
      projection: 'target-to-student',
      weight: (step) => (step < 10 ? 1 : 0),
    });
    const student = fakeStudent(2, 6);
    const targets = tf.randomNormal([2, 5], 0, 1, 'float32', 4) as tf.Tensor2D;
    const on = rr.perViewLoss({ student, clips: 2, clones: 1, step: 0, input: targets });
    const expected = alignmentLoss(student.cls, rr.projector.apply(targets) as tf.Tensor2D);
    expect(on.dataSync()[0]).toBeCloseTo(expected.dataSync()[0], 5);
    const off = rr.perViewLoss({ student, clips: 2, clones: 1, step: 10, input: targets });
    expect(Array.from(off.dataSync())).toEqual([0, 0]);
  });

  it('names the problem when features are missing or mis-shaped', () => {
    const rr = new RepresentationRegularizer({ targetDim: 5, studentDim: 6 });
    const student = fakeStudent(2, 6);
    expect(() => rr.perViewLoss({ student, clips: 2, clones: 1, step: 0 })).toThrow(/no external features/);
    expect(() => rr.perViewLoss({ student, clips: 2, clones: 1, step: 0, input: tf.zeros([2, 7]) })).toThrow(
      /\[2,7\], expected \[2, 5\]/,
    );
  });

  it('aligns visible tokens with the frame features of their time rows (frame level)', () => {
    const rr = new RepresentationRegularizer({ targetDim: 5, studentDim: 6, level: 'frame', seed: 2 });
    const student = fakeStudent(4, 6);
    const frames = tf.randomNormal([2, 4, 5], 0, 1, 'float32', 6) as tf.Tensor3D; // 2 clips, 4 time rows
    const actual = rr.perViewLoss({ student, clips: 2, clones: 2, step: 0, gridFreq: 8, input: frames });
    // View 1 (clip 0) keeps tokens 3, 8, 30: time rows 0, 1, 3.
    const tokens = tf.reshape(tf.slice(student.tokens, [1, 0, 0], [1, 3, 6]), [3, 6]) as tf.Tensor2D;
    const rows = tf.gather(tf.squeeze(tf.slice(frames, [0, 0, 0], [1, 4, 5]), [0]), [0, 1, 3]) as tf.Tensor2D;
    const expected = tf.mean(alignmentLoss(rr.projector.apply(tokens) as tf.Tensor2D, rows));
    expect(actual.dataSync()[1]).toBeCloseTo(expected.dataSync()[0], 5);
  });

  it('resamples frame features linearly to the token rows', () => {
    // 3 frames of width 2 -> 5 rows: positions 0, 0.5, 1, 1.5, 2.
    const out = resampleFrames(Float32Array.of(0, 10, 2, 20, 4, 40), 3, 2, 5);
    expect(Array.from(out)).toEqual([0, 10, 1, 15, 2, 20, 3, 30, 4, 40]);
  });

  it('in the bootstrap objective, trains the projector and the student, never the teacher', () => {
    const student = createEncoder(SMALL, 1);
    const teacher = createEncoder(SMALL, 2);
    const decoder = new CnnDecoder({ numLayers: 1, groups: 16, seed: 3 });
    decoder.apply(tf.zeros([1, 64, 32]));
    const rr = new RepresentationRegularizer({ targetDim: 12, studentDim: 32, seed: 4 });
    const objective = new BootstrapObjective(student, teacher, decoder, { clones: 2 }, [rr]);
    const x = tf.randomNormal([2, 64, 128], 0, 1, 'float32', 5);
    const external = tf.randomNormal([2, 12], 0, 1, 'float32', 6);
    const targets = objective.teacherTargets(x);
    const trainable = objective.trainableVariables();
    for (const v of rr.trainableVariables()) expect(trainable).toContain(v);
    const frozen = objective.teacher.trainableWeights.map((w) => w.read() as tf.Variable);
    let regularization = 0;
    const { grads } = tf.variableGrads(() => {
      const parts = objective.losses(
        { spectrogram: x, step: 0, terms: { regularization: external } },
        targets,
      );
      regularization = parts.terms.regularization.dataSync()[0];
      return parts.total;
    }, [...trainable, ...frozen]);
    expect(regularization).toBeGreaterThan(0);
    for (const v of rr.trainableVariables())
      expect(tf.max(tf.abs(grads[v.name])).dataSync()[0]).toBeGreaterThan(0);
    const cls = objective.student.trainableWeights.find((w) => w.name.includes('extra_tokens'))!;
    expect(tf.max(tf.abs(grads[(cls.read() as tf.Variable).name])).dataSync()[0]).toBeGreaterThan(0);
    for (const v of frozen) if (grads[v.name]) expect(tf.max(tf.abs(grads[v.name])).dataSync()[0]).toBe(0);
  });
});
