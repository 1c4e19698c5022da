import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { AdamW, type AdamWState } from '../src/adamw.js';
import { excludedFromWeightDecay, type NamedParameter, parameterGroups } from '../src/parameters.js';
import { f32, fixture, maxAbsDifference } from './helpers.js';

interface AdamWFixture {
  betas: [number, number];
  eps: number;
  weightDecay: number;
  lrScale: number;
  decay: string[];
  shapes: Record<string, number[]>;
  init: Record<string, number[]>;
  steps: Array<{ lr: number; grads: Record<string, number[] | null>; params: Record<string, number[]> }>;
  state: Record<string, { step: number; m: number[]; v: number[] }>;
}

const ref = fixture<AdamWFixture>('adamw.json');

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function makeParams(): NamedParameter[] {
  return Object.entries(ref.shapes).map(([name, shape]) => ({
    name,
    variable: tf.variable(tf.tensor(f32(ref.init[name]), shape)),
  }));
}

// The fixture's two groups: decayed parameters at LR scale 1, the others undecayed at LR scale 0.65.
function makeOptimizer(params: NamedParameter[]): AdamW {
  const groups = parameterGroups(params, {
    weightDecay: ref.weightDecay,
    lrScale: (name) => (ref.decay.includes(name) ? 1 : ref.lrScale),
  });
  return new AdamW(groups, { betas: ref.betas, eps: ref.eps });
}

function runStep(optimizer: AdamW, params: NamedParameter[], k: number): void {
  const grads: tf.NamedTensorMap = {};
  for (const p of params) {
    const g = ref.steps[k].grads[p.name];
    if (g) grads[p.variable.name] = tf.tensor(f32(g), p.variable.shape);
  }
  optimizer.step(grads, ref.steps[k].lr);
  tf.dispose(grads);
}

function dispose(params: NamedParameter[], optimizer: AdamW): void {
  optimizer.dispose();
  for (const p of params) p.variable.dispose();
}

describe('weight-decay groups', () => {
  it('decays matrices and the [1,1,D] CLS token, not biases nor 1-D parameters', () => {
    expect(excludedFromWeightDecay('blocks.0.attn.qkv.weight', [768, 2304])).toBe(false);
    expect(excludedFromWeightDecay('modality_encoders.IMAGE.extra_tokens', [1, 1, 768])).toBe(false);
    expect(excludedFromWeightDecay('blocks.0.attn.qkv.bias', [2304])).toBe(true);
    expect(excludedFromWeightDecay('blocks.0.norm1.weight', [768])).toBe(true);
    expect(excludedFromWeightDecay('head.bias', [527])).toBe(true);
    // Conv bias stored with unit axes is still a bias by name.
    expect(excludedFromWeightDecay('conv.bias', [1, 1, 1, 8])).toBe(true);
  });

  it('groups by (decay, LR scale) in order and leaves out frozen variables', () => {
    const v = (shape: number[], trainable = true) => tf.variable(tf.zeros(shape), trainable);
    const params: NamedParameter[] = [
      { name: 'blocks.0.fc.weight', variable: v([2, 2]) },
      { name: 'blocks.0.fc.bias', variable: v([2]) },
      { name: 'blocks.1.fc.weight', variable: v([2, 2]) },
      { name: 'extra_tokens', variable: v([1, 1, 2]) },
      { name: 'fixed_positional_encoder.positions', variable: v([1, 4, 2], false) },
      // A CLS token stored without its unit axes is still decayed when its reference shape says [1, 1, D].
      { name: 'cls', variable: v([2]), referenceShape: [1, 1, 2] },
    ];
    const groups = parameterGroups(params, {
      weightDecay: 0.05,
      lrScale: (n) => (n.startsWith('blocks.0.') ? 0.5 : 1),
    });
    expect(groups.map((g) => [g.weightDecay, g.lrScale, g.params.map((p) => p.name)])).toEqual([
      [0.05, 0.5, ['blocks.0.fc.weight']],
      [0, 0.5, ['blocks.0.fc.bias']],
      [0.05, 1, ['blocks.1.fc.weight', 'extra_tokens', 'cls']],
    ]);
    for (const p of params) p.variable.dispose();
  });
});

describe('AdamW against torch.optim.AdamW', () => {
  it('matches every step to 1e-6, including a step where one parameter has no gradient', () => {
    const params = makeParams();
    const optimizer = makeOptimizer(params);
    for (let k = 0; k < ref.steps.length; k++) {
      runStep(optimizer, params, k);
      for (const p of params) {
        expect(
          maxAbsDifference(p.variable.dataSync(), f32(ref.steps[k].params[p.name])),
          `${p.name} step ${k}`,
        ).toBeLessThan(1e-6);
      }
    }
    dispose(params, optimizer);
  });

  it('exports the moments and per-parameter steps torch keeps', async () => {
    const params = makeParams();
    const optimizer = makeOptimizer(params);
    for (let k = 0; k < ref.steps.length; k++) runStep(optimizer, params, k);
    const state = await optimizer.exportState();
    expect(state.parameters.map((p) => p.name).sort()).toEqual(Object.keys(ref.state).sort());
    for (const entry of state.parameters) {
      const expected = ref.state[entry.name];
      expect(entry.step).toBe(expected.step);
      expect(entry.shape).toEqual(ref.shapes[entry.name]);
      expect(maxAbsDifference(entry.m, f32(expected.m))).toBeLessThan(1e-6);
      expect(maxAbsDifference(entry.v, f32(expected.v))).toBeLessThan(1e-6);
    }
    expect(state.parameters.find((p) => p.name === 'norm.weight')!.step).toBe(4);
    dispose(params, optimizer);
  });

  it('resumes bit-exactly from an exported state sent through JSON', async () => {
    const straight = makeParams();
    const straightOptimizer = makeOptimizer(straight);
    for (let k = 0; k < ref.steps.length; k++) runStep(straightOptimizer, straight, k);

    const first = makeParams();
    const firstOptimizer = makeOptimizer(first);
    for (let k = 0; k < 3; k++) runStep(firstOptimizer, first, k);
    const json = JSON.stringify(await firstOptimizer.exportState(), (_key, value) =>
      value instanceof Float32Array ? Array.from(value) : value,
    );
    const saved = first.map((p) => ({ name: p.name, values: p.variable.dataSync().slice() }));
    dispose(first, firstOptimizer);

    const parsed = JSON.parse(json) as { parameters: Array<{ m: number[]; v: number[] }> };
    const state = {
      parameters: parsed.parameters.map((p) => ({
        ...p,
        m: Float32Array.from(p.m),
        v: Float32Array.from(p.v),
      })),
    } as AdamWState;
    const resumed = makeParams();
    for (const p of resumed)
      p.variable.assign(tf.tensor(saved.find((s) => s.name === p.name)!.values, p.variable.shape));
    const resumedOptimizer = makeOptimizer(resumed);
    resumedOptimizer.importState(state);
    for (let k = 3; k < ref.steps.length; k++) runStep(resumedOptimizer, resumed, k);

    for (let i = 0; i < straight.length; i++) {
      expect(Array.from(resumed[i].variable.dataSync())).toEqual(Array.from(straight[i].variable.dataSync()));
    }
    dispose(straight, straightOptimizer);
    dispose(resumed, resumedOptimizer);
  });

  it('keeps no temporaries across steps and rejects gradients it does not know', () => {
    const params = makeParams();
    const optimizer = makeOptimizer(params);
    runStep(optimizer, params, 0);
    const before = tf.memory().numTensors;
    runStep(optimizer, params, 1);
    expect(tf.memory().numTensors).toBe(before);

    const stranger = tf.variable(tf.zeros([2]));
    const grad = tf.ones([2]);
    expect(() => optimizer.step({ [stranger.name]: grad }, 0.1)).toThrow(/in no parameter group/);
    const wrongShape = tf.ones([2]);
    expect(() => optimizer.step({ [params[0].variable.name]: wrongShape }, 0.1)).toThrow(
      /blocks\.0\.attn\.qkv\.weight has shape \[2\], parameter has \[3,4\]/,
    );
    expect(() =>
      optimizer.importState({
        parameters: [{ name: 'nope', shape: [1], step: 1, m: new Float32Array(1), v: new Float32Array(1) }],
      }),
    ).toThrow(/nope is not in this optimizer/);
    tf.dispose([stranger, grad, wrongShape]);
    dispose(params, optimizer);
  });
});
