import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeWav } from '@cat/frontend';
import { FeatureExtractor, readSafetensors } from '@cat/layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pretrain } from '../src/pretrain/pretrain.js';
import { resolveRecipe } from '../src/recipe.js';
import { TINY_PRETRAIN_ARCHITECTURE } from './finetune-toy-data.js';
import { buildReplicaWorker } from './replica-worker-bundle.js';

let dir: string;

/** A 16-bit mono WAV of `seconds` of a decaying tone plus noise. */
function wav(seconds: number, frequency: number, seed: number): Uint8Array {
  const rate = 16000;
  const samples = new Float32Array(Math.floor(seconds * rate));
  let state = seed;
  for (let i = 0; i < samples.length; i++) {
    state = (state * 1103515245 + 12345) % 2147483648;
    const noise = state / 2147483648 - 0.5;
    samples[i] = 0.3 * Math.sin((2 * Math.PI * frequency * i) / rate) * Math.exp(-i / rate) + 0.1 * noise;
  }
  return encodeWav(samples, rate);
}

function recipe(out: string, overrides: string[] = []) {
  return resolveRecipe(
    {
      task: 'pretrain',
      model: 'custom',
      architecture: TINY_PRETRAIN_ARCHITECTURE,
      backend: 'wasm',
      replicas: 1,
      data: { train: join(dir, 'clips'), targetLength: 64, batchSize: 2, workers: 0, minSamples: 1000 },
      optim: { lr: 0.001, warmupSteps: 2, steps: 6 },
      pretrain: { clones: 2, ema: { start: 0.99, end: 0.999, steps: 6 } },
      checkpoint: { out, every: 3, keepLast: 2, keepBest: 0 },
      log: { every: 1, evalEvery: 0 },
    },
    overrides,
  );
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cat-pretrain-'));
  const clips = join(dir, 'clips');
  await import('node:fs/promises').then((fs) => fs.mkdir(clips));
  for (let i = 0; i < 8; i++) await writeFile(join(clips, `clip${i}.wav`), wav(0.8, 200 + 90 * i, i + 1));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('pretrain', () => {
  it('trains, writes checkpoints, metrics, a plot and last.safetensors loadable by the feature extractor', async () => {
    const out = join(dir, 'run-a');
    const result = await pretrain({ recipe: recipe(out), log: () => {}, progress: false });
    expect(result.step).toBe(6);
    expect(result.losses).toHaveLength(6);
    for (const loss of result.losses) expect(Number.isFinite(loss)).toBe(true);
    expect((await readdir(join(out, 'checkpoints'))).filter((d) => d.startsWith('step-')).sort()).toEqual([
      'step-000003',
      'step-000006',
    ]);
    for (const file of ['config.json', 'metrics.jsonl', 'plot.svg', 'last.safetensors']) {
      expect(existsSync(join(out, file)), file).toBe(true);
    }
    const { readFile } = await import('node:fs/promises');
    const tensors = readSafetensors(new Uint8Array(await readFile(join(out, 'last.safetensors'))));
    expect([...tensors.keys()].some((k) => k.startsWith('_ema.blocks.0.'))).toBe(true);
    expect([...tensors.keys()].some((k) => k.startsWith('modality_encoders.IMAGE.decoder.'))).toBe(true);
    const extractor = new FeatureExtractor({
      model: recipe(out).architecture!.encoder,
      weights: tensors,
    });
    const embedding = extractor.embed(new Float32Array(64 * 128), 'utterance');
    expect(embedding.shape).toEqual([1, 32]);
  });

  it('resumes after a stop with the losses of an uninterrupted run', async () => {
    const whole = await pretrain({ recipe: recipe(join(dir, 'run-whole')), log: () => {}, progress: false });
    const out = join(dir, 'run-split');
    const first = await pretrain({ recipe: recipe(out), until: 3, log: () => {}, progress: false });
    expect(first.stoppedBy).toBe('until');
    const second = await pretrain({ recipe: recipe(out), log: () => {}, progress: false });
    expect(second.step).toBe(6);
    const resumed = [...first.losses, ...second.losses];
    expect(resumed).toHaveLength(6);
    resumed.forEach((loss, i) => expect(loss).toBeCloseTo(whole.losses[i], 4));
  });

  it('trains data-parallel on two threads, resuming exactly, with a loss matching one thread in meaning', async () => {
    const replicaWorkerScript = await buildReplicaWorker();
    const two = (out: string) => recipe(join(dir, out), ['replicas=2']);
    const options = { log: () => {}, progress: false as const, replicaWorkerScript };
    const whole = await pretrain({ recipe: two('dp-whole'), ...options });
    expect(whole.replicas).toBe(2);
    const first = await pretrain({ recipe: two('dp-split'), until: 3, ...options });
    const second = await pretrain({ recipe: two('dp-split'), ...options });
    const resumed = [...first.losses, ...second.losses];
    expect(resumed).toHaveLength(6);
    resumed.forEach((loss, i) => expect(loss).toBeCloseTo(whole.losses[i], 4));
    // Same data, masks and initial weights as one thread: only the decoder noise and summation order differ.
    const one = await pretrain({ recipe: recipe(join(dir, 'dp-one')), log: () => {}, progress: false });
    expect(Math.abs(whole.losses[0] - one.losses[0]) / one.losses[0]).toBeLessThan(0.01);
  }, 120_000);
});
