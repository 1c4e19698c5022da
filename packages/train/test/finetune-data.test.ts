import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finetuneData } from '../src/finetune/finetune.js';
import { resolveRecipe } from '../src/recipe.js';

let root: string;

/** Speech Commands v2's layout in miniature: word folders, the two lists, background noise (no audio needed). */
const files = {
  'yes/aaaa0001_nohash_0.wav': 'train',
  'yes/aaaa0002_nohash_0.wav': 'validation',
  'yes/aaaa0003_nohash_0.wav': 'test',
  'no/aaaa0001_nohash_0.wav': 'train',
  'no/aaaa0001_nohash_1.wav': 'train',
  'no/aaaa0002_nohash_0.wav': 'validation',
  'no/aaaa0003_nohash_0.wav': 'test',
  'up/aaaa0001_nohash_0.wav': 'train',
  'up/aaaa0004_nohash_0.wav': 'test',
} as const;

const listed = (split: string) =>
  Object.entries(files)
    .filter(([, s]) => s === split)
    .map(([path]) => path);

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'cat-finetune-data-'));
  const spc = join(root, 'speech_commands_v0.02');
  for (const path of [...Object.keys(files), '_background_noise_/white_noise.wav']) {
    await mkdir(dirname(join(spc, path)), { recursive: true });
    await writeFile(join(spc, path), '');
  }
  await writeFile(join(spc, 'validation_list.txt'), `${listed('validation').join('\n')}\n`);
  await writeFile(join(spc, 'testing_list.txt'), `${listed('test').join('\n')}\n`);
  await writeFile(join(root, 'plain.csv'), 'path,label\na.wav,dog\nb.wav,cat\n');
});

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

const recipe = (train: string, evaluation: string | null) =>
  resolveRecipe({ task: 'finetune', data: { train, eval: evaluation } });

describe('finetuneData', () => {
  it("trains on a Speech Commands folder's train + validation parts and evaluates on its test part", async () => {
    const spc = join(root, 'speech_commands_v0.02');
    const { train, evaluation } = await finetuneData(recipe(spc, spc));
    const ids = (paths: string[]) => paths.map((p) => p.slice(0, -'.wav'.length)).sort();
    expect(train.entries.map((e) => e.id).sort()).toEqual(ids([...listed('train'), ...listed('validation')]));
    expect(evaluation!.entries.map((e) => e.id).sort()).toEqual(ids(listed('test')));
    expect(train.labelKeys).toEqual(['no', 'up', 'yes']);
    expect(evaluation!.labelKeys).toEqual(train.labelKeys);
    for (const entry of train.entries) expect(train.labelKeys[entry.labels[0]]).toBe(entry.id.split('/')[0]);
    expect(train.problems).toEqual([]);
  });

  it('trains on all of an input without splits', async () => {
    const { train, evaluation } = await finetuneData(recipe(join(root, 'plain.csv'), null));
    expect(train.entries.map((e) => e.id)).toEqual(['a', 'b']);
    expect(evaluation).toBeNull();
  });
});
