import type { EncoderConfig } from '@cat/layers';

/**
 * Training recipes: plain JSON objects (files under `recipes/`), changed one key at a time with `key=value`
 * overrides, validated, and saved resolved beside the checkpoints (the fairseq/hydra habit).
 */

export type BackendChoice = 'auto' | 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';
export type NormalizationPreset = 'audioset' | 'esc50' | 'spc2';

export interface DataRecipe {
  /** Training data: a manifest (.tsv, .json, .csv), a folder, or anything `loadAnyDataset` reads. */
  train: string;
  /** Evaluation data (fine-tuning, probing). */
  eval: string | null;
  /** Replaces the root line of reference .tsv manifests. */
  root: string | null;
  /** A label list (`label_descriptors.csv`, `class_labels_indices.csv`) fixing the class order. */
  labels: string | null;
  targetLength: number;
  normalize: NormalizationPreset;
  batchSize: number;
  /** Decoding worker threads; null = all cores. */
  workers: number | null;
  /** Clips shorter than this many samples are dropped (the reference: 10 000). */
  minSamples: number;
  /** Folder of the on-disk fbank cache; null = no cache. */
  cache: string | null;
  /** AS-2M weighted sampling: draw this many clips per epoch (null = plain shuffle). */
  samplesPerEpoch: number | null;
}

export interface OptimRecipe {
  lr: number;
  minLr: number;
  warmupSteps: number;
  steps: number;
  weightDecay: number;
  betas: [number, number];
  eps: number;
  /** Global-norm clipping; null = off. */
  clipNorm: number | null;
  /** Micro-batches per optimizer step. */
  accumulate: number;
  /** Layer-wise LR decay for fine-tuning (block i of L: decay^(L-i)); null = off. */
  layerDecay: number | null;
}

export interface RegularizationRecipe {
  /** External encoder spec (see @cat/regularize `parseEncoderSpec`), e.g. `descriptors` or `npy:train.json`. */
  encoder: string;
  weight: number;
  loss: 'mse' | 'cosine' | 'l1' | 'kl';
  /** 0 = final CLS; l = CLS of block l's FFN output. */
  layer: number;
  projection: 'student-to-target' | 'target-to-student' | 'mlp';
}

export interface PretrainRecipe {
  clones: number;
  maskProb: number;
  maskProbAdjust: number;
  /** Teacher blocks averaged into the targets; null = all. */
  topK: number | null;
  weighting: 'reference' | 'mean';
  frameWeight: number;
  utteranceWeight: number;
  ema: { start: number; end: number; steps: number };
  regularization: RegularizationRecipe | null;
}

export interface FinetuneRecipe {
  /** Weights to start from (safetensors); null = random init. */
  init: string | null;
  loss: 'bce' | 'ce';
  labelSmoothing: number;
  mixup: { alpha: number; probability: number } | null;
  /** SpecAugment mask widths (torchaudio parameters), null = off. */
  specAugment: { freqMask: number; timeMask: number } | null;
  rollAugment: boolean;
  noiseAugment: boolean;
  dropPath: number;
  metric: 'mAP' | 'accuracy';
}

export interface CheckpointRecipe {
  /** Run folder: checkpoints, metrics.jsonl, plot, resolved config. */
  out: string;
  every: number;
  keepLast: number;
  keepBest: number;
}

/** A custom architecture instead of a named preset (small models for tests and experiments). */
export interface ArchitectureRecipe {
  encoder: EncoderConfig;
  decoder: { numLayers: number; kernelSize: number; groups: number };
}

export interface Recipe {
  task: 'pretrain' | 'finetune' | 'probe';
  /** A preset name (`cat-tiny`, `cat-base`, `eat-base`, ...). */
  model: string;
  /** Overrides `model` with a custom architecture; null = the preset. */
  architecture: ArchitectureRecipe | null;
  seed: number;
  backend: BackendChoice;
  /**
   * Data-parallel replicas for pre-training: this thread plus worker threads, each with its own backend, the
   * gradients averaged. null = one per core on the wasm and cpu backends (single-threaded), 1 on TensorFlow.
   */
  replicas: number | null;
  data: DataRecipe;
  optim: OptimRecipe;
  pretrain: PretrainRecipe;
  finetune: FinetuneRecipe;
  checkpoint: CheckpointRecipe;
  /** Log a line every N steps; evaluate every N steps (0 = only at the end). */
  log: { every: number; evalEvery: number };
}

/** Every key with its default: the reference's AS-2M pre-training values where it has one (§9, §10). */
export function defaultRecipe(): Recipe {
  return {
    task: 'pretrain',
    model: 'cat-base',
    architecture: null,
    seed: 1,
    backend: 'auto',
    replicas: null,
    data: {
      train: '',
      eval: null,
      root: null,
      labels: null,
      targetLength: 1024,
      normalize: 'audioset',
      batchSize: 96,
      workers: null,
      minSamples: 10_000,
      cache: null,
      samplesPerEpoch: null,
    },
    optim: {
      lr: 5e-4,
      minLr: 0,
      warmupSteps: 53_333,
      steps: 400_000,
      weightDecay: 0.05,
      betas: [0.9, 0.95],
      eps: 1e-8,
      clipNorm: 4,
      accumulate: 1,
      layerDecay: null,
    },
    pretrain: {
      clones: 4,
      maskProb: 0.8,
      maskProbAdjust: 0.07,
      topK: null,
      weighting: 'mean',
      frameWeight: 1,
      utteranceWeight: 1,
      ema: { start: 0.9998, end: 0.99999, steps: 100_000 },
      regularization: null,
    },
    finetune: {
      init: null,
      loss: 'bce',
      labelSmoothing: 0,
      mixup: { alpha: 0.8, probability: 0.9 },
      specAugment: { freqMask: 25.6, timeMask: 204.8 },
      rollAugment: true,
      noiseAugment: false,
      dropPath: 0.1,
      metric: 'mAP',
    },
    checkpoint: { out: 'runs/pretrain', every: 10_000, keepLast: 3, keepBest: 1 },
    log: { every: 50, evalEvery: 0 },
  };
}

export class RecipeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RecipeError';
  }
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Deep-merge `patch` into `base`; every key of `patch` must exist in `base` (typos are errors, not new keys). */
export function mergeRecipe<T>(base: T, patch: unknown, source = 'recipe', path = ''): T {
  if (patch === undefined) return base;
  if (!isObject(base) || !isObject(patch)) return patch as T;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [key, value] of Object.entries(patch)) {
    const at = path ? `${path}.${key}` : key;
    if (!(key in out))
      throw new RecipeError(`${source}: unknown key '${at}'${suggest(key, Object.keys(out))}`);
    // A section that is off (null) takes the whole object given for it.
    out[key] = out[key] === null ? value : mergeRecipe(out[key], value, source, at);
  }
  return out as T;
}

/** Apply `key.path=value` overrides; the value is JSON when it parses as JSON, else a string. */
export function applyOverrides<T>(recipe: T, overrides: readonly string[]): T {
  let result = recipe;
  for (const override of overrides) {
    const eq = override.indexOf('=');
    if (eq <= 0) throw new RecipeError(`override '${override}' is not key=value (e.g. optim.lr=1e-4)`);
    const keys = override.slice(0, eq).trim().split('.');
    const raw = override.slice(eq + 1);
    let value: Json;
    try {
      value = JSON.parse(raw) as Json;
    } catch {
      value = raw;
    }
    const patch = keys.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value);
    result = mergeRecipe(result, patch, `--set ${override}`);
  }
  return result;
}

/** Check types and ranges; returns the recipe or throws naming every problem. */
export function validateRecipe(recipe: Recipe): Recipe {
  const problems: string[] = [];
  const defaults = defaultRecipe();
  const walk = (value: unknown, reference: unknown, path: string) => {
    if (reference === null || value === null) return;
    if (isObject(reference)) {
      if (!isObject(value)) problems.push(`${path} must be an object`);
      else
        for (const key of Object.keys(reference))
          walk(value[key], reference[key], path ? `${path}.${key}` : key);
    } else if (Array.isArray(reference)) {
      if (!Array.isArray(value) || value.length !== reference.length)
        problems.push(`${path} must be a list of ${reference.length}`);
    } else if (typeof value !== typeof reference) {
      problems.push(`${path} must be a ${typeof reference}, got ${JSON.stringify(value)}`);
    }
  };
  walk(recipe, defaults, '');
  const positive: [string, number][] = [
    ['data.batchSize', recipe.data.batchSize],
    ['data.targetLength', recipe.data.targetLength],
    ['optim.steps', recipe.optim.steps],
    ['optim.accumulate', recipe.optim.accumulate],
    ['pretrain.clones', recipe.pretrain.clones],
    ['checkpoint.every', recipe.checkpoint.every],
  ];
  for (const [key, value] of positive)
    if (!(Number.isInteger(value) && value > 0)) problems.push(`${key} must be a whole number > 0`);
  if (recipe.data.targetLength % 16 !== 0)
    problems.push('data.targetLength must be a multiple of 16 (the patch size)');
  if (!(recipe.optim.lr > 0)) problems.push('optim.lr must be > 0');
  if (!(recipe.optim.warmupSteps >= 0 && recipe.optim.warmupSteps <= recipe.optim.steps)) {
    problems.push('optim.warmupSteps must be between 0 and optim.steps');
  }
  if (!['pretrain', 'finetune', 'probe'].includes(recipe.task))
    problems.push(`task must be pretrain, finetune or probe`);
  if (!['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'].includes(recipe.backend)) {
    problems.push('backend must be auto, tensorflow-gpu, tensorflow, wasm or cpu');
  }
  if (recipe.replicas !== null && !(Number.isInteger(recipe.replicas) && recipe.replicas >= 1))
    problems.push(`replicas must be a whole number >= 1 or null (one per core), got ${recipe.replicas}`);
  if (!recipe.data.train)
    problems.push('data.train is empty: give the training data (--data or --set data.train=...)');
  if (problems.length > 0) throw new RecipeError(`invalid recipe:\n  ${problems.join('\n  ')}`);
  return recipe;
}

/** Defaults ← recipe file contents ← overrides, validated. */
export function resolveRecipe(file: unknown, overrides: readonly string[] = [], source = 'recipe'): Recipe {
  return validateRecipe(applyOverrides(mergeRecipe(defaultRecipe(), file, source), overrides));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function suggest(key: string, known: string[]): string {
  const close = known.filter(
    (k) => k.toLowerCase().includes(key.toLowerCase()) || key.toLowerCase().includes(k.toLowerCase()),
  );
  return close.length > 0 ? ` (did you mean ${close.join(', ')}?)` : ` (known: ${known.join(', ')})`;
}
