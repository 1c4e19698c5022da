import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TINY_ENCODER, writeToyDataset } from '../../train/test/finetune-toy-data.js';
import { finetuneCommand } from '../src/commands/finetune.js';
import { runCommand } from './command-runner.js';

let dir: string;
let csv: { train: string; test: string };
let model: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cat-cli-finetune-'));
  csv = await writeToyDataset(join(dir, 'data'), { train: 4, test: 3 }, 5);
  model = join(dir, 'tiny.json');
  await writeFile(model, JSON.stringify(TINY_ENCODER));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const small = [
  'data.targetLength=128',
  'data.batchSize=4',
  'data.workers=0',
  'data.minSamples=0',
  'checkpoint.every=2',
  'optim.lr=0.01',
].flatMap((s) => ['--set', s]);

describe('cat-audio finetune', () => {
  it('documents the common case and the recipes', async () => {
    const { status, out } = await runCommand(finetuneCommand, ['--help']);
    expect(status).toBe(0);
    for (const text of [
      '--config FILE|NAME',
      '--set KEY=VALUE',
      '--init W.safetensors',
      'as20k-finetune',
      'resumes',
    ]) {
      expect(out).toContain(text);
    }
  });

  it('fine-tunes without a config file, writes the run folder, and resumes a finished run', async () => {
    const out = join(dir, 'run');
    const args = [
      '--data',
      csv.train,
      '--eval',
      csv.test,
      '--model',
      model,
      '--steps',
      '4',
      '--out',
      out,
      '--backend',
      'wasm',
      ...small,
    ];
    const first = await runCommand(finetuneCommand, args);
    expect(first.err).toContain('backend wasm');
    expect(first.status).toBe(0);
    expect(first.lines[0]).toBe('steps: 4');
    expect(first.out).toMatch(/\naccuracy: \d\.\d{4}\n/);
    expect(first.out).toContain(`weights: ${join(out, 'last.safetensors')}`);
    for (const file of [
      'config.json',
      'metrics.jsonl',
      'plot.svg',
      'last.safetensors',
      'checkpoints/step-000004/model.safetensors',
    ]) {
      expect(existsSync(join(out, file)), file).toBe(true);
    }
    const config = JSON.parse(await readFile(join(out, 'config.json'), 'utf8'));
    expect(config).toMatchObject({
      task: 'finetune',
      model,
      optim: { steps: 4, warmupSteps: 0 },
      data: { eval: csv.test },
    });
    const again = await runCommand(finetuneCommand, args);
    expect(again.status).toBe(0);
    expect(again.err).toContain('resuming');
    expect(again.lines[0]).toBe('steps: 4');
  });

  it('names the file and the problem on bad input', async () => {
    const missing = await runCommand(finetuneCommand, [
      '--data',
      join(dir, 'absent.csv'),
      '--model',
      model,
      '--out',
      join(dir, 'x'),
      '--backend',
      'wasm',
    ]);
    expect(missing.status).toBe(1);
    expect(missing.err).toContain('absent.csv');
    const typo = await runCommand(finetuneCommand, ['--data', csv.train, '--set', 'optim.lrr=1']);
    expect(typo.status).toBe(1);
    expect(typo.err).toMatch(/unknown key 'optim.lrr'/);
    const badModel = await runCommand(finetuneCommand, [
      '--data',
      csv.train,
      '--model',
      'cat-huge',
      '--out',
      join(dir, 'y'),
      '--backend',
      'wasm',
    ]);
    expect(badModel.err).toContain("unknown model 'cat-huge'");
  });
});
