import { mkdtemp, rm, writeFile as writeBytes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkpointTensors, createEncoder, prepareBackend, writeSafetensors } from '@cat/layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TINY_ENCODER, writeToyDataset } from '../../train/test/finetune-toy-data.js';
import { probeCommand } from '../src/commands/probe.js';
import { runCommand } from './command-runner.js';

let dir: string;
let csv: { train: string; test: string };
let model: string;
let weights: string;

beforeAll(async () => {
  await prepareBackend({ backend: 'wasm' });
  dir = await mkdtemp(join(tmpdir(), 'cat-cli-probe-'));
  csv = await writeToyDataset(join(dir, 'data'), { train: 5, test: 4 }, 11);
  model = join(dir, 'tiny.json');
  await writeFile(model, JSON.stringify(TINY_ENCODER));
  // A pre-training-layout checkpoint of a (random) tiny encoder.
  const encoder = createEncoder(TINY_ENCODER, 21);
  weights = join(dir, 'tiny.safetensors');
  await writeBytes(weights, writeSafetensors(checkpointTensors({ encoder }, 'pretraining')));
  encoder.dispose();
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const common = () => [
  '--model',
  model,
  '--train',
  csv.train,
  '--test',
  csv.test,
  '--target-length',
  '128',
  '--backend',
  'wasm',
  '--workers',
  '0',
];

function finalAccuracy(lines: string[]): number {
  const last = lines.at(-1) ?? '';
  expect(last).toMatch(/^accuracy: \d\.\d{4}$/);
  return Number(last.slice('accuracy: '.length));
}

describe('cat-audio probe', () => {
  it('documents its options', async () => {
    const { status, out } = await runCommand(probeCommand, ['--help']);
    expect(status).toBe(0);
    for (const flag of ['--weights FILE', '--init-seed S', '--pool P', '--train CSV|PATH', '--backend NAME'])
      expect(out).toContain(flag);
  });

  it('trains a classifier on frozen embeddings of a checkpoint and ends with the test accuracy', async () => {
    const { status, lines, err } = await runCommand(probeCommand, ['--weights', weights, ...common()]);
    expect(err).toContain('10 training and 8 test clips, 32-d features, single-label');
    expect(status).toBe(0);
    expect(finalAccuracy(lines)).toBeGreaterThanOrEqual(0.75);
  });

  it('probes a random initialisation with --init-seed, pooled both ways, and the fbank baseline', async () => {
    const seeded = await runCommand(probeCommand, ['--init-seed', '4', '--pool', 'both', ...common()]);
    expect(seeded.status).toBe(0);
    expect(seeded.err).toContain('64-d features');
    expect(finalAccuracy(seeded.lines)).toBeGreaterThanOrEqual(0.75);
    const baseline = await runCommand(probeCommand, ['--features', 'fbank-stats', ...common().slice(2)]);
    expect(baseline.err).toContain('256-d features');
    expect(finalAccuracy(baseline.lines)).toBeGreaterThanOrEqual(0.75);
  });

  it('explains bad calls', async () => {
    const both = await runCommand(probeCommand, ['--weights', weights, '--init-seed', '1', ...common()]);
    expect(both.status).toBe(2);
    expect(both.err).toContain('give either --weights FILE or --init-seed S');
    const missing = await runCommand(probeCommand, ['--weights', join(dir, 'nope.safetensors'), ...common()]);
    expect(missing.status).toBe(1);
    expect(missing.err).toContain('nope.safetensors: cannot read the weights');
    const wrong = await runCommand(probeCommand, ['--weights', weights, ...common(), '--model', 'cat-tiny']);
    expect(wrong.status).toBe(1);
    expect(wrong.err).toMatch(/tiny\.safetensors does not fit the model/);
  });
});
