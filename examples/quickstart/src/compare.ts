#!/usr/bin/env node
// Representation Regularization off and on: the same seeds, data and steps, probed along the way.
import { availableParallelism, cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { labelSetOf } from '@cat/data';
import { loadAnyDataset } from '@cat/data/node';
import { writeFileAtomic } from '@cat/frontend/node';
import { createEncoder, loadCheckpoint, prepareBackend } from '@cat/layers';
import { renderTrainingPlot } from '@cat/train';
import { CheckpointDirectory, MODEL_FILE, pretrain, readTensors } from '@cat/train/node';
import { buildDemoDataset } from './dataset.js';
import { encoderRows, type ProbeSettings } from './probe-table.js';
import { DEMO_CLONES, DEMO_MASK_PROB, DEMO_REGULARIZATION, demoRecipe, TARGET_LENGTH } from './recipe.js';

const HELP = `compare-regularization [--steps 200] [--every 100] [--seeds 1,2] [--weight 1] [--out runs/compare-rr]

Pre-trains cat-tiny on the quickstart's unlabeled clips twice per seed, with Representation Regularization
(spectral descriptors, weight --weight) off and on, same seed, data order, masks and steps; probes the student
(linear classifier on the held-out instruments) at step 0 and every --every steps. Writes results.md,
results.json and probe.svg under --out; a killed run resumes.`;

interface Point {
  seed: number;
  arm: 'off' | 'on';
  step: number;
  cls: number;
  mean: number;
  bands: number;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      steps: { type: 'string', default: '200' },
      every: { type: 'string', default: '100' },
      seeds: { type: 'string', default: '1,2' },
      weight: { type: 'string', default: '1' },
      out: { type: 'string', default: 'runs/compare-rr' },
      backend: { type: 'string', default: 'auto' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const steps = Number(values.steps);
  const every = Number(values.every);
  const weight = Number(values.weight);
  const seeds = String(values.seeds).split(',').map(Number);
  if (!(Number.isInteger(steps) && steps > 0 && Number.isInteger(every) && every > 0 && weight > 0))
    throw new Error('--steps and --every must be whole numbers > 0, --weight > 0');
  if (seeds.some((s) => !Number.isInteger(s)))
    throw new Error(`--seeds must be whole numbers, got ${values.seeds}`);
  const out = resolve(values.out as string);
  const started = Date.now();
  const log = (line: string) =>
    console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(5)} s] ${line}`);

  const data = await buildDemoDataset({ dir: join(out, 'data'), seed: 0, log });
  const backend = await prepareBackend({ backend: values.backend as 'auto' });
  log(`backend: ${backend.name}`);
  const train = (await loadAnyDataset(data.train)).dataset;
  const test = (await loadAnyDataset(data.test, { labels: labelSetOf(train) })).dataset;

  const points: Point[] = [];
  for (const seed of seeds) {
    const settings: ProbeSettings = { train, test, targetLength: TARGET_LENGTH, seed };
    const probeEncoder = async (weights: string | null) => {
      const encoder = createEncoder('cat-tiny', seed);
      if (weights) loadCheckpoint({ encoder }, await readTensors(weights), weights);
      const [cls, mean, bands] = (await encoderRows('student', encoder, settings)).map((r) => r.testAccuracy);
      encoder.dispose();
      return { cls, mean, bands };
    };
    const initial = await probeEncoder(null);
    log(
      `seed ${seed}, step 0 (random init): CLS ${initial.cls.toFixed(3)}, mean ${initial.mean.toFixed(3)}, bands ${initial.bands.toFixed(3)}`,
    );
    for (const arm of ['off', 'on'] as const) {
      points.push({ seed, arm, step: 0, ...initial });
      const recipe = demoRecipe({
        out: join(out, `seed-${seed}`, `rr-${arm}`),
        seed,
        backend: backend.name,
        steps,
        unlabeled: data.unlabeled,
        regularization: arm === 'on' ? { ...DEMO_REGULARIZATION, weight } : null,
        checkpointEvery: every,
        keepCheckpoints: Math.ceil(steps / every) + 1,
      });
      log(`seed ${seed}, regularization ${arm}: pre-training ${steps} steps`);
      const result = await pretrain({ recipe, log: (line) => log(`  ${line}`), progress: false });
      log(
        `  loss ${result.losses[0]?.toFixed(2)} → ${result.losses.at(-1)?.toFixed(2)} (${result.replicas} threads)`,
      );
      for (const checkpoint of await new CheckpointDirectory(
        join(recipe.checkpoint.out, 'checkpoints'),
      ).list()) {
        const accuracies = await probeEncoder(join(checkpoint.dir, MODEL_FILE));
        points.push({ seed, arm, step: checkpoint.step, ...accuracies });
        log(
          `  step ${checkpoint.step}: CLS ${accuracies.cls.toFixed(3)}, mean ${accuracies.mean.toFixed(3)}, bands ${accuracies.bands.toFixed(3)}`,
        );
      }
    }
  }

  const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${availableParallelism()} cores, Node ${process.version}, backend ${backend.name}`;
  const report = markdownReport(points, { steps, weight, machine, minutes: (Date.now() - started) / 60_000 });
  await writeFileAtomic(join(out, 'results.md'), report);
  await writeFileAtomic(
    join(out, 'results.json'),
    `${JSON.stringify({ steps, every, weight, machine, points }, null, 2)}\n`,
  );
  await writeFileAtomic(join(out, 'probe.svg'), probePlot(points));
  console.log(`\n${report}`);
  log(`results: ${join(out, 'results.md')}, ${join(out, 'probe.svg')}`);
  return 0;
}

/** Held-out accuracy by step, RR off next to RR on, one block per seed, then the mean over seeds. */
export function markdownReport(
  points: Point[],
  info: { steps: number; weight: number; machine: string; minutes: number },
): string {
  const seeds = [...new Set(points.map((p) => p.seed))];
  const steps = [...new Set(points.map((p) => p.step))].sort((a, b) => a - b);
  const cell = (arm: Point['arm'], step: number, seed?: number) => {
    const chosen = points.filter(
      (p) => p.arm === arm && p.step === step && (seed === undefined || p.seed === seed),
    );
    if (chosen.length === 0) return '– / – / –';
    const avg = (key: 'cls' | 'mean' | 'bands') =>
      (chosen.reduce((s, p) => s + p[key], 0) / chosen.length).toFixed(3);
    return `${avg('cls')} / ${avg('mean')} / ${avg('bands')}`;
  };
  const lines = [
    '# Representation Regularization off and on',
    '',
    `cat-tiny, ${info.steps} steps per run, batch 8 × ${DEMO_CLONES} masked views of 1.28 s (${DEMO_MASK_PROB * 100}% of the tokens hidden), RR towards spectral descriptors with weight ${info.weight}; ${info.minutes.toFixed(0)} min in all on ${info.machine}.`,
    'Held-out accuracy of a linear probe on the student (CLS / mean of patch tokens / patch tokens averaged over time per frequency band), 10 instrument families, 320 clips of unseen instruments.',
    '',
    '| seed | step | RR off | RR on |',
    '| --- | --- | --- | --- |',
  ];
  for (const seed of [...seeds, undefined])
    for (const step of steps)
      lines.push(`| ${seed ?? 'mean'} | ${step} | ${cell('off', step, seed)} | ${cell('on', step, seed)} |`);
  return `${lines.join('\n')}\n`;
}

function probePlot(points: Point[]): string {
  const series = (arm: Point['arm'], key: 'cls' | 'mean') => {
    const steps = [...new Set(points.filter((p) => p.arm === arm).map((p) => p.step))].sort((a, b) => a - b);
    return {
      name: `RR ${arm}, ${key === 'cls' ? 'CLS' : 'mean'}`,
      points: steps.map((step) => {
        const at = points.filter((p) => p.arm === arm && p.step === step);
        return [step, at.reduce((s, p) => s + p[key], 0) / at.length] as const;
      }),
    };
  };
  return renderTrainingPlot([
    {
      title: 'held-out probe accuracy, mean over seeds',
      series: [series('off', 'cls'), series('on', 'cls'), series('off', 'mean'), series('on', 'mean')],
    },
  ]);
}

main().then(
  (status) => {
    process.exitCode = status;
  },
  (error: Error) => {
    console.error(`compare-regularization: ${error.message}`);
    process.exitCode = 1;
  },
);
