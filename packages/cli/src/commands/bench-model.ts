import {
  createEncoder,
  encoderFlops,
  finetuningStepFlops,
  MODEL_NAMES,
  type ModelName,
  measureMatmulCeiling,
  modelPreset,
  prepareBackend,
  pretrainingStepFlops,
} from '@cat/layers';
import { resolveRecipe } from '@cat/train';
import { benchmarkFinetuningStep, benchmarkPretrainingStep } from '@cat/train/node';
import * as tf from '@tensorflow/tfjs-core';
import {
  BACKENDS,
  backendOption,
  type Command,
  type CommandContext,
  choiceOption,
  integerOption,
} from '../command.js';

const options: Command['options'] = {
  model: { type: 'string', valueName: 'NAME', default: 'cat-tiny', description: MODEL_NAMES.join(', ') },
  batch: { type: 'string', valueName: 'B', default: '8', description: 'clips per batch' },
  'target-length': {
    type: 'string',
    valueName: 'T',
    default: '1024',
    description: 'frames per clip (multiple of 16)',
  },
  reps: {
    type: 'string',
    valueName: 'N',
    default: '3',
    description: 'timed repetitions after one warm-up (median reported)',
  },
  backend: backendOption,
};

async function setUp(values: CommandContext['values'], stdout: (line: string) => void) {
  const model = choiceOption(values, 'model', MODEL_NAMES) as ModelName;
  const batch = integerOption(values, 'batch') ?? 8;
  const frames = integerOption(values, 'target-length') ?? 1024;
  const reps = integerOption(values, 'reps') ?? 3;
  const backend = await prepareBackend({ backend: choiceOption(values, 'backend', BACKENDS) });
  const ceiling = await measureMatmulCeiling({ m: 1024, k: 1024, n: 1024, repeats: 3 });
  stdout(`backend: ${backend.name} (${backend.reason})`);
  stdout(`matmul ceiling (1024^3): ${ceiling.gflops.toFixed(1)} GFLOP/s`);
  return { model, batch, frames, reps };
}

function report(stdout: (line: string) => void, flops: number, seconds: number, batch: number) {
  const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
  stdout(`model FLOPs per run: ${(flops / 1e9).toFixed(2)} G; median ${seconds.toFixed(3)} s`);
  // maxRSS covers the whole process, worker-thread replicas included.
  const peakRss = process.resourceUsage().maxRSS * 1024;
  stdout(`peak memory: RSS ${mb(peakRss)} (all threads), tfjs ${mb(tf.memory().numBytes)} in use now`);
  stdout(`clips/s: ${(batch / seconds).toFixed(3)}`);
  stdout(`GFLOP/s: ${(flops / seconds / 1e9).toFixed(2)}`);
}

export const benchStepCommand: Command = {
  path: ['bench', 'step'],
  summary: 'time one pre-training step (teacher, 4 masked clones, decoder, losses, backward, AdamW, EMA)',
  positionals: { names: '', min: 0, max: 0 },
  options: {
    ...options,
    replicas: {
      type: 'string',
      valueName: 'N',
      default: '1',
      description: 'data-parallel replicas (this thread + N-1 worker threads, one per core)',
    },
    accumulate: {
      type: 'string',
      valueName: 'K',
      default: '1',
      description: 'micro-batches of B clips per optimizer step (gradient accumulation)',
    },
  },
  details:
    'Random input of the given shape, no data loading. Ends with `clips/s: N` and `GFLOP/s: N` (model FLOPs / time).',
  async run({ values, stdout }) {
    const { model, batch, frames, reps } = await setUp(values, stdout);
    const recipe = resolveRecipe({
      model,
      backend: 'auto',
      data: { train: '(random input)', targetLength: frames, batchSize: batch },
      optim: { steps: 100, warmupSteps: 10 },
    });
    const replicas = integerOption(values, 'replicas') ?? 1;
    const accumulate = integerOption(values, 'accumulate') ?? 1;
    const result = await benchmarkPretrainingStep(recipe, { reps, warmup: 1, replicas, accumulate });
    stdout(
      `replicas: ${result.replicas} (threads computing each step); ${accumulate} micro-batch(es) per step`,
    );
    stdout(
      `tensors leaked per step: ${result.leakedTensors / reps}; peak tfjs bytes ${(result.peakBytes / 2 ** 20).toFixed(0)} MB`,
    );
    const clips = batch * accumulate;
    report(stdout, pretrainingStepFlops(model, clips, frames).total, result.secondsPerStep, clips);
    return 0;
  },
};

export const benchFinetuneCommand: Command = {
  path: ['bench', 'finetune'],
  summary: 'time one fine-tuning step (encoder with drop path, head, BCE, backward, clipping, AdamW)',
  positionals: { names: '', min: 0, max: 0 },
  options: {
    ...options,
    classes: { type: 'string', valueName: 'C', default: '527', description: 'output classes' },
  },
  details:
    'Random input of the given shape, no data loading. Ends with `clips/s: N` and `GFLOP/s: N` (model FLOPs / time).',
  async run({ values, stdout }) {
    const { model, batch, frames, reps } = await setUp(values, stdout);
    const classes = integerOption(values, 'classes') ?? 527;
    const result = benchmarkFinetuningStep({ model, batch, frames, classes, reps, warmup: 1 });
    stdout(
      `tensors leaked per step: ${result.leakedTensors / reps}; peak tfjs bytes ${(result.peakBytes / 2 ** 20).toFixed(0)} MB`,
    );
    report(stdout, finetuningStepFlops(model, batch, frames, classes), result.secondsPerStep, batch);
    return 0;
  },
};

export const benchEmbedCommand: Command = {
  path: ['bench', 'embed'],
  summary: 'time encoder inference (CLS and patch tokens of a batch of clips)',
  positionals: { names: '', min: 0, max: 0 },
  options,
  details:
    'Random input of the given shape, no data loading. Ends with `clips/s: N` and `GFLOP/s: N` (model FLOPs / time).',
  async run({ values, stdout }) {
    const { model, batch, frames, reps } = await setUp(values, stdout);
    const encoder = createEncoder(model, 0);
    const input = tf.randomNormal([batch, frames, 128], 0, 1, 'float32', 1);
    const times: number[] = [];
    try {
      for (let i = 0; i <= reps; i++) {
        const started = performance.now();
        const out = encoder.encode(input);
        out.cls.dataSync();
        tf.dispose([out.cls, out.tokens, ...out.layerOutputs]);
        if (i > 0) times.push((performance.now() - started) / 1000);
      }
    } finally {
      input.dispose();
      encoder.dispose();
    }
    times.sort((a, b) => a - b);
    report(
      stdout,
      encoderFlops(modelPreset(model).encoder, batch, frames),
      times[Math.floor(times.length / 2)],
      batch,
    );
    return 0;
  },
};
