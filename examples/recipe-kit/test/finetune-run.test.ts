import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeWav, SeededRandom } from '@cat/frontend';
import { writeNpyFile } from '@cat/frontend/node';
import { loadRecipe } from '@cat/train/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catAudio, shellCommand } from '../src/cat-audio.js';
import { type FinetuneRunResult, finetuneArgs, MICRO_ENCODER, sizeOverrides } from '../src/finetune-run.js';
import { finetuneAndPredict, type Predictions, readPredictions } from '../src/predictions.js';

let root: string;
let run: FinetuneRunResult;
let predictions: Predictions;
const log: string[] = [];

/** `perClass` one-second clips of a tone and of noise, and their `path,label` CSV. */
async function toyClips(name: string, perClass: number, random: SeededRandom): Promise<string> {
  const rows = ['path,label'];
  for (let i = 0; i < perClass; i++) {
    for (const label of ['tone', 'noise']) {
      const samples = new Float32Array(16_000).map((_, t) =>
        label === 'tone' ? 0.3 * Math.sin((2 * Math.PI * (400 + 300 * i) * t) / 16_000) : random.next() - 0.5,
      );
      const file = `${name}-${label}-${i}.wav`;
      await writeFile(join(root, 'clips', file), encodeWav(samples, 16_000));
      rows.push(`clips/${file},${label}`);
    }
  }
  const csv = join(root, `${name}.csv`);
  await writeFile(csv, `${rows.join('\n')}\n`);
  return csv;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'recipe-kit-finetune-'));
  await mkdir(join(root, 'clips'));
  const random = new SeededRandom(3);
  const train = await toyClips('train', 3, random);
  const evaluation = await toyClips('eval', 2, random);
  const model = join(root, 'micro-encoder.json');
  await writeFile(model, JSON.stringify(MICRO_ENCODER));
  const output = { stdout: (l: string) => log.push(l), stderr: (l: string) => log.push(l) };
  ({ run, predictions } = await finetuneAndPredict(
    {
      ...{ recipe: 'esc50-finetune', train, eval: evaluation, out: join(root, 'run'), model },
      ...{ backend: 'wasm', batch: 4, microBatch: 2, steps: 2, targetLength: 64, set: ['data.workers=0'] },
    },
    output,
  ));
});

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

describe('cat-audio in-process', () => {
  it('quotes what the shell would split or expand', () => {
    expect(shellCommand(['eval', '--data', 'a b.csv', '--set', "x=it's", '--out', 'runs/x'])).toBe(
      "cat-audio eval --data 'a b.csv' --set 'x=it'\\''s' --out runs/x",
    );
  });

  it('returns the result lines and prints the command first; a failing status is an error', async () => {
    const err: string[] = [];
    const lines = await catAudio(['--help'], { stdout: () => {}, stderr: (l) => err.push(l) });
    expect(lines).toHaveLength(1);
    expect(lines[0].split('\n')[0]).toBe('Usage: cat-audio <command> [options]');
    expect(err[0]).toBe('$ cat-audio --help');
    await expect(catAudio(['no-such-command'], { stdout: () => {}, stderr: () => {} })).rejects.toThrow(
      'cat-audio no-such-command failed with exit status 2',
    );
  });
});

describe('fine-tuning runs', () => {
  it("splits the batch into micro-batches and shortens the schedule, keeping the recipe's warm-up share", async () => {
    const recipe = await loadRecipe('esc50-finetune', ['data.train=unused']);
    // The recipe: 48 clips per step, 400 warm-up steps of 4000.
    expect(sizeOverrides(recipe, { microBatch: 8, steps: 25, targetLength: 64 })).toEqual([
      'data.batchSize=8',
      'optim.accumulate=6',
      'optim.steps=25',
      'optim.warmupSteps=2',
      'data.targetLength=64',
    ]);
    expect(sizeOverrides(recipe, {})).toEqual(['data.batchSize=48', 'optim.accumulate=1']);
    expect(() => sizeOverrides(recipe, { batch: 5, microBatch: 2 })).toThrow(
      'the batch (5) must be a whole multiple of the micro-batch (2)',
    );
    expect(() => sizeOverrides(recipe, { steps: 0 })).toThrow('--steps must be a whole number > 0');
  });

  it('stands for one cat-audio finetune command, overrides last', async () => {
    const args = await finetuneArgs({
      ...{ recipe: 'esc50-finetune', train: 't.tsv', eval: null, out: 'o', init: 'w.safetensors' },
      ...{ batch: 4, microBatch: 2, root: '/audio', set: ['seed=3'] },
    });
    expect(shellCommand(args)).toBe(
      'cat-audio finetune --config esc50-finetune --data t.tsv --out o --init w.safetensors ' +
        '--set data.batchSize=2 --set optim.accumulate=2 --set data.root=/audio --set seed=3',
    );
  });

  it('runs the recipe with the overrides and reads its evaluations back', () => {
    expect(run.steps).toBe(2);
    expect(run.recipe.optim).toMatchObject({ steps: 2, warmupSteps: 0, accumulate: 2 });
    expect(run.recipe.data).toMatchObject({ batchSize: 2, targetLength: 64, workers: 0 });
    expect(log[0]).toBe(
      'note: no --init: fine-tuning from random weights (the reference starts from a pre-trained model)',
    );
    expect(log[1]).toMatch(/^\$ cat-audio finetune --config esc50-finetune /);
    expect(run.last?.step).toBe(2);
    expect(run.finalEval).toBe(run.last!.value);
    expect(run.best!.value).toBeGreaterThanOrEqual(run.last!.value);
  });

  it("saves predictions of the final model that reproduce the run's own last evaluation", async () => {
    expect(predictions.ids).toEqual([
      'clips/eval-tone-0',
      'clips/eval-noise-0',
      'clips/eval-tone-1',
      'clips/eval-noise-1',
    ]);
    expect(predictions.classes.keys).toEqual(['noise', 'tone']);
    const again = await readPredictions(join(root, 'run', 'predictions'));
    expect(again.ids).toEqual(predictions.ids);
    expect(Array.from(again.scores)).toEqual(Array.from(predictions.scores));
    let correct = 0;
    predictions.ids.forEach((id, i) => {
      const [noise, tone] = predictions.scores.subarray(2 * i, 2 * i + 2);
      const target = id.includes('-tone-') ? 1 : 0;
      expect(Array.from(predictions.targets.subarray(2 * i, 2 * i + 2))).toEqual(target ? [0, 1] : [1, 0]);
      if ((tone > noise ? 1 : 0) === target) correct++;
    });
    expect(predictions.metrics.accuracy).toBeCloseTo(correct / 4, 12);
    expect(predictions.metrics.accuracy).toBeCloseTo(run.finalEval!, 6);
  });

  it('names the file when saved predictions do not fit together', async () => {
    await writeNpyFile(join(root, 'run', 'predictions', 'targets.npy'), new Float32Array(3), [3]);
    await expect(readPredictions(join(root, 'run', 'predictions'))).rejects.toThrow(
      /predictions\/targets\.npy: shape \(3\) instead of \(4,2\)/,
    );
  });
});
