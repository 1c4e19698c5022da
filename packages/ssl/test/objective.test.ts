import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeAudio, NORMALIZATION_PRESETS, referenceFbank } from '@cat/frontend';
import { CnnDecoder, createEncoder, type EncoderConfig, prepareBackend } from '@cat/layers';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { CollapseMonitor, embeddingSpread } from '../src/monitor.js';
import { type BootstrapConfig, BootstrapObjective } from '../src/objective.js';

const SMALL: EncoderConfig = {
  embedDim: 32,
  numHeads: 2,
  depth: 2,
  multiResolution: { resolutions: [4, 8, 16], channels: [8, 16], depths: [1, 1] },
};

function build(config: BootstrapConfig = {}, seed = 1) {
  const student = createEncoder(SMALL, seed);
  const teacher = createEncoder(SMALL, seed + 100);
  const decoder = new CnnDecoder({ numLayers: 2, groups: 16, seed: seed + 200 });
  decoder.apply(tf.zeros([1, 64, SMALL.embedDim]));
  return new BootstrapObjective(student, teacher, decoder, { clones: 2, seed, ...config });
}

/** 1.28 s windows (128 frames) of real recordings, normalised as the reference does. */
async function realClips(): Promise<tf.Tensor3D> {
  const windows: Float32Array[] = [];
  for (const name of ['guit_harmonics_16k.wav', 'loop_amen_44k_stereo.flac']) {
    const bytes = new Uint8Array(readFileSync(join(__dirname, '__fixtures__', name)));
    const audio = await decodeAudio(bytes, { source: name });
    const fbank = referenceFbank(audio.samples, audio.sampleRate, {
      normalize: NORMALIZATION_PRESETS.audioset,
    });
    for (let start = 0; start + 128 <= fbank.frames; start += 24) {
      windows.push(fbank.data.slice(start * 128, (start + 128) * 128));
    }
  }
  const data = new Float32Array(windows.length * 128 * 128);
  windows.forEach((w, i) => data.set(w, i * 128 * 128));
  return tf.tensor3d(data, [windows.length, 128, 128]);
}

beforeAll(async () => {
  await prepareBackend({ backend: 'wasm' });
});

describe('BootstrapObjective', () => {
  it('starts the teacher as a copy of the student', () => {
    const objective = build();
    const s = objective.student.trainableWeights.map((w) => w.read().dataSync());
    const t = objective.teacher.trainableWeights.map((w) => w.read().dataSync());
    expect(t).toEqual(s);
  });

  it('weights the utterance term as a sum over views (reference) or a mean (default)', () => {
    const x = tf.randomNormal([2, 64, 128], 0, 1, 'float32', 3);
    const reference = build({ weighting: 'reference' });
    const mean = build({ weighting: 'mean' });
    const masks = reference.sampleMasks(2, 64, 128);
    const targets = reference.teacherTargets(x);
    const a = reference.losses({ spectrogram: x, masks, step: 0 }, targets);
    const b = mean.losses({ spectrogram: x, masks, step: 0 }, targets);
    expect(a.frame.dataSync()[0]).toBeCloseTo(b.frame.dataSync()[0], 5);
    expect(a.utterance.dataSync()[0]).toBeCloseTo(4 * b.utterance.dataSync()[0], 4); // 2 clips x 2 clones
    expect(a.total.dataSync()[0]).toBeCloseTo(a.frame.dataSync()[0] + a.utterance.dataSync()[0], 5);
    expect(a.cls.shape).toEqual([4, 32]);
  });

  it('sends gradients to every student and decoder parameter and none to the teacher', () => {
    const objective = build();
    const x = tf.randomNormal([2, 64, 128], 0, 1, 'float32', 4);
    const targets = objective.teacherTargets(x);
    const trainable = objective.trainableVariables();
    const teacher = objective.teacher.trainableWeights.map((w) => w.read() as tf.Variable);
    const { grads } = tf.variableGrads(
      () => objective.losses({ spectrogram: x, step: 0 }, targets).total,
      [...trainable, ...teacher],
    );
    for (const v of trainable) {
      const g = grads[v.name];
      expect(g, v.name).toBeDefined();
      expect(tf.max(tf.abs(g)).dataSync()[0], v.name).toBeGreaterThan(0);
    }
    for (const v of teacher) {
      const g = grads[v.name];
      if (g) expect(tf.max(tf.abs(g)).dataSync()[0], v.name).toBe(0);
    }
  });

  it('is reproducible from its seed', () => {
    const x = tf.randomNormal([2, 64, 128], 0, 1, 'float32', 5);
    const run = () => {
      const objective = build({}, 7);
      const targets = objective.teacherTargets(x);
      return objective.losses({ spectrogram: x, step: 3 }, targets).total.dataSync()[0];
    };
    expect(run()).toBe(run());
  });

  it('learns on real recordings: the loss falls, the collapse check stays quiet, no tensor leaks', async () => {
    const clips = await realClips();
    const objective = build({ ema: { start: 0.99, end: 0.999, steps: 100 } }, 11);
    const optimizer = tf.train.adam(1e-3, 0.9, 0.95);
    const vars = objective.trainableVariables();
    const batch = 4;
    const losses: number[] = [];
    const warnings: string[] = [];
    const monitor = new CollapseMonitor({ warn: (m) => warnings.push(m) });
    let tensorsAtStep10 = 0;
    for (let step = 0; step < 40; step++) {
      const start = (step * batch) % (clips.shape[0] - batch);
      const x = tf.slice(clips, [start, 0, 0], [batch, 128, 128]);
      const targets = objective.teacherTargets(x);
      let cls: tf.Tensor2D | undefined;
      const loss = optimizer.minimize(
        () => {
          const parts = objective.losses({ spectrogram: x, step }, targets);
          cls = tf.keep(parts.cls);
          return parts.total;
        },
        true,
        vars,
      ) as tf.Scalar;
      objective.updateTeacher(step);
      losses.push(loss.dataSync()[0]);
      monitor.observe(step, embeddingSpread(cls!));
      tf.dispose([x, targets, loss, cls!]);
      if (step === 10) tensorsAtStep10 = tf.memory().numTensors;
    }
    const first = losses.slice(0, 5).reduce((a, b) => a + b) / 5;
    const last = losses.slice(-5).reduce((a, b) => a + b) / 5;
    expect(Number.isFinite(last)).toBe(true);
    expect(last).toBeLessThan(first * 0.8);
    expect(warnings).toEqual([]);
    expect(tf.memory().numTensors).toBe(tensorsAtStep10);
  });
});
