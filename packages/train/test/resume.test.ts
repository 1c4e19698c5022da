import '@tensorflow/tfjs-backend-cpu';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdamW, type AdamWState } from '../src/adamw.js';
import { CheckpointDirectory } from '../src/checkpoints.js';
import { clipGradientsByGlobalNorm } from '../src/clipping.js';
import { type NamedParameter, parameterGroups } from '../src/parameters.js';
import { cosineLearningRate } from '../src/schedules.js';

// A linear regression trained with the package's pieces (schedule, clipping, AdamW), checkpointed halfway,
// resumed in fresh objects from the files, and compared with an uninterrupted run.
const TOTAL = 40;
const HALF = 20;
const schedule = { peakLr: 0.1, warmupSteps: 5, totalSteps: TOTAL, minLr: 1e-3 };
let root: string;
let x: tf.Tensor2D;
let y: tf.Tensor2D;

beforeAll(async () => {
  await tf.setBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'cat-train-resume-'));
  x = tf.tensor2d(
    Array.from({ length: 48 }, (_, i) => Math.sin(i * 1.7)),
    [16, 3],
  );
  y = tf.add(tf.matMul(x, tf.tensor2d([[1.5], [-2], [0.5]])), 0.75) as tf.Tensor2D;
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
  tf.dispose([x, y]);
});

function model(values?: Map<string, Float32Array>) {
  const params: NamedParameter[] = [
    {
      name: 'head.weight',
      variable: tf.variable(tf.tensor(values?.get('head.weight') ?? [0.1, 0.1, 0.1], [3, 1])),
    },
    { name: 'head.bias', variable: tf.variable(tf.tensor(values?.get('head.bias') ?? [0], [1])) },
  ];
  const optimizer = new AdamW(parameterGroups(params, { weightDecay: 0.05 }), { betas: [0.9, 0.95] });
  return { params, optimizer };
}

function loss(params: NamedParameter[]): number {
  return tf
    .tidy(() => tf.mean(tf.square(tf.sub(tf.add(tf.matMul(x, params[0].variable), params[1].variable), y))))
    .dataSync()[0];
}

// Analytic gradients of the mean squared error (the Node build of tfjs-core registers no gradients).
function train(params: NamedParameter[], optimizer: AdamW, from: number, to: number): void {
  const [w, b] = params.map((p) => p.variable);
  for (let step = from; step < to; step++) {
    const grads = tf.tidy(() => {
      const residual = tf.mul(tf.sub(tf.add(tf.matMul(x, w), b), y), 2 / x.shape[0]);
      return { [w.name]: tf.matMul(x, residual, true, false), [b.name]: tf.sum(residual, 0) };
    });
    const { grads: clipped, norm } = clipGradientsByGlobalNorm(grads, 1);
    optimizer.step(clipped, cosineLearningRate(step, schedule));
    tf.dispose([grads, clipped, norm]);
  }
}

const bytesOf = (a: Float32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
const floatsOf = (b: Buffer) => new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));

describe('resume from a checkpoint', () => {
  it('continues bit-exactly where the uninterrupted run goes', async () => {
    const straight = model();
    const before = loss(straight.params);
    train(straight.params, straight.optimizer, 0, TOTAL);
    expect(loss(straight.params)).toBeLessThan(before / 50);

    const first = model();
    train(first.params, first.optimizer, 0, HALF);
    const state = await first.optimizer.exportState();
    await new CheckpointDirectory(root, { keepLast: 2 }).save(HALF, async (writer) => {
      for (const p of first.params)
        await writer.writeFile(`${p.name}.bin`, bytesOf(p.variable.dataSync() as Float32Array));
      for (const s of state.parameters) {
        await writer.writeFile(`${s.name}.m.bin`, bytesOf(s.m));
        await writer.writeFile(`${s.name}.v.bin`, bytesOf(s.v));
      }
      await writer.writeJson(
        'optimizer.json',
        state.parameters.map(({ name, shape, step }) => ({ name, shape, step })),
      );
    });
    first.optimizer.dispose();
    for (const p of first.params) p.variable.dispose();

    const latest = (await new CheckpointDirectory(root).latest())!;
    expect(latest.step).toBe(HALF);
    const values = new Map<string, Float32Array>();
    for (const name of ['head.weight', 'head.bias'])
      values.set(name, floatsOf(await readFile(join(latest.dir, `${name}.bin`))));
    const meta = JSON.parse(
      await readFile(join(latest.dir, 'optimizer.json'), 'utf8'),
    ) as AdamWState['parameters'];
    const restored: AdamWState = { parameters: [] };
    for (const { name, shape, step } of meta) {
      const m = floatsOf(await readFile(join(latest.dir, `${name}.m.bin`)));
      const v = floatsOf(await readFile(join(latest.dir, `${name}.v.bin`)));
      restored.parameters.push({ name, shape, step, m, v });
    }
    const resumed = model(values);
    resumed.optimizer.importState(restored);
    train(resumed.params, resumed.optimizer, latest.step, TOTAL);

    for (let i = 0; i < 2; i++) {
      expect(Array.from(resumed.params[i].variable.dataSync())).toEqual(
        Array.from(straight.params[i].variable.dataSync()),
      );
    }
    for (const run of [straight, resumed]) {
      run.optimizer.dispose();
      for (const p of run.params) p.variable.dispose();
    }
  });
});
