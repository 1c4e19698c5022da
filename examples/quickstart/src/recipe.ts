import { type RegularizationRecipe, resolveRecipe } from '@cat/train';

/** Frames per clip: 1.28 s of each 2 s note, the grid of 8 x 8 tokens. */
export const TARGET_LENGTH = 128;
/** Masked views per clip and the fraction of tokens each hides (the reference: 4 and 0.8). */
export const DEMO_CLONES = 2;
export const DEMO_MASK_PROB = 0.6;
/** Time kept for the probes after pre-training (embedding 1320 clips twice, fbank statistics, classifiers). */
export const PROBE_SECONDS = 115;
/** Pre-training's one-off set-up: descriptor features of the unlabeled clips, worker start, checkpoints. */
export const SETUP_SECONDS = 40;

/** The demo's regularization: standardised spectral descriptors, the encoder that needs no download. */
export const DEMO_REGULARIZATION: RegularizationRecipe = {
  encoder: 'descriptors',
  weight: 1,
  loss: 'mse',
  layer: 0,
  projection: 'student-to-target',
};

export interface DemoRecipeOptions {
  /** Run folder (the recipe's checkpoint.out). */
  out: string;
  seed: number;
  backend: string;
  steps: number;
  /** The unlabeled clips' CSV. */
  unlabeled: string;
  /** null: the bootstrap objective alone. */
  regularization?: RegularizationRecipe | null;
  /** Checkpoint every this many steps, keeping this many (default 50, 1). */
  checkpointEvery?: number;
  keepCheckpoints?: number;
}

/** cat-tiny pre-training on the demo's unlabeled clips, sized for minutes on a laptop. */
export function demoRecipe(options: DemoRecipeOptions) {
  const { steps } = options;
  return resolveRecipe({
    task: 'pretrain',
    model: 'cat-tiny',
    seed: options.seed,
    backend: options.backend,
    data: {
      train: options.unlabeled,
      targetLength: TARGET_LENGTH,
      batchSize: 8,
      minSamples: 1000,
      // Every epoch reads the same clips: decode and compute their fbanks once.
      cache: `${options.out}/fbank-cache`,
    },
    optim: { lr: 5e-4, minLr: 1e-5, warmupSteps: Math.max(1, Math.floor(steps / 10)), steps, clipNorm: 4 },
    pretrain: {
      // Two views of 40% of the tokens instead of the reference's four of 20%: the student sees as many tokens per
      // step, the decoder half as many views, so a step is 12-15% cheaper (measured) and a short run gets more.
      clones: DEMO_CLONES,
      maskProb: DEMO_MASK_PROB,
      weighting: 'mean',
      // A short run: the teacher must follow the student within a few hundred steps.
      ema: { start: 0.99, end: 0.999, steps },
      regularization: options.regularization === undefined ? DEMO_REGULARIZATION : options.regularization,
    },
    checkpoint: {
      out: options.out,
      every: options.checkpointEvery ?? 50,
      keepLast: options.keepCheckpoints ?? 1,
      keepBest: 0,
    },
    log: { every: 5, evalEvery: 0 },
  });
}
